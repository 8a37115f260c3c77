"""The instructor's request for documents or clarifications: items, reasons, message, due date."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from grants.forms.fields import MultiCheckboxField

REASON_MAX = 500


class DocumentRequestForm(FlaskForm):
    """Built per dossier by ``build_request_form``: one reason field per requestable item."""

    lock_version = HiddenField()
    sections = MultiCheckboxField("Rubriques à compléter ou à préciser", choices=[])
    pieces = MultiCheckboxField("Pièces à fournir", choices=[])
    message = TextAreaField(
        "Message au porteur",
        validators=[Optional(), Length(max=5000, message="5 000 caractères au maximum.")],
        description="Facultatif : ce que vous attendez, en quelques phrases.",
    )
    due_on = DateField(
        "Date limite de réponse",
        validators=[InputRequired(message="Indiquez la date limite de réponse (jj/mm/aaaa).")],
        description="Par défaut dans quinze jours. Le délai d'instruction est suspendu jusque-là.",
    )
    financer_id = SelectField(
        "Au nom de",
        coerce=int,
        validators=[InputRequired(message="Choisissez le cofinanceur au nom duquel vous écrivez.")],
    )

    today: date = date.min
    item_fields: list[tuple[str, str, str]] = []  # (kind, code, reason field name)

    def validate_due_on(self, field: DateField) -> None:
        if field.data is not None and field.data <= self.today:
            raise ValidationError("La date limite doit être postérieure à aujourd'hui.")

    def validate(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def]
        valid = super().validate(extra_validators)
        if not (self.sections.data or self.pieces.data):
            self.sections.errors = [
                *self.sections.errors,
                "Cochez au moins une rubrique ou une pièce à compléter.",
            ]
            valid = False
        return valid

    def reason_field(self, kind: str, code: str) -> StringField:
        return self[f"reason_{kind}_{code}"]  # type: ignore[return-value]

    def reasons(self) -> dict[str, str]:
        return {f"{kind}:{code}": self[name].data or "" for kind, code, name in self.item_fields}


def build_request_form(
    *,
    sections: list[tuple[str, str]],
    pieces: list[tuple[str, str]],
    financers: list[tuple[int, str]],
    today: date,
    **kwargs: object,
) -> DocumentRequestForm:
    """A form class with one optional reason per (section | piece), instantiated."""
    attrs: dict[str, object] = {"today": today, "item_fields": []}
    for kind, choices in (("section", sections), ("piece", pieces)):
        for code, label in choices:
            name = f"reason_{kind}_{code}"
            attrs[name] = StringField(
                f"Motif — {label}",
                validators=[
                    Optional(),
                    Length(max=REASON_MAX, message=f"{REASON_MAX} caractères au maximum."),
                ],
            )
            attrs["item_fields"].append((kind, code, name))  # type: ignore[attr-defined]
    form_class = type("BoundDocumentRequestForm", (DocumentRequestForm,), attrs)
    form: DocumentRequestForm = form_class(**kwargs)
    form.sections.choices = sections
    form.pieces.choices = pieces
    form.financer_id.choices = financers
    return form
