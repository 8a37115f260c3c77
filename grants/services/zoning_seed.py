"""Seed the zoning schemes shipped in grants/data/zoning/ (the 2012 and 2015 Île-de-France
physician lists, an empty ZIP/ZAC scheme), matching unit names to INSEE codes without guessing."""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select

from grants.extensions import db
from grants.models import Commune
from grants.models.zoning import ZoningScheme, ZoningUnit, ZoningUnitCommune
from grants.services.reference import DATA_DIR, search_key

ZONING_DIR = DATA_DIR / "zoning"
REPORT_PATH = Path(__file__).resolve().parents[2] / "docs" / "zoning-unmatched.md"
SEED_COLUMNS = ("departement", "unit_type", "name", "category", "source_lines")
# Groupings name their communes: "Clichy et Montfermeil", "Pierrefitte-sur-Seine/Villetaneuse".
_SPLIT = re.compile(r"\s+et\s+|\s*/\s*|\s+&\s+")
_ABBREVIATIONS = {"st": "saint", "ste": "sainte"}
# Names the sources use for a commune whose full name differs, per département (the brief's rule).
ALIASES = {("93", "clichy"): "clichy sous bois"}


@dataclass(frozen=True)
class SeedUnit:
    departement: str
    unit_type: str
    name: str
    category: str
    source: str


@dataclass(frozen=True)
class SchemeSpec:
    code: str
    name: str
    profession: str
    legal_reference: str
    valid_from: date
    valid_to: date | None
    units: tuple[SeedUnit, ...]


@dataclass(frozen=True)
class Unmatched:
    """A commune name of a unit that matches no commune of its département (never guessed)."""

    scheme_code: str
    departement: str
    unit_name: str
    name: str
    source: str
    hints: tuple[str, ...] = ()


@dataclass
class PlannedUnit:
    spec: SeedUnit
    insee_codes: list[str]
    partial: bool


@dataclass
class SeedReport:
    created: list[str] = field(default_factory=list)
    units: int = 0
    unmatched: list[Unmatched] = field(default_factory=list)


def load_specs(directory: Path = ZONING_DIR) -> list[SchemeSpec]:
    """The shipped schemes: metadata from schemes.json, one CSV of units per scheme."""
    entries = json.loads((directory / "schemes.json").read_text(encoding="utf-8"))
    return [
        SchemeSpec(
            code=e["code"],
            name=e["name"],
            profession=e["profession"],
            legal_reference=e["legal_reference"],
            valid_from=date.fromisoformat(e["valid_from"]),
            valid_to=date.fromisoformat(e["valid_to"]) if e["valid_to"] else None,
            units=tuple(_read_units(directory / e["file"])),
        )
        for e in entries
    ]


def _read_units(path: Path) -> list[SeedUnit]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != SEED_COLUMNS:
            raise ValueError(f"{path.name}: colonnes attendues {', '.join(SEED_COLUMNS)}")
        return [
            SeedUnit(r["departement"], r["unit_type"], r["name"], r["category"], r["source_lines"])
            for r in reader
        ]


def member_names(unit: SeedUnit) -> list[str]:
    """The commune names a unit is matched through (none for a Paris grand quartier)."""
    if unit.unit_type == "grand_quartier":
        return []
    if unit.unit_type == "grouping":
        return [part.strip() for part in _SPLIT.split(unit.name) if part.strip()]
    return [unit.name]


def name_key(departement: str, name: str) -> str:
    key = " ".join(_ABBREVIATIONS.get(word, word) for word in search_key(name).split())
    return ALIASES.get((departement, key), key)


class CommuneIndex:
    """Communes of the given départements by folded name (one query)."""

    def __init__(self, departements: set[str]) -> None:
        self.by_key: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.labels: dict[str, str] = {}
        rows = db.session.execute(
            select(Commune.insee_code, Commune.name, Commune.search_name, Commune.departement_code)
            .where(Commune.departement_code.in_(departements))
            .order_by(Commune.insee_code)
        )
        for code, name, key, departement in rows:
            self.by_key[(departement, key)].append(code)
            self.labels[code] = f"{name} ({code})"

    def match(self, departement: str, name: str) -> str | None:
        codes = self.by_key.get((departement, name_key(departement, name)), [])
        return codes[0] if len(codes) == 1 else None

    def hints(self, departement: str, name: str) -> tuple[str, ...]:
        """Candidates an administrator may check (same département, name starting alike)."""
        key = name_key(departement, name)
        return tuple(
            self.labels[code]
            for (dep, other), codes in sorted(self.by_key.items())
            if dep == departement and other != key and other.startswith(key)
            for code in codes
        )[:3]


def plan_scheme(spec: SchemeSpec, index: CommuneIndex) -> tuple[list[PlannedUnit], list[Unmatched]]:
    """Match every unit of a scheme; unmatched names are reported and their unit left partial."""
    planned: list[PlannedUnit] = []
    unmatched: list[Unmatched] = []
    used: set[str] = set()
    for unit in spec.units:
        names = member_names(unit)
        codes: list[str] = []
        missing = False
        for name in names:
            code = index.match(unit.departement, name)
            if code is None or code in used:
                missing = True
                hints = index.hints(unit.departement, name) if code is None else (code,)
                unmatched.append(
                    Unmatched(spec.code, unit.departement, unit.name, name, unit.source, hints)
                )
                continue
            used.add(code)
            codes.append(code)
        # Composition unknown: a pseudo-canton seeded with its chef-lieu, a one-name grouping,
        # a Paris grand quartier (no INSEE sub-code in the commune reference), a missing name.
        partial = (
            missing
            or unit.unit_type in ("pseudo_canton", "grand_quartier")
            or (unit.unit_type == "grouping" and len(names) < 2)
        )
        planned.append(PlannedUnit(unit, codes, partial))
    return planned, unmatched


def seed_zoning() -> SeedReport:
    """Create the shipped schemes that do not exist yet; report unmatched names of all of them."""
    specs = load_specs()
    index = CommuneIndex({u.departement for s in specs for u in s.units})
    existing = set(db.session.scalars(select(ZoningScheme.code)))
    report = SeedReport()
    for spec in specs:
        planned, unmatched = plan_scheme(spec, index)
        report.unmatched.extend(unmatched)
        if spec.code in existing:
            continue
        _create(spec, planned)
        report.created.append(spec.code)
        report.units += len(planned)
    db.session.flush()
    return report


def _create(spec: SchemeSpec, planned: list[PlannedUnit]) -> None:
    scheme = ZoningScheme(
        code=spec.code,
        name=spec.name,
        profession=spec.profession,
        legal_reference=spec.legal_reference,
        valid_from=spec.valid_from,
        valid_to=spec.valid_to,
    )
    db.session.add(scheme)
    db.session.flush()
    for item in planned:
        unit = ZoningUnit(
            scheme_id=scheme.id,
            unit_type=item.spec.unit_type,
            name=item.spec.name,
            category=item.spec.category,
            partial=item.partial,
            source=item.spec.source,
        )
        unit.communes = [
            ZoningUnitCommune(insee_code=c, scheme_id=scheme.id) for c in item.insee_codes
        ]
        db.session.add(unit)


def render_report(report: SeedReport) -> str:
    """Markdown listing of the names not matched (docs/zoning-unmatched.md)."""
    lines = [
        "# Zoning names not matched to a commune",
        "",
        "Generated by `grants zoning seed` from `grants/data/zoning/`. These names of the",
        "2012 and 2015 Île-de-France physician zonings match no commune of their département",
        "in the commune reference: they were **not** guessed. Their unit is seeded without that",
        "commune and flagged partial; an administrator completes it (Administration → Zonages).",
        "The candidates are hints only (renamed or merged communes); a commune absent from the",
        "shipped reference (e.g. Pierrefitte-sur-Seine, 93059) has no candidate.",
        "",
        "Not listed because they are not commune names: Paris grands quartiers (the reference has",
        "Paris as one commune, 75056, without sub-codes: those units have no member commune and",
        "stay partial) and the 2012 text on Paris (priority areas of the 18th-20th",
        "arrondissements, no unit named [002:6126-6129]: nothing seeded).",
        "",
        "| scheme | dép. | unit | name | source | candidates to check |",
        "|---|---|---|---|---|---|",
    ]
    for item in report.unmatched:
        hints = ", ".join(item.hints) or "—"
        lines.append(
            f"| {item.scheme_code} | {item.departement} | {item.unit_name} | {item.name} "
            f"| {item.source} | {hints} |"
        )
    return "\n".join(lines) + "\n"


def write_report(report: SeedReport, path: Path = REPORT_PATH) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_report(report), encoding="utf-8")
    return path
