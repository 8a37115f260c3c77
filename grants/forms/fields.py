"""Fields for French input: decimals with a comma and spaces, multiple checkboxes, SIRET."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from wtforms import DecimalField, SelectMultipleField, ValidationError, widgets


class FrenchDecimalField(DecimalField):
    """Accepts '1 234,56', '1234.56' and '1 234,56 €'; displays with a comma."""

    def __init__(self, *args, places: int = 2, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, places=places, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist:
            return
        raw = valuelist[0] or ""
        cleaned = raw.replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace("€", "")
        cleaned = cleaned.replace(",", ".")
        self.raw_data = [raw]
        if cleaned == "":
            self.data = None
            return
        try:
            self.data = Decimal(cleaned)
        except InvalidOperation as exc:
            self.data = None
            raise ValueError("Saisissez un nombre, par exemple 1 234,56.") from exc
        if not self.data.is_finite():
            self.data = None
            raise ValueError("Saisissez un nombre, par exemple 1 234,56.")

    def _value(self) -> str:
        if self.raw_data is not None and self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return format(self.data, "f").replace(".", ",")


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


# La Poste's SIREN does not follow the Luhn key; its establishments follow a digit-sum rule.
LA_POSTE_SIREN = "356000000"


def siret_valid(siret: str) -> bool:
    if len(siret) != 14 or not siret.isdigit():
        return False
    if siret.startswith(LA_POSTE_SIREN):
        return sum(int(c) for c in siret) % 5 == 0
    return luhn_valid(siret) and luhn_valid(siret[:9])


def normalise_siret(value: str | None) -> str:
    return "".join((value or "").split())


def validate_siret(_form: object, field) -> None:  # type: ignore[no-untyped-def]
    value = normalise_siret(field.data)
    if not value:
        return
    if len(value) != 14 or not value.isdigit():
        raise ValidationError("Le SIRET comporte 14 chiffres.")
    if not siret_valid(value):
        raise ValidationError("Ce numéro SIRET n'est pas valide (clé de contrôle incorrecte).")
    field.data = value


def optional_int(value: object) -> int | None:
    """A select's coercion for an optional id: blank or not a number reads as none."""
    if value in (None, ""):
        return None
    try:
        return int(str(value))
    except ValueError:
        return None
