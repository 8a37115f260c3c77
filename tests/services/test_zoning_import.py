"""CSV import of a zoning version: the happy path; every bad row reported, nothing written."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from grants.extensions import db
from grants.models import AuditEvent
from grants.models.zoning import ZoningScheme, ZoningUnit
from grants.services.zoning import zoning_for
from grants.services.zoning_import import SchemeData, ZoningImportError, import_zoning

DATA = SchemeData(
    code="idf_2022",
    name="Zonage médecins 2022",
    legal_reference="Arrêté DG ARS n° 2022-000 (test)",
    valid_from=date(2022, 4, 1),
)


def _counts() -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(ZoningScheme)) or 0,
        db.session.scalar(select(func.count()).select_from(ZoningUnit)) or 0,
    )


def test_a_good_file_creates_one_commune_unit_per_code(app):
    content = "code_insee;categorie\n91286;ZIP\n94054;Zone d'action complémentaire (ZAC)\n\n"
    scheme = import_zoning(DATA, content.encode("utf-8-sig"), actor=None)
    assert [(u.unit_type, u.name, u.category) for u in scheme.units] == [
        ("commune", "Grigny", "zip"),
        ("commune", "Orly", "zac"),
    ]
    answer = zoning_for("91286", date(2023, 1, 1))
    assert answer is not None and answer.scheme.code == "idf_2022" and answer.category == "zip"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.stream == f"zoning:{scheme.id}"))
    assert event.action == "zoning.imported" and event.data["communes"] == 2


def test_a_unit_column_groups_communes_and_windows_files_are_read(app):
    content = (
        "INSEE,Catégorie,Unité\n"
        "93014,zip,Clichy-sous-Bois et Montfermeil\n"
        "93047,zip,Clichy-sous-Bois et Montfermeil\n"
        "1001,fragile,\n"  # a spreadsheet dropped the leading zero
    )
    scheme = import_zoning(DATA, content.encode("cp1252"), actor=None)
    units = {u.name: u for u in scheme.units}
    grouping = units["Clichy-sous-Bois et Montfermeil"]
    assert grouping.unit_type == "grouping"
    assert {m.insee_code for m in grouping.communes} == {"93014", "93047"}
    assert [m.insee_code for m in units["L'Abergement-Clémenciat"].communes] == ["01001"]


def test_the_shipped_empty_zip_zac_scheme_is_filled_by_an_import(app):
    data = SchemeData("idf_zip_zac", "ZIP/ZAC 2022", "Arrêté 2022", date(2022, 4, 1))
    scheme = import_zoning(data, b"code_insee;categorie\n91286;zip\n", actor=None)
    assert scheme.code == "idf_zip_zac" and scheme.name == "ZIP/ZAC 2022"
    assert scheme.valid_from == date(2022, 4, 1) and len(scheme.units) == 1


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"commune;zone_x\n91286;zip\n", ["Ligne 1 : en-tête invalide"]),
        (b"", ["Ligne 1 : le fichier est vide"]),
        (b"code_insee;categorie\n", ["aucune commune"]),
        (
            b"code_insee;categorie\n91286;zip\n99999;zip\n",
            ["Ligne 3 : code INSEE inconnu « 99999 »"],
        ),
        (b"code_insee;categorie\n9128X;zip\n", ["Ligne 2 : code INSEE invalide"]),
        (
            b"code_insee;categorie\n91286;zip\n94054;rouge\n",
            ["Ligne 3 : catégorie inconnue « rouge »"],
        ),
        (
            b"code_insee;categorie\n91286;zip\n94054;zac\n91286;zac\n",
            ["Ligne 4 : commune 91286 en double (déjà ligne 2)"],
        ),
        (
            b"code_insee;categorie\n99999;zip\n91286;violet\n91286;zip\n91286;zip\n",
            [
                "Ligne 2 : code INSEE inconnu",
                "Ligne 3 : catégorie inconnue",
                "Ligne 5 : commune 91286 en double (déjà ligne 4)",
            ],
        ),
    ],
)
def test_bad_files_are_refused_line_by_line_and_nothing_is_written(app, content, expected):
    before = _counts()
    with pytest.raises(ZoningImportError) as refused:
        import_zoning(DATA, content, actor=None)
    assert len(refused.value.errors) == len(expected)
    for message, start in zip(refused.value.errors, expected, strict=True):
        assert message.startswith(start) or start in message, message
    assert _counts() == before


def test_bad_scheme_data_is_refused(app):
    bad = SchemeData("idf_2015", "", "", date(2022, 4, 1), date(2021, 1, 1), "plumber")
    with pytest.raises(ZoningImportError) as refused:
        import_zoning(bad, b"code_insee;categorie\n91286;zip\n", actor=None)
    text = " ".join(refused.value.errors)
    assert "existe déjà" in text and "Nom" in text and "Référence" in text
    assert "Profession inconnue" in text and "précède" in text
