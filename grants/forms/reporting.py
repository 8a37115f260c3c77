"""Forms of the monitoring: the promoter's report (built per period, one field per typed
indicator), an arrival and a departure in the register, the délégation's return, the monitor's
dialogue and suspension. Shape only: completeness is ``services.reporting_reports``' business."""

from __future__ import annotations

from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import TextInput

from grants.forms.fields import FrenchDecimalField
from grants.forms.sections.common import choices, decimal, flag, in_range, long_text, whole
from grants.forms.worklist import FrenchDateField
from grants.models import AgreementIndicator, ReportingPeriod
from grants.models.choices import PROFESSIONS
from grants.services.reporting_reports import ReportInput, typed_indicators

RENT_MAX = Decimal("100000")
VALUE_MAX = Decimal("999999999")
OBJECTIVES_MAX = 1000
TOO_LONG = "120 caractères au maximum."


class ReportForm(FlaskForm):
    lock_version = HiddenField()
    rent_m2_year = decimal(
        "Loyer appliqué aux professionnels de santé (€/m²/an, hors charges)",
        maximum=RENT_MAX,
        description="Le loyer moyen facturé pendant l'année, par exemple 135,50.",
    )
    objectives_due = whole("Objectifs du projet de santé dus cette année", maximum=OBJECTIVES_MAX)
    objectives_met = whole("Dont objectifs atteints", maximum=OBJECTIVES_MAX)
    comments = long_text(
        "Commentaires",
        description="Faits marquants de la période, difficultés, actions prévues.",
    )

    indicator_fields: list[tuple[AgreementIndicator, str]] = []

    def to_input(self) -> ReportInput:
        return ReportInput(
            rent_m2_year=self.rent_m2_year.data,
            objectives_due=self.objectives_due.data,
            objectives_met=self.objectives_met.data,
            comments=self.comments.data or "",
            values={ind.code: self[name].data for ind, name in self.indicator_fields},
        )


def build_report_form(period: ReportingPeriod, **kwargs: object) -> ReportForm:
    """A form class with one decimal field per indicator the promoter types."""
    attrs: dict[str, object] = {"indicator_fields": []}
    for indicator in typed_indicators(period):
        name = f"ind_{indicator.code}"
        unit = f" ({indicator.unit})" if indicator.unit else ""
        target = (indicator.targets or {}).get(period.label)
        attrs[name] = decimal(
            f"{indicator.code} — {indicator.label}{unit}",
            maximum=VALUE_MAX,
            description=f"Cible {period.label} : {target}" if target else None,
        )
        attrs["indicator_fields"].append((indicator, name))  # type: ignore[attr-defined]
    form_class = type("BoundReportForm", (ReportForm,), attrs)
    form: ReportForm = form_class(**kwargs)
    return form


def report_form_data(period: ReportingPeriod) -> dict[str, object]:
    values = {v.code: v.value for v in period.values}
    data: dict[str, object] = {
        "lock_version": period.lock_version,
        "rent_m2_year": period.rent_m2_year,
        "objectives_due": period.objectives_due,
        "objectives_met": period.objectives_met,
        "comments": period.comments,
    }
    for indicator in typed_indicators(period):
        data[f"ind_{indicator.code}"] = values.get(indicator.code)
    return data


class ArrivalForm(FlaskForm):
    last_name = StringField(
        "Nom", validators=[InputRequired("Indiquez le nom."), Length(max=120, message=TOO_LONG)]
    )
    first_name = StringField(
        "Prénom",
        validators=[InputRequired("Indiquez le prénom."), Length(max=120, message=TOO_LONG)],
    )
    profession = SelectField(
        "Profession",
        choices=choices(PROFESSIONS),
        validators=[InputRequired("Choisissez la profession.")],
        invalid_choice_message="Choisissez la profession dans la liste.",
    )
    etp = FrenchDecimalField(
        "Temps de présence (ETP)",
        widget=TextInput(),
        description="1 pour un temps plein, 0,5 pour un mi-temps.",
        validators=[
            InputRequired("Indiquez l'ETP."),
            in_range(Decimal("1.5"), "L'ETP doit être compris entre 0,01 et 1,5."),
        ],
        render_kw={"inputmode": "decimal"},
    )
    arrived_on = FrenchDateField(
        "Date d'arrivée", validators=[InputRequired("Indiquez la date d'arrivée.")]
    )
    newly_installed = flag("Première installation (nouvellement installé)")


class DepartureForm(FlaskForm):
    left_on = FrenchDateField(
        "Date de départ", validators=[InputRequired("Indiquez la date de départ.")]
    )


class ReturnForm(FlaskForm):
    lock_version = HiddenField()
    reason = TextAreaField(
        "Ce que le porteur doit corriger ou compléter",
        validators=[InputRequired("Indiquez au porteur ce qu'il doit corriger ou compléter.")],
    )


class ValidateForm(FlaskForm):
    lock_version = HiddenField()


class DialogueForm(FlaskForm):
    subject = StringField(
        "Objet du dialogue de gestion",
        validators=[InputRequired("Indiquez l'objet du dialogue de gestion."), Length(max=300)],
    )
    notes = TextAreaField("Notes", validators=[Optional()])


class CloseDialogueForm(FlaskForm):
    outcome = TextAreaField(
        "Issue du dialogue",
        validators=[InputRequired("Indiquez l'issue du dialogue de gestion.")],
    )


class SuspendForm(FlaskForm):
    reason = TextAreaField(
        "Motif de la suspension",
        validators=[InputRequired("Indiquez le motif de la suspension.")],
    )
