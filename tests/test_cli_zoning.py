"""The ``grants zoning seed`` and ``grants zoning import`` commands through Flask's CLI runner."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import select

from grants.extensions import db
from grants.models.zoning import ZoningScheme


def _scheme(code: str) -> ZoningScheme | None:
    return db.session.scalar(select(ZoningScheme).where(ZoningScheme.code == code))


def test_seed_prints_the_unmatched_names(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["zoning", "seed", "--no-report"])
    assert result.exit_code == 0, result.output
    assert "zonages créés : aucun" in result.output  # the reference load already seeded them
    assert "| idf_2015 | 93 | Saint-Ouen | Saint-Ouen |" in result.output
    assert "Saint-Ouen-sur-Seine (93070)" in result.output


def _import(app: Flask, path: Path, code: str = "idf_cli"):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(
        args=[
            "zoning",
            "import",
            str(path),
            "--code",
            code,
            "--name",
            "Zonage importé",
            "--legal-reference",
            "Arrêté de test",
            "--valid-from",
            "2022-04-01",
        ]
    )


def test_import_creates_the_version(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "zonage.csv"
    path.write_text("code_insee;categorie\n91286;zip\n94054;zac\n", encoding="utf-8")
    result = _import(app, path)
    assert result.exit_code == 0, result.output
    assert "2 unités" in result.output
    scheme = _scheme("idf_cli")
    assert scheme is not None and str(scheme.valid_from) == "2022-04-01"


def test_import_refuses_a_bad_file_line_by_line(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "zonage.csv"
    path.write_text("code_insee;categorie\n91286;zip\n00000;zip\n91286;zac\n", encoding="utf-8")
    result = _import(app, path)
    assert result.exit_code == 1
    assert "rien n'a été importé" in result.output
    assert "Ligne 3 : code INSEE inconnu" in result.output
    assert "Ligne 4 : commune 91286 en double" in result.output
    assert _scheme("idf_cli") is None
