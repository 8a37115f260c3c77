"""Jinja filters and globals: French money, numbers and dates, vocabulary labels."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal
from flask import Flask

from grants.models import choices

LOCALE = "fr_FR"


def money(value: Decimal | int | None) -> str:
    """1234567.89 → '1 234 567,89 €' (French grouping, narrow no-break spaces)."""
    if value is None:
        return "—"
    return format_currency(Decimal(value), "EUR", locale=LOCALE)


def number(value: Decimal | int | float | None, digits: int = 2) -> str:
    if value is None:
        return "—"
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=LOCALE)


def french_date(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return format_datetime(value, "d MMMM y 'à' HH:mm", tzinfo="Europe/Paris", locale=LOCALE)
    return format_date(value, "d MMMM y", locale=LOCALE)


def label(code: str | None, vocabulary: str) -> str:
    if not code:
        return "—"
    return getattr(choices, vocabulary).get(code, code)


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(money=money, number=number, fdate=french_date, label=label)
    app.jinja_env.globals.update(choices=choices, flatten_errors=flatten_errors)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True


def flatten_errors(field):  # type: ignore[no-untyped-def]
    """(field id, message) pairs for every error inside a FieldList / FormField."""
    pairs: list[tuple[str, str]] = []
    if field.type == "FieldList":
        for index, entry in enumerate(field.entries, start=1):
            for item_id, message in flatten_errors(entry):
                pairs.append((item_id, f"{field.label.text}, ligne {index} — {message}"))
    elif field.type == "FormField":
        for sub in field.form:
            for message in sub.errors if sub.type not in ("FieldList", "FormField") else []:
                pairs.append((sub.id, f"{sub.label.text} : {message}"))
    else:
        pairs.extend((field.id, str(message)) for message in field.errors)
    return pairs
