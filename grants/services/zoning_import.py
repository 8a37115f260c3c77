"""Import a new zoning version from CSV (INSEE code, category[, unit]): every bad row is reported
with its line number and nothing is written unless the whole file is good."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from grants.extensions import db
from grants.models import Commune, User
from grants.models.choices import PROFESSION_ZONINGS, ZONING_CATEGORIES
from grants.models.zoning import ZoningScheme, ZoningUnit, ZoningUnitCommune
from grants.services import audit
from grants.services.reference import search_key

CODE_RE = re.compile(r"^[a-z0-9_-]{2,40}$")
_INSEE_RE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
# Accepted header names (folded with search_key) for each column.
HEADERS = {
    "insee": {"code insee", "code_insee", "insee", "insee code", "code commune", "codgeo"},
    "category": {"categorie", "category", "zone", "zonage", "categorie de zone"},
    "unit": {"unite", "unit", "nom unite", "unit name", "regroupement", "territoire"},
}
# Category codes and their French labels, folded: "ZIP", "Zone déficitaire", "déficitaire".
_CATEGORY_KEYS = {search_key(code): code for code in ZONING_CATEGORIES} | {
    search_key(label): code for code, label in ZONING_CATEGORIES.items()
}
_CATEGORY_KEYS |= {"deficitaire": "deficitaire", "hors zone": "none", "aucune": "none"}


class ZoningImportError(ValueError):
    """The import was refused; ``errors`` lists every problem, line by line."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class SchemeData:
    code: str
    name: str
    legal_reference: str
    valid_from: date
    valid_to: date | None = None
    profession: str = "physician"


@dataclass(frozen=True)
class ZoningRow:
    line: int
    insee_code: str
    category: str
    unit_name: str = ""


@dataclass
class ParsedFile:
    rows: list[ZoningRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def decode(content: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 as spreadsheets export it."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def _columns(header: list[str]) -> dict[str, int] | str:
    folded = [search_key(name) for name in header]
    found: dict[str, int] = {}
    for column, names in HEADERS.items():
        for index, name in enumerate(folded):
            if name in names or name.replace(" ", "_") in names:
                found.setdefault(column, index)
    if "insee" not in found or "category" not in found:
        return (
            "Ligne 1 : en-tête invalide « "
            + ";".join(header)
            + " » : colonnes attendues code_insee et categorie (unite facultative)."
        )
    return found


def parse_zoning_csv(content: bytes) -> ParsedFile:
    """Rows of the file and the problems of each line (codes are checked by ``validate``)."""
    text = decode(content)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") and ";" in first else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    parsed = ParsedFile()
    header = next(reader, None)
    if not header or not any(cell.strip() for cell in header):
        parsed.errors.append(
            "Ligne 1 : le fichier est vide (en-tête code_insee;categorie attendu)."
        )
        return parsed
    columns = _columns([cell.strip() for cell in header])
    if isinstance(columns, str):
        parsed.errors.append(columns)
        return parsed
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        row = _row(line, cells, columns, parsed.errors)
        if row is not None:
            parsed.rows.append(row)
    if not parsed.rows and not parsed.errors:
        parsed.errors.append("Le fichier ne contient aucune commune.")
    return parsed


def _row(
    line: int, cells: list[str], columns: dict[str, int], errors: list[str]
) -> ZoningRow | None:
    def cell(name: str) -> str:
        index = columns.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    code, raw_category = cell("insee").upper(), cell("category")
    if re.fullmatch(r"\d{4}", code):
        code = "0" + code  # a spreadsheet dropped the leading zero of 01001
    problems = []
    if not _INSEE_RE.match(code):
        problems.append(f"Ligne {line} : code INSEE invalide « {code} » (5 caractères attendus).")
    category = _CATEGORY_KEYS.get(search_key(raw_category))
    if category is None:
        allowed = ", ".join(ZONING_CATEGORIES)
        problems.append(
            f"Ligne {line} : catégorie inconnue « {raw_category} » (attendu : {allowed})."
        )
    errors.extend(problems)
    if problems:
        return None
    return ZoningRow(line, code, category or "none", cell("unit"))


def validate(data: SchemeData, parsed: ParsedFile) -> tuple[dict[str, Commune], list[str]]:
    """Every problem of the scheme and the rows, and the communes the rows name."""
    errors = list(_scheme_errors(data)) + list(parsed.errors)
    codes = {row.insee_code for row in parsed.rows}
    communes = {
        c.insee_code: c
        for c in db.session.scalars(select(Commune).where(Commune.insee_code.in_(codes)))
    }
    first_line: dict[str, int] = {}
    unit_category: dict[str, tuple[str, int]] = {}
    for row in parsed.rows:
        if row.insee_code not in communes:
            errors.append(f"Ligne {row.line} : code INSEE inconnu « {row.insee_code} ».")
        elif row.insee_code in first_line:
            errors.append(
                f"Ligne {row.line} : commune {row.insee_code} en double "
                f"(déjà ligne {first_line[row.insee_code]})."
            )
        else:
            first_line[row.insee_code] = row.line
        if row.unit_name:
            category, line = unit_category.setdefault(row.unit_name, (row.category, row.line))
            if category != row.category:
                errors.append(
                    f"Ligne {row.line} : catégorie « {row.category} » différente de celle de "
                    f"l'unité « {row.unit_name} » (ligne {line})."
                )
    return communes, sorted(errors, key=_line_of)


def _line_of(message: str) -> int:
    match = re.match(r"Ligne (\d+)", message)
    return int(match.group(1)) if match else 0


def _scheme_errors(data: SchemeData) -> list[str]:
    errors = []
    if not CODE_RE.match(data.code):
        errors.append("Code : lettres minuscules, chiffres, « _ » ou « - » (2 à 40).")
    elif _existing_non_empty(data.code):
        errors.append(f"Code : le zonage « {data.code} » existe déjà ; choisissez un autre code.")
    if not data.name.strip():
        errors.append("Nom : obligatoire.")
    if not data.legal_reference.strip():
        errors.append("Référence juridique : obligatoire.")
    if data.profession not in PROFESSION_ZONINGS:
        errors.append(f"Profession inconnue « {data.profession} ».")
    if data.valid_to is not None and data.valid_to < data.valid_from:
        errors.append("Fin de validité : elle précède le début de validité.")
    return errors


def _existing_non_empty(code: str) -> bool:
    scheme = db.session.scalar(select(ZoningScheme).where(ZoningScheme.code == code))
    if scheme is None:
        return False
    units = db.session.scalar(select(func.count()).where(ZoningUnit.scheme_id == scheme.id))
    return bool(units)


def import_zoning(data: SchemeData, content: bytes, *, actor: User | None) -> ZoningScheme:
    """Create the scheme and its units, or raise ZoningImportError having written nothing.
    A scheme shipped empty under the same code (idf_zip_zac) is filled and its metadata set."""
    parsed = parse_zoning_csv(content)
    communes, errors = validate(data, parsed)
    if errors:
        raise ZoningImportError(errors)
    scheme = db.session.scalar(select(ZoningScheme).where(ZoningScheme.code == data.code))
    if scheme is None:
        scheme = ZoningScheme(code=data.code)
        db.session.add(scheme)
    scheme.name, scheme.profession = data.name.strip(), data.profession
    scheme.legal_reference = data.legal_reference.strip()
    scheme.valid_from, scheme.valid_to = data.valid_from, data.valid_to
    scheme.created_by_id = actor.id if actor else None
    db.session.flush()
    units = _build_units(scheme, parsed.rows, communes)
    db.session.add_all(units)
    db.session.flush()
    audit.record(
        "zoning.imported",
        stream=f"zoning:{scheme.id}",
        actor=actor,
        data={
            "code": scheme.code,
            "legal_reference": scheme.legal_reference,
            "valid_from": scheme.valid_from,
            "valid_to": scheme.valid_to,
            "communes": len(parsed.rows),
            "units": len(units),
        },
    )
    return scheme


def _build_units(
    scheme: ZoningScheme, rows: list[ZoningRow], communes: dict[str, Commune]
) -> list[ZoningUnit]:
    """One commune unit per row, or one grouping unit per name of the optional unit column."""
    groups: dict[str, list[ZoningRow]] = {}
    for row in rows:
        groups.setdefault(row.unit_name or f"\0{row.insee_code}", []).append(row)
    names: set[str] = set()
    units = []
    for key, members in groups.items():
        first = communes[members[0].insee_code]
        if key.startswith("\0"):
            name, unit_type = first.name, "commune"
            if name in names:
                name = first.label  # two communes of the same name: tell them apart
        else:
            name, unit_type = key, "grouping" if len(members) > 1 else "commune"
            if name in names:
                name = f"{name} ({first.insee_code})"
        names.add(name)
        unit = ZoningUnit(
            scheme_id=scheme.id,
            unit_type=unit_type,
            name=name,
            category=members[0].category,
            partial=False,
            source="import CSV",
        )
        unit.communes = [
            ZoningUnitCommune(insee_code=m.insee_code, scheme_id=scheme.id) for m in members
        ]
        units.append(unit)
    return units
