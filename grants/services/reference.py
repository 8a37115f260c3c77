"""Load and refresh reference data: départements, communes, financers, the piece requirements."""

from __future__ import annotations

import csv
import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import bindparam, insert, select, update

from grants.extensions import db
from grants.models import Commune, Departement, Financer, PieceKind, PieceRequirement

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
COMMUNE_COLUMNS = (
    "code_insee",
    "nom",
    "departement",
    "region",
    "population",
    "codes_postaux",
    "epci",
)


class ReferenceImportError(ValueError):
    """A reference file that cannot be imported; nothing was written."""


@dataclass(frozen=True)
class ImportReport:
    inserted: int
    updated: int
    unchanged: int


def search_key(text: str) -> str:
    """Lowercase, accents and punctuation folded: 'L'Haÿ-les-Roses' → 'l hay les roses'."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join("".join(c if c.isalnum() else " " for c in stripped).split())


def load_departements(path: Path = DATA_DIR / "departements.csv") -> ImportReport:
    with path.open(encoding="utf-8") as handle:
        rows = [
            {"code": r["code"], "name": r["nom"], "region_code": r["region"]}
            for r in csv.DictReader(handle)
        ]
    return _upsert(Departement, "code", rows)


def load_communes(path: Path = DATA_DIR / "communes.csv") -> ImportReport:
    """Import an official commune file (the Etalab découpage administratif columns)."""
    with path.open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COMMUNE_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ReferenceImportError(f"Colonnes manquantes : {', '.join(missing)}")
        rows = [_commune_row(number, raw) for number, raw in enumerate(reader, start=2)]
    known = set(db.session.scalars(select(Departement.code)))
    unknown = sorted({r["departement_code"] for r in rows} - known)
    if unknown:
        raise ReferenceImportError(f"Départements inconnus : {', '.join(unknown)}")
    return _upsert(Commune, "insee_code", rows)


def _commune_row(number: int, raw: dict[str, str]) -> dict[str, object]:
    code = (raw["code_insee"] or "").strip()
    if len(code) != 5:
        raise ReferenceImportError(f"Ligne {number} : code INSEE invalide « {code} »")
    try:
        population = int(raw["population"] or 0)
    except ValueError as exc:
        raise ReferenceImportError(f"Ligne {number} : population invalide") from exc
    return {
        "insee_code": code,
        "name": raw["nom"].strip(),
        "search_name": search_key(raw["nom"]),
        "departement_code": raw["departement"].strip(),
        "region_code": raw["region"].strip(),
        "population": population,
        "postal_codes": raw["codes_postaux"].strip(),
        "epci_siren": raw["epci"].strip() or None,
    }


def _upsert(model: type, key: str, rows: list[dict[str, object]]) -> ImportReport:
    columns = [c for c in rows[0] if c != key] if rows else []
    table = model.__table__  # type: ignore[attr-defined]
    existing = {
        r[0]: tuple(r[1:])
        for r in db.session.execute(select(table.c[key], *[table.c[c] for c in columns]))
    }
    new = [r for r in rows if r[key] not in existing]
    changed = [
        r for r in rows if r[key] in existing and existing[r[key]] != tuple(r[c] for c in columns)
    ]
    if new:
        db.session.execute(insert(table), new)
    if changed:
        stmt = (
            update(table)
            .where(table.c[key] == bindparam("_key"))
            .values({c: bindparam(c) for c in columns})
        )
        db.session.execute(stmt, [{**r, "_key": r[key]} for r in changed])
    return ImportReport(len(new), len(changed), len(rows) - len(new) - len(changed))


def load_financers(path: Path = DATA_DIR / "financers.json") -> ImportReport:
    entries = json.loads(path.read_text(encoding="utf-8"))
    rows = [
        {
            "code": e["code"],
            "name": e["name"],
            "kind": e["kind"],
            "departement_code": e.get("departement_code"),
            "active": True,
            "position": position,
        }
        for position, e in enumerate(entries)
    ]
    return _upsert(Financer, "code", rows)


def load_piece_requirements(path: Path = DATA_DIR / "pieces.json") -> ImportReport:
    """Seed the piece kinds; the requirement table is replaced only when it is still empty."""
    spec = json.loads(path.read_text(encoding="utf-8"))
    kinds = [
        {"code": k["code"], "label": k["label"], "help_text": k["help_text"], "position": i}
        for i, k in enumerate(spec["kinds"])
    ]
    report = _upsert(PieceKind, "code", kinds)
    if db.session.scalar(select(PieceRequirement.id).limit(1)) is None:
        for rule in spec["requirements"]:
            db.session.add(
                PieceRequirement(
                    piece_code=rule["piece"],
                    structure_types=rule.get("structure_types", []),
                    aid_types=rule.get("aid_types", []),
                    promoter_categories=rule.get("promoter_categories", []),
                    financer_kinds=rule.get("financer_kinds", []),
                    financer_codes=rule.get("financer_codes", []),
                    mandatory=rule.get("mandatory", True),
                )
            )
    return report


def load_all() -> dict[str, ImportReport]:
    reports = {
        "departements": load_departements(),
        "communes": load_communes(),
        "financers": load_financers(),
        "pieces": load_piece_requirements(),
    }
    reports["zoning"] = _seed_zoning()
    db.session.flush()
    from grants.services.envelope_seed import load_envelopes

    reports["envelopes"] = load_envelopes()
    from grants.services.config_versions import seed_all as seed_configuration

    seed_configuration()  # scoring grid, aid formula, financing rules (when absent)
    return reports


def _seed_zoning() -> ImportReport:
    """The shipped zoning schemes, created only when absent (grants.services.zoning_seed)."""
    from grants.services.zoning_seed import seed_zoning

    db.session.flush()
    report = seed_zoning()
    return ImportReport(report.units, 0, 0)
