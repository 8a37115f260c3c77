"""Building blocks shared by the section forms: optional draft fields with French messages.

Every field of a section is optional while the dossier is a draft; only the *shape* of what is
typed is checked here (a number, a date, a length that fits the column).
"""

from __future__ import annotations

from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional
from wtforms.widgets import TextInput

from grants.forms.fields import FrenchDecimalField, MultiCheckboxField

EMPTY_CHOICE = SelectChoice("", "— Choisir —")
TEXT_MAX = 5000
INT_MAX = 2_000_000_000
MONEY_MAX = Decimal("999999999999.99")
INVALID_CHOICE = "Choisissez une valeur de la liste."


class FrenchIntegerField(IntegerField):
    """An integer that tolerates thousands separators ('25 000') and explains errors in French.

    Rendered as a text input (numeric keyboard on phones) so that whatever was typed, even
    invalid, is shown back to the user.
    """

    widget = TextInput()

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist:
            return
        raw = valuelist[0] or ""
        cleaned = raw.replace("\u202f", "").replace("\xa0", "").replace(" ", "")
        if cleaned == "":
            self.data = None
            return
        try:
            self.data = int(cleaned)
        except ValueError as exc:
            self.data = None
            raise ValueError("Saisissez un nombre entier, par exemple 12 000.") from exc


def in_range(maximum: int | Decimal, message: str):  # type: ignore[no-untyped-def]
    """Between 0 and ``maximum``; a value that did not parse is already reported elsewhere."""

    def check(_form: object, field) -> None:  # type: ignore[no-untyped-def]
        if field.data is not None and not 0 <= field.data <= maximum:
            raise ValidationError(message)

    return check


def at_most_two_decimals(_form: object, field) -> None:  # type: ignore[no-untyped-def]
    if field.data is not None and field.data != field.data.quantize(Decimal("0.01")):
        raise ValidationError("Saisissez au plus deux chiffres après la virgule.")


def choices(vocabulary: dict[str, str], *, empty: bool = True) -> list[SelectChoice]:
    items = [SelectChoice(code, text) for code, text in vocabulary.items()]
    return [EMPTY_CHOICE, *items] if empty else items


def text(label: str, max_length: int, **kwargs) -> StringField:  # type: ignore[no-untyped-def]
    return StringField(label, validators=[Optional(), _length(max_length)], **kwargs)


def long_text(label: str, **kwargs) -> TextAreaField:  # type: ignore[no-untyped-def]
    return TextAreaField(label, validators=[Optional(), _length(TEXT_MAX)], **kwargs)


def flag(label: str, **kwargs) -> BooleanField:  # type: ignore[no-untyped-def]
    return BooleanField(label, **kwargs)


def select(label: str, vocabulary: dict[str, str], **kwargs) -> SelectField:  # type: ignore[no-untyped-def]
    return SelectField(
        label,
        choices=choices(vocabulary),
        validators=[Optional()],
        invalid_choice_message=INVALID_CHOICE,
        **kwargs,
    )


def checkboxes(label: str, vocabulary: dict[str, str], **kwargs) -> MultiCheckboxField:  # type: ignore[no-untyped-def]
    return MultiCheckboxField(
        label,
        choices=choices(vocabulary, empty=False),
        invalid_choice_message="Une des cases cochées n'est pas proposée.",
        **kwargs,
    )


def day(label: str, **kwargs) -> DateField:  # type: ignore[no-untyped-def]
    return DateField(
        label,
        format=["%Y-%m-%d", "%d/%m/%Y"],
        validators=[Optional()],
        invalid_value_message="Saisissez une date valide, par exemple 15/03/2025.",
        **kwargs,
    )


def whole(label: str, *, maximum: int = INT_MAX, **kwargs) -> FrenchIntegerField:  # type: ignore[no-untyped-def]
    kwargs.setdefault("render_kw", {"inputmode": "numeric"})
    return FrenchIntegerField(
        label,
        validators=[
            Optional(),
            in_range(maximum, f"Saisissez un nombre entre 0 et {maximum}."),
        ],
        **kwargs,
    )


def decimal(label: str, *, maximum: Decimal, **kwargs) -> FrenchDecimalField:  # type: ignore[no-untyped-def]
    # A text input: browsers refuse "1 234,56" in <input type=number> and blank invalid values.
    kwargs.setdefault("render_kw", {"inputmode": "decimal"})
    return FrenchDecimalField(
        label,
        widget=TextInput(),
        validators=[
            Optional(),
            in_range(maximum, "Saisissez un nombre positif dans les limites du champ."),
            at_most_two_decimals,
        ],
        **kwargs,
    )


def money(label: str, **kwargs) -> FrenchDecimalField:  # type: ignore[no-untyped-def]
    kwargs.setdefault("description", "En euros, par exemple 1 234,56.")
    return decimal(label, maximum=MONEY_MAX, **kwargs)


def _length(max_length: int) -> Length:
    return Length(max=max_length, message=f"{max_length} caractères au maximum.")


class SectionForm(FlaskForm):
    """Base of every section form: the optimistic-lock version travels with the form."""

    lock_version = HiddenField()

    def column_data(self) -> dict[str, object]:
        """The values of the fields that are dossier columns (field name = column name)."""
        skip = {"csrf_token", "lock_version", *getattr(self, "EXTRA_FIELDS", ())}
        return {name: f.data for name, f in self._fields.items() if name not in skip}
