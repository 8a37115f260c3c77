"""Section forms: French numbers and dates, draft-optional fields, shape errors in French."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from werkzeug.datastructures import MultiDict

from grants.forms.sections import SECTION_FORMS
from grants.forms.sections.project import HealthProjectForm
from grants.forms.sections.real_estate import RealEstateForm
from grants.forms.sections.scope import IdentityForm, PromoterForm
from grants.services.sections import SECTION_COLUMNS


def make(app, form_class, data):  # type: ignore[no-untyped-def]
    with app.test_request_context(method="POST"):
        form = form_class(formdata=MultiDict(data), meta={"csrf": False})
        form.validate()
        return form


@pytest.mark.parametrize("code", sorted(SECTION_FORMS))
def test_form_fields_are_the_section_columns(app, code):
    with app.test_request_context():
        form = SECTION_FORMS[code](meta={"csrf": False})
        assert set(form.column_data()) == set(SECTION_COLUMNS[code])


@pytest.mark.parametrize("code", sorted(SECTION_FORMS))
def test_an_empty_form_is_a_valid_draft(app, code):
    form = make(app, SECTION_FORMS[code], {})
    if code == "identity":
        form.financer_ids.choices = []
    assert form.errors == {}


def test_french_numbers_and_dates(app):
    form = make(
        app,
        RealEstateForm,
        {
            "surface_m2": "1 250,5",
            "cost_works": "1\u202f234\u202f567,89 €",
            "cost_land": "10.5",
            "consulting_rooms": "1 200",
            "permit_date": "01/02/2025",
            "opening_date": "2026-09-30",
        },
    )
    assert form.errors == {}
    assert form.surface_m2.data == Decimal("1250.5")
    assert form.cost_works.data == Decimal("1234567.89")
    assert form.consulting_rooms.data == 1200
    assert (form.permit_date.data, form.opening_date.data) == (date(2025, 2, 1), date(2026, 9, 30))
    assert form.cost_total() == Decimal("1234578.39")


def test_shape_errors_are_in_french(app):
    form = make(
        app,
        RealEstateForm,
        {
            "cost_works": "-5",
            "cost_land": "1,234",
            "surface_m2": "abc",
            "commitment_years": "200",
            "delivery_date": "demain",
            "operation_type": "castle",
        },
    )
    assert form.errors == {
        "cost_works": ["Saisissez un nombre positif dans les limites du champ."],
        "cost_land": ["Saisissez au plus deux chiffres après la virgule."],
        "surface_m2": ["Saisissez un nombre, par exemple 1 234,56."],
        "commitment_years": ["Saisissez un nombre entre 0 et 99."],
        "delivery_date": ["Saisissez une date valide, par exemple 15/03/2025."],
        "operation_type": ["Choisissez une valeur de la liste."],
    }


def test_percentage_is_bounded(app):
    assert make(app, HealthProjectForm, {"regulated_fee_share": "100"}).errors == {}
    assert (
        "regulated_fee_share"
        in make(app, HealthProjectForm, {"regulated_fee_share": "100,5"}).errors
    )


def test_siret_is_checked_and_normalised(app):
    form = make(app, PromoterForm, {"owner_siret": "732 829 320 00074"})
    assert form.errors == {} and form.owner_siret.data == "73282932000074"
    assert make(app, PromoterForm, {"owner_siret": "123"}).errors == {
        "owner_siret": ["Le SIRET comporte 14 chiffres."]
    }


def test_text_longer_than_the_column_is_refused(app):
    form = make(app, IdentityForm, {"title": "x" * 201})
    assert form.errors["title"] == ["200 caractères au maximum."]


def test_selects_start_with_an_empty_choice(app):
    with app.test_request_context():
        form = IdentityForm(meta={"csrf": False})
        first = next(iter(form.structure_type))
        assert (first.data, first.label.text) == ("", "— Choisir —")
