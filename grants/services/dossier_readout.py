"""A read-only rendering model of a dossier, section by section, built either from the live
dossier or from a frozen snapshot payload: the same labels and formatting for both."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from grants.sections import SECTIONS
from grants.services.dossier_fields import FieldSpec, display, section_fields, table_specs

# The extra single-object fields shown in a section besides its own columns.
EXTRA_FIELDS = {"promoter": "organisation"}
# Tables shown in each section, in order (payload list names).
SECTION_TABLES = {
    "identity": ("financers",),
    "territory": ("communes",),
    "professionals": ("professionals",),
    "objectives": ("objectives",),
    "operating": ("operating_lines",),
    "financing": ("cost_lines", "resource_lines"),
}


@dataclass
class TableView:
    title: str
    headers: list[str]
    rows: list[list[str]]


@dataclass
class SectionView:
    code: str
    letter: str
    title: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    tables: list[TableView] = field(default_factory=list)


def _fields(specs: tuple[FieldSpec, ...], values: dict[str, Any]) -> list[tuple[str, str]]:
    return [(spec.label, display(spec, values.get(spec.name))) for spec in specs]


def section_views(payload: dict[str, Any]) -> list[SectionView]:
    """Every section A–J of a payload (live or frozen) as label/value pairs and tables."""
    singles = section_fields()
    tables = table_specs()
    views = []
    for section in SECTIONS:
        view = SectionView(section.code, section.letter, section.title)
        values = payload.get("sections", {}).get(section.code, {})
        if section.code in singles:
            view.fields = _fields(singles[section.code], values)
        extra = EXTRA_FIELDS.get(section.code)
        if extra:
            view.fields = _fields(singles[extra], payload.get(extra, {})) + view.fields
        for name in SECTION_TABLES.get(section.code, ()):
            spec = tables[name]
            view.tables.append(
                TableView(
                    spec.title,
                    [f.label for f in spec.fields],
                    [[display(f, row.get(f.name)) for f in spec.fields] for row in payload[name]],
                )
            )
        views.append(view)
    return views


def _row(obj: Any, names: list[str]) -> dict[str, Any]:
    return {name: getattr(obj, name, None) for name in names}


def live_payload(dossier: Any) -> dict[str, Any]:
    """The live dossier (a ``Dossier`` or a ``DossierPage``) shaped like a snapshot payload.

    Only what is already loaded is read: no query per row.
    """
    singles = section_fields()
    tables = table_specs()
    names = {spec.name: [f.name for f in spec.fields] for spec in tables.values()}
    financer_names = {f.id: f.name for f in dossier.financers}
    resources = []
    for line in dossier.resource_lines:
        row = _row(line, names["resource_lines"])
        row["financer_name"] = financer_names.get(line.financer_id) if line.financer_id else None
        resources.append(row)
    return {
        "sections": {
            code: _row(dossier, [s.name for s in specs])
            for code, specs in singles.items()
            if code != "organisation"
        },
        "organisation": _row(dossier.organisation, [s.name for s in singles["organisation"]]),
        "financers": [{"code": f.code, "name": f.name} for f in dossier.financers],
        "communes": [
            {"insee_code": c.commune.insee_code, "name": c.commune.name} for c in dossier.communes
        ],
        "professionals": [_row(p, names["professionals"]) for p in dossier.professionals],
        "objectives": [_row(o, names["objectives"]) for o in dossier.objectives],
        "operating_lines": [_row(o, names["operating_lines"]) for o in dossier.operating_lines],
        "cost_lines": [_row(c, names["cost_lines"]) for c in dossier.cost_lines],
        "resource_lines": resources,
    }
