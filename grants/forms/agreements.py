"""Forms of the agreements' pages (input shape only; ``services.agreement_terms`` judges): the
negotiable parts of a draft or of an amendment, the promoter's signature, the countersignature
and simple reason forms, the termination and the structure's opening date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from grants.forms.sections.common import MONEY_MAX, FrenchIntegerField, decimal
from grants.services.agreement_indicators import CATALOGUE
from grants.services.agreement_terms import IndicatorTerm, Terms

DATE_REQUIRED = "Indiquez une date (jj/mm/aaaa)."
VALUE_MAX = Decimal("999999999999.99")


class IndicatorRowForm(Form):
    """One indicator: its baseline and one target per calendar year of the agreement."""

    code = HiddenField()
    remove = BooleanField("Retirer cet indicateur")
    baseline = decimal("Valeur de référence", maximum=VALUE_MAX)
    targets = FieldList(decimal("Cible", maximum=VALUE_MAX))


class TermsForm(FlaskForm):
    lock_version = HiddenField()
    years = HiddenField()  # the calendar years the targets were shown for: "2027,2028,…"
    starts_on = DateField("Date de début", validators=[InputRequired(message=DATE_REQUIRED)])
    ends_on = DateField(
        "Date de fin",
        validators=[InputRequired(message=DATE_REQUIRED)],
        description="Cinq ans au plus après la date de début.",
    )
    min_physicians = FrenchIntegerField(
        "Nombre minimal de médecins sur le site (article 4.1)", validators=[Optional()]
    )
    min_physician_etp = decimal("Équivalents temps plein médicaux minimum", maximum=Decimal(300))
    rent_ceiling_m2_year = decimal(
        "Plafond de loyer hors charges, en € par m² et par an (article 4.2)", maximum=MONEY_MAX
    )
    commitments_survive_years = FrenchIntegerField(
        "Maintien des engagements 4.1 et 4.2 après le terme (années)", validators=[Optional()]
    )
    financer_signatory = StringField(
        "Signataire pour le financeur",
        validators=[Length(max=200)],
        description="Nom et qualité, par exemple : Mme Anne Dupont, directrice générale.",
    )
    promoter_signatory = StringField("Signataire pour la structure", validators=[Length(max=200)])
    specific_clauses = TextAreaField(
        "Clauses particulières",
        validators=[Length(max=5000)],
        description="Une clause par ligne ; elles figurent à la fin du contrat.",
    )
    indicators = FieldList(FormField(IndicatorRowForm))
    add_indicator = SelectField("Ajouter un indicateur du catalogue", validate_choice=False)
    schedule = FieldList(DateField("Date prévue", validators=[Optional()]))

    def shown_years(self) -> list[str]:
        return [y for y in (self.years.data or "").split(",") if y.strip()]


class AmendmentForm(TermsForm):
    reason = TextAreaField(
        "Motif de l'avenant",
        validators=[InputRequired(message="Indiquez le motif de l'avenant."), Length(max=5000)],
        description="Repris en tête de l'avenant et dans l'historique du contrat.",
    )


def catalogue_choices(present: set[str]) -> list[SelectChoice]:
    return [SelectChoice("", "— Aucun —")] + [
        SelectChoice(code, f"{code} — {d.label}")
        for code, d in CATALOGUE.items()
        if code not in present
    ]


def form_data(terms: Terms, lock_version: int) -> dict[str, Any]:
    """The form's initial data for ``terms``."""
    years = [str(y) for y in terms.years]
    return {
        "lock_version": str(lock_version),
        "years": ",".join(years),
        "starts_on": terms.starts_on,
        "ends_on": terms.ends_on,
        "min_physicians": terms.min_physicians,
        "min_physician_etp": terms.min_physician_etp,
        "rent_ceiling_m2_year": terms.rent_ceiling_m2_year,
        "commitments_survive_years": terms.commitments_survive_years,
        "financer_signatory": terms.financer_signatory,
        "promoter_signatory": terms.promoter_signatory,
        "specific_clauses": terms.specific_clauses,
        "indicators": [
            {
                "code": i.code,
                "remove": False,
                "baseline": i.baseline,
                "targets": [i.targets.get(y) for y in years],
            }
            for i in terms.indicators
        ],
        "schedule": list(terms.schedule),
    }


def read_terms(form: TermsForm, schedule_length: int) -> Terms:
    """The terms typed in ``form`` (dates parsed; targets for years not shown repeat the last
    target shown, so moving the end date keeps every year covered)."""
    starts_on: date = form.starts_on.data
    ends_on: date = form.ends_on.data
    shown = form.shown_years()
    years = (
        [str(y) for y in range(starts_on.year, ends_on.year + 1)] if ends_on >= starts_on else []
    )
    indicators = []
    for row in form.indicators:
        if row.form.remove.data or row.form.code.data not in CATALOGUE:
            continue
        typed = dict(zip(shown, [t.data for t in row.form.targets], strict=False))
        indicators.append(
            IndicatorTerm(
                code=row.form.code.data,
                baseline=row.form.baseline.data,
                targets=_cover(typed, years),
            )
        )
    return Terms(
        starts_on=starts_on,
        ends_on=ends_on,
        min_physicians=form.min_physicians.data,
        min_physician_etp=form.min_physician_etp.data,
        rent_ceiling_m2_year=form.rent_ceiling_m2_year.data,
        commitments_survive_years=form.commitments_survive_years.data,
        specific_clauses=(form.specific_clauses.data or "").strip(),
        financer_signatory=(form.financer_signatory.data or "").strip(),
        promoter_signatory=(form.promoter_signatory.data or "").strip(),
        indicators=indicators,
        schedule=[entry.data for entry in form.schedule][:schedule_length],
    )


def _cover(typed: dict[str, Decimal | None], years: list[str]) -> dict[str, Decimal | None]:
    covered: dict[str, Decimal | None] = {}
    last: Decimal | None = None
    for year in years:
        value = typed.get(year, last)
        covered[year] = value
        if value is not None:
            last = value
    return covered


class SignatureForm(FlaskForm):
    lock_version = HiddenField()
    method = RadioField(
        "Comment signez-vous ?",
        choices=[
            SelectChoice("typed", "Je signe dans l'application (nom saisi et confirmation)"),
            SelectChoice("upload", "Je dépose la copie signée (PDF)"),
        ],
        validators=[InputRequired(message="Choisissez comment signer.")],
    )
    typed_name = StringField("Vos nom et prénom", validators=[Length(max=200)])
    confirm = BooleanField(
        "J'ai lu le document et je le signe au nom de l'organisation porteuse, que je suis "
        "habilité(e) à engager."
    )
    signed_copy = FileField("Copie signée (PDF)")


class ReasonForm(FlaskForm):
    lock_version = HiddenField()
    reason = TextAreaField(
        "Motif", validators=[InputRequired(message="Indiquez le motif."), Length(max=5000)]
    )


class TerminationForm(ReasonForm):
    terminated_on = DateField(
        "Date d'effet de la résiliation",
        validators=[InputRequired(message=DATE_REQUIRED)],
        description="Le reversement est calculé au prorata du temps restant à courir à cette date.",
    )


class OpeningForm(FlaskForm):
    lock_version = HiddenField()
    opening_date = DateField(
        "Date d'ouverture de la structure", validators=[InputRequired(message=DATE_REQUIRED)]
    )
