"""French formatting of amounts and numbers matches Babel's fr_FR output exactly."""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel.numbers import format_currency, format_decimal

from grants.templating import money, number

VALUES = [
    "0",
    "0.004",
    "1",
    "12.345",
    "12.355",
    "999.995",
    "1234.5",
    "-1234.5",
    "1234567.89",
    "55000000",
    "0.1",
    "100000000000.99",
]


@pytest.mark.parametrize("raw", VALUES)
def test_money_matches_babel(raw):
    value = Decimal(raw)
    assert money(value) == format_currency(value, "EUR", locale="fr_FR")


@pytest.mark.parametrize("raw", VALUES)
@pytest.mark.parametrize("digits", [0, 1, 2])
def test_number_matches_babel(raw, digits):
    value = Decimal(raw)
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    assert number(value, digits) == format_decimal(value, format=pattern, locale="fr_FR")


def test_none_is_a_dash():
    assert money(None) == "—" and number(None) == "—"


def test_the_issue_example():
    assert money(Decimal("1234567.89")) == "1\u202f234\u202f567,89\xa0€"


def test_negative_zero_is_shown_as_zero():
    """Babel writes '-0,00 €' for -0.004; a rounded zero has no sign."""
    assert money(Decimal("-0.004")) == "0,00\xa0€"
    assert number(Decimal("-0.004"), 0) == "0"
