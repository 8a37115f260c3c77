"""The ``grants reference import-communes`` command through Flask's CLI runner."""

from __future__ import annotations

import csv
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select

from grants.extensions import db
from grants.models import Commune
from grants.services.reference import COMMUNE_COLUMNS

NEW = {
    "code_insee": "77999",
    "nom": "Sainte-Essai-sur-Loing",
    "departement": "77",
    "region": "11",
    "population": "1234",
    "codes_postaux": "77999",
    "epci": "",
}


def _write(path: Path, rows: list[dict[str, str]], columns=COMMUNE_COLUMNS) -> Path:  # type: ignore[no-untyped-def]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def _existing(insee_code: str = "01001") -> dict[str, str]:
    commune = db.session.get(Commune, insee_code)
    assert commune is not None
    return {
        "code_insee": commune.insee_code,
        "nom": commune.name,
        "departement": commune.departement_code,
        "region": commune.region_code,
        "population": str(commune.population),
        "codes_postaux": commune.postal_codes,
        "epci": commune.epci_siren or "",
    }


def _import(app: Flask, path: Path):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(args=["reference", "import-communes", str(path)])


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Commune)) or 0


def test_import_inserts_new_and_updates_renamed_communes(app: Flask, tmp_path: Path) -> None:
    before = _count()
    renamed = {**_existing("01001"), "nom": "L'Abergement-Renommée"}
    unchanged = _existing("01002")
    result = _import(app, _write(tmp_path / "communes.csv", [NEW, renamed, unchanged]))
    assert result.exit_code == 0, result.output
    assert "1 ajoutées, 1 mises à jour, 1 inchangées" in result.output
    db.session.expire_all()
    assert _count() == before + 1
    added = db.session.get(Commune, "77999")
    assert added.name == "Sainte-Essai-sur-Loing" and added.population == 1234
    assert added.search_name == "sainte essai sur loing" and added.epci_siren is None
    updated = db.session.get(Commune, "01001")
    assert updated.name == "L'Abergement-Renommée"
    assert updated.search_name == "l abergement renommee"


def _assert_refused(app: Flask, path: Path, message: str) -> None:
    before = _count()
    result = _import(app, path)
    assert result.exit_code == 1
    assert f"Error: {message}" in result.output
    db.session.expire_all()
    assert _count() == before
    assert db.session.get(Commune, "77999") is None


def test_a_file_with_missing_columns_is_refused(app: Flask, tmp_path: Path) -> None:
    columns = [c for c in COMMUNE_COLUMNS if c != "population"]
    path = _write(tmp_path / "communes.csv", [NEW], columns=columns)
    _assert_refused(app, path, "Colonnes manquantes : population")


def test_a_bad_line_is_refused_and_nothing_is_written(app: Flask, tmp_path: Path) -> None:
    bad = {**NEW, "code_insee": "123", "nom": "Trop court"}
    path = _write(tmp_path / "communes.csv", [NEW, bad])
    _assert_refused(app, path, "Ligne 3 : code INSEE invalide « 123 »")


def test_a_bad_population_is_refused(app: Flask, tmp_path: Path) -> None:
    path = _write(tmp_path / "communes.csv", [{**NEW, "population": "beaucoup"}])
    _assert_refused(app, path, "Ligne 2 : population invalide")


def test_an_unknown_departement_is_refused(app: Flask, tmp_path: Path) -> None:
    path = _write(
        tmp_path / "communes.csv", [NEW, {**NEW, "code_insee": "98001", "departement": "98"}]
    )
    _assert_refused(app, path, "Départements inconnus : 98")


def test_a_missing_file_is_refused(app: Flask, tmp_path: Path) -> None:
    result = _import(app, tmp_path / "absent.csv")
    assert result.exit_code == 2 and "does not exist" in result.output
