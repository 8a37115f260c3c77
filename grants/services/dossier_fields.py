"""The dossier's fields as instructors read them: French labels (taken from the promoter's forms,
so both sides use the same words), value kinds, and formatting of live or snapshot values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Integer, Numeric
from wtforms.fields.core import UnboundField

from grants.models import (
    CostLine,
    Dossier,
    HealthObjective,
    OperatingLine,
    Organisation,
    Professional,
    ResourceLine,
)
from grants.models.base import Money
from grants.models.choices import AID_TYPES
from grants.templating import french_date, money, number

EMPTY = "—"
NOT_SHOWN = frozenset({"csrf_token", "lock_version"})


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: str  # text, bool, choice, choices, date, money, decimal, int
    vocabulary: dict[str, str] | None = None


@dataclass(frozen=True)
class TableSpec:
    """A repeating table of the snapshot payload (``payload[name]`` is a list of dicts)."""

    name: str
    title: str
    section: str  # the section code the table belongs to
    fields: tuple[FieldSpec, ...]
    key: tuple[str, ...]  # fields identifying a row across versions


def _vocabulary(unbound: UnboundField) -> dict[str, str] | None:
    raw = unbound.kwargs.get("choices")
    if raw is None and len(unbound.args) > 1 and isinstance(unbound.args[1], dict | list):
        raw = unbound.args[1]
    if isinstance(raw, dict):
        return {str(k): str(v) for k, v in raw.items() if k != ""}
    if isinstance(raw, list) and raw and all(_is_choice(c) for c in raw):
        pairs = [(c.value, c.label) if hasattr(c, "value") else (c[0], c[1]) for c in raw]
        return {str(value): str(label) for value, label in pairs if value != ""}
    return None


def _is_choice(item: Any) -> bool:
    return (hasattr(item, "value") and hasattr(item, "label")) or (
        isinstance(item, tuple) and len(item) >= 2
    )


def _kind(column_type: Any, vocabulary: dict[str, str] | None) -> str:
    if isinstance(column_type, Money):
        return "money"
    if isinstance(column_type, Boolean):
        return "bool"
    if isinstance(column_type, Date):
        return "date"
    if isinstance(column_type, JSON):
        return "choices"
    if vocabulary:
        return "choice"
    if isinstance(column_type, Numeric):
        return "decimal"
    if isinstance(column_type, Integer):
        return "int"
    return "text"


def specs_from_form(form_class: type, model: type, skip: tuple[str, ...] = ()) -> list[FieldSpec]:
    """The form's fields that are columns of ``model``, in the form's order."""
    unbound = sorted(
        (
            (name, value)
            for name in dir(form_class)
            if isinstance(value := getattr(form_class, name, None), UnboundField)
        ),
        key=lambda item: item[1].creation_counter,
    )
    columns = model.__table__.c  # type: ignore[attr-defined]
    specs = []
    for name, field in unbound:
        if name in skip or name in NOT_SHOWN or name not in columns:
            continue
        label = field.args[0] if field.args else field.kwargs.get("label", name)
        vocabulary = _vocabulary(field)
        kind = "text" if name == "year" else _kind(columns[name].type, vocabulary)
        specs.append(FieldSpec(name, str(label), kind, vocabulary))
    return specs


@cache
def section_fields() -> dict[str, tuple[FieldSpec, ...]]:
    """Single-object sections (payload ``sections[code]``) and the organisation (B)."""
    from grants.forms.organisation import OrganisationForm
    from grants.forms.sections import SECTION_FORMS

    result = {code: tuple(specs_from_form(form, Dossier)) for code, form in SECTION_FORMS.items()}
    result["organisation"] = tuple(specs_from_form(OrganisationForm, Organisation))
    return result


@cache
def table_specs() -> dict[str, TableSpec]:
    from grants.forms.rows import CostRow, ObjectiveRow, OperatingRow, ProfessionalRow, ResourceRow

    aid = FieldSpec("aid_type", "Type d'aide", "choice", dict(AID_TYPES))
    year_index = FieldSpec("year_index", "Année", "choice", {"1": "1", "2": "2", "3": "3"})

    def fix(specs: list[FieldSpec]) -> tuple[FieldSpec, ...]:
        by_name = {"aid_type": aid, "year_index": year_index}
        return tuple(by_name.get(s.name, s) for s in specs)

    resources = [s for s in specs_from_form(ResourceRow, ResourceLine) if s.name != "financer_id"]
    resources.insert(2, FieldSpec("financer_name", "Cofinanceur", "text"))
    tables = (
        TableSpec(
            "financers",
            "Financeurs sollicités",
            "identity",
            (FieldSpec("name", "Financeur", "text"),),
            ("code",),
        ),
        TableSpec(
            "communes",
            "Communes d'implantation",
            "territory",
            (FieldSpec("name", "Commune", "text"), FieldSpec("insee_code", "Code INSEE", "text")),
            ("insee_code",),
        ),
        TableSpec(
            "professionals",
            "Professionnels",
            "professionals",
            fix(specs_from_form(ProfessionalRow, Professional)),
            ("last_name", "first_name", "profession"),
        ),
        TableSpec(
            "objectives",
            "Objectifs",
            "objectives",
            fix(specs_from_form(ObjectiveRow, HealthObjective)),
            ("objective",),
        ),
        TableSpec(
            "operating_lines",
            "Budget de fonctionnement",
            "operating",
            fix(specs_from_form(OperatingRow, OperatingLine)),
            ("year_index", "kind", "category", "label"),
        ),
        TableSpec(
            "cost_lines",
            "Dépenses",
            "financing",
            fix(specs_from_form(CostRow, CostLine)),
            ("aid_type", "year", "label"),
        ),
        TableSpec(
            "resource_lines",
            "Ressources",
            "financing",
            fix(resources),
            ("aid_type", "kind", "financer_name", "label"),
        ),
        TableSpec(
            "attachments",
            "Pièces déposées",
            "pieces",
            (
                FieldSpec("piece_label", "Pièce", "text"),
                FieldSpec("original_name", "Fichier", "text"),
                FieldSpec("financer_code", "Cofinanceur", "text"),
            ),
            ("piece_code", "sha256"),
        ),
    )
    return {t.name: t for t in tables}


def display(spec: FieldSpec, value: Any) -> str:
    """A value (live Python or snapshot JSON) as the pages show it, in French."""
    if value is None or value == "" or value == []:
        return "Non" if spec.kind == "bool" and value is not None else EMPTY
    if spec.kind == "bool":
        return "Oui" if value else "Non"
    if spec.kind in ("choice", "choices"):
        vocabulary = spec.vocabulary or {}
        values = value if isinstance(value, list) else [value]
        return ", ".join(vocabulary.get(str(v), str(v)) for v in values)
    if spec.kind == "date":
        return french_date(_as_date(value))
    if spec.kind in ("money", "decimal"):
        amount = _as_decimal(value)
        if amount is None:
            return str(value)
        return money(amount) if spec.kind == "money" else number(amount)
    if spec.kind == "int" and isinstance(value, int):
        return number(value, 0)
    return str(value)


def _as_date(value: Any) -> date | None:
    if isinstance(value, date | datetime):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _as_decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None
