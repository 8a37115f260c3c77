"""Zoning recorded at submission: frozen per commune and scheme, stable after a new version."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from grants.extensions import db
from grants.models.zoning import DossierZoning
from grants.services.submission import submit_dossier
from grants.services.zoning import (
    current_zoning,
    record_dossier_zoning,
    schemes_in_force,
    zoning_comparison,
)
from grants.services.zoning_import import SchemeData, import_zoning
from tests.helpers.complete_dossier import make_complete_dossier

GRIGNY, SOUPPES = "91286", "77458"


def _submitted(promoter, codes=(GRIGNY, SOUPPES)):  # type: ignore[no-untyped-def]
    dossier = make_complete_dossier(promoter, commune_codes=codes)
    submit_dossier(dossier, actor=promoter, expected_lock_version=dossier.lock_version)
    db.session.flush()
    return dossier


def _recorded(dossier) -> dict[str, str]:  # type: ignore[no-untyped-def]
    rows = db.session.scalars(select(DossierZoning).where(DossierZoning.dossier_id == dossier.id))
    return {row.insee_code: row.category for row in rows}


def _new_version(categories: dict[str, str], valid_from: date = date(2024, 1, 1)) -> None:
    content = "code_insee;categorie\n" + "".join(f"{c};{k}\n" for c, k in categories.items())
    import_zoning(
        SchemeData("idf_test", "Zonage de test", "Arrêté de test", valid_from),
        content.encode(),
        actor=None,
    )


def test_the_empty_zip_zac_scheme_is_never_in_force(app):
    assert schemes_in_force(date(2025, 1, 1))["physician"].code == "idf_2015"


def test_submission_records_the_zoning_of_each_commune(promoter):
    dossier = _submitted(promoter)
    assert _recorded(dossier) == {GRIGNY: "deficitaire", SOUPPES: "none"}
    row = db.session.scalar(
        select(DossierZoning).where(
            DossierZoning.dossier_id == dossier.id, DossierZoning.insee_code == GRIGNY
        )
    )
    assert row.scheme.code == "idf_2015" and row.unit.name == "Grigny"
    assert row.version_number == 1


def test_a_new_zoning_version_never_changes_a_submitted_dossier(promoter):
    dossier = _submitted(promoter)
    _new_version({GRIGNY: "zip", SOUPPES: "zac"})
    assert _recorded(dossier) == {GRIGNY: "deficitaire", SOUPPES: "none"}
    # Recording again (e.g. a later filing) changes nothing: the zoning is frozen once.
    assert record_dossier_zoning(dossier, dossier.submitted_at) == []
    assert _recorded(dossier) == {GRIGNY: "deficitaire", SOUPPES: "none"}
    now = current_zoning(dossier)
    assert [a.category for a in now[GRIGNY]] == ["zip"]
    assert [a.scheme.code for a in now[SOUPPES]] == ["idf_test"]
    rows = {row.commune.insee_code: row for row in zoning_comparison(dossier)}
    assert rows[GRIGNY].changed and rows[SOUPPES].changed
    assert [r.category for r in rows[GRIGNY].recorded] == ["deficitaire"]


def test_a_future_version_does_not_apply_yet(promoter):
    dossier = _submitted(promoter)
    _new_version({GRIGNY: "zip"}, valid_from=date(2099, 1, 1))
    assert [a.category for a in current_zoning(dossier)[GRIGNY]] == ["deficitaire"]
    rows = zoning_comparison(dossier)
    assert not any(row.changed for row in rows)


def test_the_instructor_partial_shows_recorded_and_current_zoning(app, promoter):
    from flask import render_template

    dossier = _submitted(promoter)
    _new_version({GRIGNY: "zip"})
    with app.test_request_context():
        html = render_template("instruction/_zoning.html", dossier=dossier)
    assert "Grigny (91286)" in html and "Souppes-sur-Loing (77458)" in html
    assert "Zone déficitaire" in html and "idf_2015" in html  # at submission
    assert "Zone d&#39;intervention prioritaire (ZIP)" in html and "idf_test" in html  # today
    assert "Zonage modifié depuis le dépôt" in html
