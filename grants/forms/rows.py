"""Tables of repeating rows (D professionals, E objectives, H operating budget, I financing
plan): one WTForms row form per table, French messages, blank and deleted rows ignored."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    ValidationError,
)
from wtforms.validators import Length, StopValidation
from wtforms.widgets import TextInput

from grants.forms.fields import FrenchDecimalField
from grants.models.choices import (
    AGE_BANDS,
    EXERCISE_MODES,
    INCENTIVE_CONTRACTS,
    OPERATING_CATEGORIES,
    OPERATING_LINE_KINDS,
    PROFESSIONS,
    PROJECT_STATUSES,
    RESOURCE_KINDS,
    RESOURCE_STATUSES,
    SECTORS,
)

REQUIRED = "Ce champ est obligatoire."
INVALID_CHOICE = "Choisissez une valeur dans la liste."
MAX_AMOUNT = Decimal("999999999999.99")
BLANK = {"": "—"}
YEAR_INDEXES = {"1": "Année 1", "2": "Année 2", "3": "Année 3"}


def required(_form: object, field: Any) -> None:
    """Like DataRequired, but accepts 0 and renders no HTML ``required`` (blank rows are fine)."""
    if field.process_errors:  # unreadable input already explains itself
        raise StopValidation()
    if not _has_content(field):
        raise StopValidation(REQUIRED)


def _has_content(field: Any) -> bool:
    """Whether the user typed or chose something (raw input when posted, else the data)."""
    if field.raw_data is not None:
        return any(str(value).strip() for value in field.raw_data)
    data = field.data
    if data is None or data is False:
        return False
    return bool(data.strip()) if isinstance(data, str) else data != []


def max_length(size: int) -> Length:
    return Length(max=size, message=f"{size} caractères au maximum.")


def decimal_range(low: Decimal, high: Decimal, message: str):  # type: ignore[no-untyped-def]
    def check(_form: object, field: Any) -> None:
        if field.data is not None and not low <= field.data <= high:
            raise ValidationError(message)

    return check


def two_places(_form: object, field: Any) -> None:
    if field.data is not None and field.data.as_tuple().exponent < -2:
        raise ValidationError("Deux décimales au maximum.")


def year_range(_form: object, field: Any) -> None:
    if field.data is not None and not 2000 <= field.data <= 2100:
        raise ValidationError("Indiquez une année entre 2000 et 2100.")


class DecimalCell(FrenchDecimalField):
    """A French decimal typed in a text box (a number input would refuse '1 234,56')."""

    widget = TextInput()

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "size": 10})
        super().__init__(*args, **kwargs)


class YearCell(IntegerField):
    widget = TextInput()

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("render_kw", {"inputmode": "numeric", "size": 5})
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        raw = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if not raw:
            return
        if not (raw.isascii() and raw.isdigit()):
            raise ValueError("Saisissez une année, par exemple 2026.")
        self.data = int(raw)


class ChoiceCell(SelectField):
    """A select with French messages; data stays a string code ('' when nothing is chosen)."""

    def __init__(self, label: str, choices: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("invalid_choice_message", INVALID_CHOICE)
        super().__init__(label, choices=choices, **kwargs)


class MultiChoiceCell(SelectMultipleField):
    def __init__(self, label: str, choices: dict[str, str], **kwargs: Any) -> None:
        kwargs.setdefault("invalid_choice_message", "Valeur inconnue : %(value)s.")
        super().__init__(label, choices=choices, **kwargs)


def _text(value: str | None) -> str:
    return (value or "").strip()


def _optional(value: str | None) -> str | None:
    return (value or "").strip() or None


class RowForm(Form):
    """One table row. A row left blank, or ticked for deletion, is neither validated nor kept."""

    # Fields holding a preset value (a default choice): they do not make a row non-blank.
    PRESET: tuple[str, ...] = ()

    delete = BooleanField("Supprimer")

    def is_blank(self) -> bool:
        for field in self:
            if field.short_name == "delete" or field.short_name in self.PRESET:
                continue
            if _has_content(field):
                return False
        return True

    def is_kept(self) -> bool:
        return not self.delete.data and not self.is_blank()

    def validate(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def]
        if not self.is_kept():
            return True
        return super().validate(extra_validators)

    def values(self) -> dict[str, Any]:
        raise NotImplementedError


class ProfessionalRow(RowForm):
    last_name = StringField("Nom", [required, max_length(120)])
    first_name = StringField("Prénom", [required, max_length(120)])
    profession = ChoiceCell("Profession", BLANK | PROFESSIONS, validators=[required])
    specialty = StringField("Spécialité", [max_length(120)])
    exercise_mode = ChoiceCell("Mode d'exercice", BLANK | EXERCISE_MODES, validators=[required])
    status_in_project = ChoiceCell(
        "Statut dans le projet", BLANK | PROJECT_STATUSES, validators=[required]
    )
    etp = DecimalCell(
        "ETP",
        [required, decimal_range(Decimal(0), Decimal("1.5"), "Entre 0 et 1,5 ETP."), two_places],
    )
    # Required for physicians at submission only: a draft may be saved without it.
    sector = ChoiceCell("Secteur conventionnel", BLANK | SECTORS)
    age_band = ChoiceCell("Tranche d'âge", BLANK | AGE_BANDS)
    msu = BooleanField("Maître de stage universitaire")
    pdsa = BooleanField("Permanence des soins (PDSA)")
    contracts = MultiChoiceCell("Contrats incitatifs", INCENTIVE_CONTRACTS)

    def values(self) -> dict[str, Any]:
        return {
            "last_name": _text(self.last_name.data),
            "first_name": _text(self.first_name.data),
            "profession": self.profession.data,
            "specialty": _optional(self.specialty.data),
            "exercise_mode": self.exercise_mode.data,
            "status_in_project": self.status_in_project.data,
            "etp": self.etp.data,
            "sector": self.sector.data or None,
            "age_band": self.age_band.data or None,
            "msu": bool(self.msu.data),
            "pdsa": bool(self.pdsa.data),
            "contracts": [c for c in INCENTIVE_CONTRACTS if c in (self.contracts.data or [])],
        }


class ObjectiveRow(RowForm):
    objective = StringField("Objectif", [required, max_length(2000)])
    indicator = StringField("Indicateur", [required, max_length(200)])
    baseline = StringField("Valeur de départ", [max_length(60)])
    target = StringField("Cible", [required, max_length(60)])
    year = YearCell("Année", [required, year_range])

    def values(self) -> dict[str, Any]:
        return {
            "objective": _text(self.objective.data),
            "indicator": _text(self.indicator.data),
            "baseline": _optional(self.baseline.data),
            "target": _text(self.target.data),
            "year": self.year.data,
        }


def amount_cell(label: str) -> DecimalCell:
    return DecimalCell(  # type: ignore[return-value]
        label,
        [
            required,
            decimal_range(Decimal(0), MAX_AMOUNT, "Saisissez un montant positif."),
            two_places,
        ],
    )


class OperatingRow(RowForm):
    year_index = ChoiceCell("Année", BLANK | YEAR_INDEXES, validators=[required])
    kind = ChoiceCell("Nature", BLANK | OPERATING_LINE_KINDS, validators=[required])
    category = ChoiceCell("Catégorie", BLANK | OPERATING_CATEGORIES, validators=[required])
    label = StringField("Libellé", [required, max_length(200)])
    amount = amount_cell("Montant (€)")

    def values(self) -> dict[str, Any]:
        return {
            "year_index": int(self.year_index.data),
            "kind": self.kind.data,
            "category": self.category.data,
            "label": _text(self.label.data),
            "amount": self.amount.data,
        }


class CostRow(RowForm):
    aid_type = ChoiceCell("Type d'aide", validators=[required])
    year = YearCell("Année", [required, year_range])
    label = StringField("Libellé", [required, max_length(200)])
    amount = amount_cell("Montant (€)")

    def values(self) -> dict[str, Any]:
        return {
            "aid_type": self.aid_type.data,
            "year": self.year.data,
            "label": _text(self.label.data),
            "amount": self.amount.data,
        }


class ResourceRow(RowForm):
    PRESET = ("status",)

    aid_type = ChoiceCell("Type d'aide", validators=[required])
    kind = ChoiceCell("Nature", BLANK | RESOURCE_KINDS, validators=[required])
    # Checked against the dossier's targeted financers in validate_financer_id.
    financer_id = ChoiceCell("Cofinanceur", validate_choice=False)
    label = StringField("Libellé", [max_length(200)])
    amount = amount_cell("Montant demandé (€)")
    status = ChoiceCell("Statut", RESOURCE_STATUSES, default="requested", validators=[required])

    def validate_financer_id(self, field: Any) -> None:
        if self.kind.data != "financer":
            return
        if not field.data:
            raise ValidationError("Choisissez le cofinanceur.")
        if field.data not in (field.choices or {}):
            raise ValidationError("Ce cofinanceur n'est pas ciblé par le dossier (rubrique A).")

    def values(self) -> dict[str, Any]:
        is_financer = self.kind.data == "financer"
        return {
            "aid_type": self.aid_type.data,
            "kind": self.kind.data,
            "financer_id": int(self.financer_id.data) if is_financer else None,
            "label": _text(self.label.data),
            "amount": self.amount.data,
            "status": self.status.data,
        }


class RowsForm(FlaskForm):
    """A section made of one or more tables; ``lock_version`` detects concurrent changes."""

    LISTS: tuple[str, ...] = ("rows",)

    lock_version = HiddenField()

    def prepare(self, *, aid_types: dict[str, str], financers: dict[str, str]) -> None:
        """Give the row selects the dossier's vocabularies (aid types, targeted financers)."""
        self._aid_types = BLANK | aid_types
        self._financers = BLANK | financers
        for name in self.LISTS:
            for entry in self[name].entries:
                self._configure(entry.form)

    def _configure(self, row: RowForm) -> None:
        if "aid_type" in row:
            row.aid_type.choices = self._aid_types
        if "financer_id" in row:
            row.financer_id.choices = self._financers

    def add_row(self, name: str) -> bool:
        if name not in self.LISTS:
            return False
        self._configure(self[name].append_entry().form)
        return True

    def collect(self) -> dict[str, list[dict[str, Any]]]:
        """Typed values of the kept rows of each table, in the order shown."""
        return {
            name: [e.form.values() for e in self[name].entries if e.form.is_kept()]
            for name in self.LISTS
        }

    def typed_lines(self, name: str, *fields: str) -> list[SimpleNamespace]:
        """Kept rows whose given fields parsed, as plain objects (live totals before saving)."""
        lines = []
        for entry in self[name].entries:
            row = entry.form
            data = {f: row[f].data for f in fields}
            parsed = not any(row[f].process_errors for f in fields)
            if row.is_kept() and parsed and all(v not in (None, "") for v in data.values()):
                lines.append(SimpleNamespace(**data))
        return lines


class ProfessionalsForm(RowsForm):
    rows = FieldList(FormField(ProfessionalRow), label="Professionnels", min_entries=1)


class ObjectivesForm(RowsForm):
    rows = FieldList(FormField(ObjectiveRow), label="Objectifs", min_entries=1)


class OperatingForm(RowsForm):
    rows = FieldList(FormField(OperatingRow), label="Budget de fonctionnement", min_entries=1)


class FinancingForm(RowsForm):
    LISTS = ("costs", "resources")

    costs = FieldList(FormField(CostRow), label="Dépenses", min_entries=1)
    resources = FieldList(FormField(ResourceRow), label="Ressources", min_entries=1)


SECTION_FORMS: dict[str, type[RowsForm]] = {
    "professionals": ProfessionalsForm,
    "objectives": ObjectivesForm,
    "operating": OperatingForm,
    "financing": FinancingForm,
}
