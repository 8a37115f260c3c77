"""Zoning lookups: the scheme in force on a date, a commune's unit and category, the zoning a
dossier recorded at submission and what the current zoning would say; unit completion by admins."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session, joinedload

from grants.extensions import db
from grants.models import Commune, Dossier, DossierCommune, User
from grants.models.base import utcnow
from grants.models.choices import ZONING_CATEGORIES
from grants.models.zoning import DossierZoning, ZoningScheme, ZoningUnit, ZoningUnitCommune
from grants.services import audit


class ZoningError(ValueError):
    """A zoning change refused (French message for the administrator)."""


@dataclass(frozen=True)
class ZoningAnswer:
    """What a scheme says of one commune: its unit, or category "none" when not listed."""

    scheme: ZoningScheme
    unit: ZoningUnit | None
    category: str

    @property
    def category_label(self) -> str:
        return ZONING_CATEGORIES[self.category]


def schemes_in_force(
    on: date, profession: str | None = None, session: Session | None = None
) -> dict[str, ZoningScheme]:
    """Per profession, the scheme valid on ``on`` that started last. A scheme without any unit
    is a draft being filled (the shipped empty ZIP/ZAC scheme): it is never in force."""
    query = (
        select(ZoningScheme)
        .where(
            ZoningScheme.valid_from <= on,
            or_(ZoningScheme.valid_to.is_(None), ZoningScheme.valid_to >= on),
            exists().where(ZoningUnit.scheme_id == ZoningScheme.id),
        )
        .order_by(ZoningScheme.valid_from.desc(), ZoningScheme.id.desc())
    )
    if profession is not None:
        query = query.where(ZoningScheme.profession == profession)
    found: dict[str, ZoningScheme] = {}
    for scheme in (session or db.session).scalars(query):
        found.setdefault(scheme.profession, scheme)
    return found


def _units_of(scheme_ids: Iterable[int], codes: Iterable[str]) -> dict[tuple[int, str], ZoningUnit]:
    """(scheme id, INSEE code) → unit, in one query."""
    scheme_ids, codes = list(scheme_ids), list(codes)
    if not scheme_ids or not codes:
        return {}
    rows = db.session.execute(
        select(ZoningUnitCommune.scheme_id, ZoningUnitCommune.insee_code, ZoningUnit)
        .join(ZoningUnit, ZoningUnit.id == ZoningUnitCommune.unit_id)
        .where(ZoningUnitCommune.scheme_id.in_(scheme_ids), ZoningUnitCommune.insee_code.in_(codes))
    )
    return {(scheme_id, code): unit for scheme_id, code, unit in rows}


def _answers(schemes: Iterable[ZoningScheme], codes: list[str]) -> dict[str, list[ZoningAnswer]]:
    schemes = list(schemes)
    units = _units_of((s.id for s in schemes), codes)
    result: dict[str, list[ZoningAnswer]] = {}
    for code in codes:
        result[code] = [
            ZoningAnswer(s, unit, unit.category if unit else "none")
            for s in schemes
            for unit in [units.get((s.id, code))]
        ]
    return result


def zoning_for(insee_code: str, on: date, profession: str = "physician") -> ZoningAnswer | None:
    """The zoning of a commune on a date: None when no scheme is in force for the profession."""
    scheme = schemes_in_force(on, profession).get(profession)
    if scheme is None:
        return None
    return _answers([scheme], [insee_code])[insee_code][0]


def _dossier_codes(dossier: Dossier) -> list[str]:
    return list(
        db.session.scalars(
            select(DossierCommune.insee_code)
            .where(DossierCommune.dossier_id == dossier.id)
            .order_by(DossierCommune.position, DossierCommune.id)
        )
    )


def record_dossier_zoning(dossier: Dossier, now: datetime) -> list[DossierZoning]:
    """Freeze, for each dossier commune and each scheme in force at ``now``, its category.
    Recorded once, at the first filing: a later zoning or a later call never rewrites it."""
    already = db.session.scalar(
        select(DossierZoning.id).where(DossierZoning.dossier_id == dossier.id).limit(1)
    )
    codes = _dossier_codes(dossier)
    schemes = schemes_in_force(now.date())
    if already is not None or not codes or not schemes:
        return []
    version = max((v.number for v in dossier.versions), default=1)
    rows = [
        DossierZoning(
            dossier_id=dossier.id,
            insee_code=code,
            scheme_id=answer.scheme.id,
            unit_id=answer.unit.id if answer.unit else None,
            category=answer.category,
            recorded_at=now,
            version_number=version,
        )
        for code, answers in _answers(schemes.values(), codes).items()
        for answer in answers
    ]
    db.session.add_all(rows)
    db.session.flush()
    return rows


def current_zoning(dossier: Dossier, on: date | None = None) -> dict[str, list[ZoningAnswer]]:
    """What the zoning in force today (or on ``on``) says of each dossier commune."""
    on = on or utcnow().date()
    return _answers(schemes_in_force(on).values(), _dossier_codes(dossier))


@dataclass(frozen=True)
class ZoningComparison:
    """One dossier commune: the zoning frozen at submission beside the current one."""

    commune: Commune
    recorded: list[DossierZoning]
    current: list[ZoningAnswer]

    @property
    def changed(self) -> bool:
        then = {(r.scheme_id, r.category) for r in self.recorded}
        return bool(self.recorded) and then != {(a.scheme.id, a.category) for a in self.current}


def zoning_comparison(dossier: Dossier, on: date | None = None) -> list[ZoningComparison]:
    """Rows for the instructor's dossier page (a bounded number of queries)."""
    current = current_zoning(dossier, on)
    recorded: dict[str, list[DossierZoning]] = {}
    for row in db.session.scalars(
        select(DossierZoning)
        .where(DossierZoning.dossier_id == dossier.id)
        .options(joinedload(DossierZoning.scheme), joinedload(DossierZoning.unit))
        .order_by(DossierZoning.id)
    ):
        recorded.setdefault(row.insee_code, []).append(row)
    codes = list(dict.fromkeys([*current, *recorded]))
    communes = {
        c.insee_code: c
        for c in db.session.scalars(select(Commune).where(Commune.insee_code.in_(codes)))
    }
    return [
        ZoningComparison(communes[code], recorded.get(code, []), current.get(code, []))
        for code in codes
        if code in communes
    ]


# --- Completing units (administrators) ----------------------------------------------------------


def add_unit_commune(unit: ZoningUnit, commune: Commune, *, actor: User) -> None:
    taken = db.session.scalar(
        select(ZoningUnit)
        .join(ZoningUnitCommune, ZoningUnitCommune.unit_id == ZoningUnit.id)
        .where(
            ZoningUnitCommune.scheme_id == unit.scheme_id,
            ZoningUnitCommune.insee_code == commune.insee_code,
        )
    )
    if taken is not None:
        raise ZoningError(f"{commune.label} appartient déjà à l'unité « {taken.name} ».")
    unit.communes.append(ZoningUnitCommune(insee_code=commune.insee_code, scheme_id=unit.scheme_id))
    db.session.flush()
    _audit("zoning.unit_commune_added", unit, actor, insee_code=commune.insee_code)


def remove_unit_commune(unit: ZoningUnit, insee_code: str, *, actor: User) -> None:
    member = next((m for m in unit.communes if m.insee_code == insee_code), None)
    if member is None:
        raise ZoningError(f"La commune {insee_code} n'appartient pas à cette unité.")
    unit.communes.remove(member)
    db.session.flush()
    _audit("zoning.unit_commune_removed", unit, actor, insee_code=insee_code)


def set_unit_partial(unit: ZoningUnit, partial: bool, *, actor: User) -> None:
    unit.partial = partial
    db.session.flush()
    _audit("zoning.unit_partial_set", unit, actor, partial=partial)


def _audit(action: str, unit: ZoningUnit, actor: User, **data: object) -> None:
    audit.record(
        action,
        stream=f"zoning:{unit.scheme_id}",
        actor=actor,
        data={"unit_id": unit.id, "unit": unit.name, **data},
    )


# Most favourable first: the category a dossier spanning several counts under.
ZONING_PRIORITY = ("deficitaire", "zip", "fragile", "zac", "none")


def zoning_categories(dossier_ids: Iterable[int]) -> dict[int, str]:
    """The zoning category of each dossier recorded at submission (its latest recorded version);
    when its communes fall in several categories, the most favourable one counts."""
    ids = list(dossier_ids)
    if not ids:
        return {}
    latest: dict[int, tuple[int, list[str]]] = {}
    for dossier_id, category, version in db.session.execute(
        select(
            DossierZoning.dossier_id, DossierZoning.category, DossierZoning.version_number
        ).where(DossierZoning.dossier_id.in_(ids))
    ):
        current = latest.get(dossier_id)
        if current is None or version > current[0]:
            latest[dossier_id] = (version, [category])
        elif version == current[0]:
            current[1].append(category)
    rank = {code: i for i, code in enumerate(ZONING_PRIORITY)}
    return {
        dossier_id: min(categories, key=lambda c: rank.get(c, 99))
        for dossier_id, (_version, categories) in latest.items()
    }
