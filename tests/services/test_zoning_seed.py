"""The shipped zoning lists (DOMAIN §6.5-6.6): counts, matched communes, the unmatched report."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import select

from grants.extensions import db
from grants.models.zoning import ZoningScheme, ZoningUnit
from grants.services.zoning import zoning_for
from grants.services.zoning_seed import REPORT_PATH, load_specs, render_report, seed_zoning


def _scheme(code: str) -> ZoningScheme:
    scheme = db.session.scalar(select(ZoningScheme).where(ZoningScheme.code == code))
    assert scheme is not None, code
    return scheme


def _unit(code: str, name: str) -> ZoningUnit:
    return next(u for u in _scheme(code).units if u.name == name)


def test_the_2015_lists_give_29_deficit_and_73_fragile_units(app):
    counts = Counter(u.category for u in _scheme("idf_2015").units)
    # The text claims 74 fragile territories; its lists name 73 (DOMAIN §6.10 #1).
    assert counts == {"deficitaire": 29, "fragile": 73}
    types = Counter(u.unit_type for u in _scheme("idf_2015").units)
    assert types["grand_quartier"] == 13


def test_schemes_carry_their_legal_reference_and_dates(app):
    old, new, zip_zac = _scheme("idf_2012"), _scheme("idf_2015"), _scheme("idf_zip_zac")
    assert "12-209" in old.legal_reference and old.valid_from == date(2012, 5, 25)
    assert old.valid_to is not None and old.valid_to < new.valid_from == date(2015, 3, 1)
    assert "mars 2015" in new.legal_reference and new.valid_to is None
    assert zip_zac.units == []


def test_known_communes_are_matched_through_the_commune_reference(app):
    on_2013, on_2016 = date(2013, 6, 1), date(2016, 6, 1)
    grigny = zoning_for("91286", on_2016)
    assert grigny is not None and grigny.category == "deficitaire"
    assert grigny.scheme.code == "idf_2015" and grigny.unit is not None
    assert grigny.unit.name == "Grigny" and not grigny.unit.partial
    orly = "94054"
    assert zoning_for(orly, on_2016).category == "deficitaire"  # type: ignore[union-attr]
    old = zoning_for(orly, on_2013)
    assert old is not None and old.scheme.code == "idf_2012" and old.category == "none"
    goussainville = "95280"
    assert zoning_for(goussainville, on_2013).category == "deficitaire"  # type: ignore[union-attr]
    assert zoning_for(goussainville, on_2016).category == "fragile"  # type: ignore[union-attr]
    gennevilliers = "92036"
    assert zoning_for(gennevilliers, on_2013).category == "deficitaire"  # type: ignore[union-attr]
    assert zoning_for(gennevilliers, on_2016).category == "none"  # type: ignore[union-attr]
    assert zoning_for("91286", date(2010, 1, 1)) is None


def test_groupings_aliases_and_partial_units(app):
    def codes(code: str, name: str) -> set[str]:
        return {m.insee_code for m in _unit(code, name).communes}

    assert codes("idf_2015", "Clichy et Montfermeil") == {"93014", "93047"}  # Clichy-sous-Bois
    assert codes("idf_2015", "Saint-Denis et L’Ile-St-Denis") == {"93066", "93039"}
    assert codes("idf_2015", "L'Hay-les-Roses") == {"94038"}
    assert codes("idf_2012", "Clichy") == {"93014"}  # not Clichy (92)
    canton = _unit("idf_2015", "Nangis")
    assert canton.unit_type == "pseudo_canton" and canton.partial
    assert codes("idf_2015", "Nangis") == {"77327"}  # the chef-lieu only
    quartier = _unit("idf_2015", "Epinettes")
    assert quartier.unit_type == "grand_quartier" and quartier.partial and not quartier.communes
    assert _unit("idf_2015", "Corbeil-Essonnes").partial  # "regroupé": composition unknown
    assert not _unit("idf_2015", "Chevilly-Larue et Rungis").partial


def test_unmatched_names_are_reported_not_guessed(app):
    report = seed_zoning()
    assert report.created == []  # already seeded: nothing created twice
    names = {(u.scheme_code, u.name) for u in report.unmatched}
    assert ("idf_2015", "Saint-Ouen") in names
    assert ("idf_2015", "Herblay") in names
    assert ("idf_2015", "Moret-sur-Loing") in names
    assert ("idf_2012", "Trappe") in names
    saint_ouen = _unit("idf_2015", "Saint-Ouen")
    assert saint_ouen.communes == [] and saint_ouen.partial
    hint = next(u for u in report.unmatched if u.name == "Saint-Ouen")
    assert hint.hints == ("Saint-Ouen-sur-Seine (93070)",)
    # The shipped document is the report of the shipped data.
    assert REPORT_PATH.read_text(encoding="utf-8") == render_report(report)


def test_every_seed_row_names_its_source_lines(app):
    for spec in load_specs():
        for unit in spec.units:
            assert unit.source.startswith("002:"), unit
