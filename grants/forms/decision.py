"""A financer's decision act: outcome, amounts per aid type asked, conditions, motivation, the
act's reference and date, the signatory. Shape only: ``services.decisions.validate`` judges."""

from __future__ import annotations

from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from grants.models.choices import DECISION_OUTCOMES


class DecisionForm(FlaskForm):
    """Built per track by ``build_decision_form``: one amount field per aid type asked."""

    lock_version = HiddenField()
    outcome = RadioField(
        "Décision",
        choices=[SelectChoice(code, label) for code, label in DECISION_OUTCOMES.items()],
        validators=[InputRequired(message="Choisissez la décision.")],
    )
    conditions = TextAreaField(
        "Conditions",
        description="Conditions suspensives ou particulières ; pour un ajournement, les éléments "
        "attendus. Reprises dans la lettre de notification.",
    )
    motivation = TextAreaField(
        "Motivation",
        description="Obligatoire pour un refus ; conseillée pour un accord partiel ou un "
        "ajournement.",
    )
    act_reference = StringField(
        "Référence de l'acte de décision",
        description="Par exemple : décision DG ARS n° 2026-123, délibération CP 2026-45.",
    )
    act_date = DateField(
        "Date de l'acte",
        validators=[InputRequired(message="Indiquez la date de l'acte (jj/mm/aaaa).")],
    )
    signatory = StringField(
        "Signataire",
        description="Nom et qualité, par exemple : Mme Anne Dupont, directrice générale.",
    )

    amount_fields: list[tuple[str, str]] = []  # (aid type, field name)

    def amounts(self) -> dict[str, str]:
        return {code: self[name].data or "" for code, name in self.amount_fields}

    def amount_field(self, code: str) -> StringField:
        return self[f"amount_{code}"]  # type: ignore[return-value]


def build_decision_form(
    aid_types: list[tuple[str, str]],
    defaults: dict[str, Decimal] | None = None,
    **kwargs: object,
) -> DecisionForm:
    """A form class with one amount per aid type (label), instantiated with ``kwargs``."""
    attrs: dict[str, object] = {"amount_fields": []}
    for code, label in aid_types:
        attrs[f"amount_{code}"] = StringField(f"Montant accordé — {label} (€)")
        attrs["amount_fields"].append((code, f"amount_{code}"))  # type: ignore[attr-defined]
    form_class = type("BoundDecisionForm", (DecisionForm,), attrs)
    form: DecisionForm = form_class(**kwargs)
    if defaults and not form.is_submitted():
        for code, name in form.amount_fields:
            if code in defaults and not form[name].data:
                form[name].data = f"{defaults[code]:.2f}".replace(".", ",")
    return form
