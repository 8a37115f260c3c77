"""Scoring inputs read from the database: the zoning of dossier communes (frozen at submission, or
current for a draft) and the bulk loader that builds ``ScoringInputs`` for many dossiers with a
handful of plain SQL queries (no ORM objects), used by re-scoring and the benchmark."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from grants.extensions import db
from grants.models import (
    CostLine,
    Dossier,
    DossierCommune,
    DossierFinancer,
    Financer,
    HealthObjective,
    Organisation,
    Professional,
    ResourceLine,
)
from grants.models.zoning import DossierZoning, ZoningScheme, ZoningUnit, ZoningUnitCommune
from grants.scoring.inputs import (
    PROFESSIONAL_FIELDS,
    SECTION_FIELDS,
    ResourceInput,
    ScoringInputs,
    assemble,
    best_category,
)


def frozen_categories(
    dossier_ids: Sequence[int], session: Session | None = None
) -> dict[int, list[str]]:
    """Categories recorded at submission, per dossier (latest version number only)."""
    session = session or db.session
    latest = (
        select(DossierZoning.dossier_id, func.max(DossierZoning.version_number).label("v"))
        .where(DossierZoning.dossier_id.in_(dossier_ids))
        .group_by(DossierZoning.dossier_id)
        .subquery()
    )
    rows = session.execute(
        select(DossierZoning.dossier_id, DossierZoning.category).join(
            latest,
            (latest.c.dossier_id == DossierZoning.dossier_id)
            & (latest.c.v == DossierZoning.version_number),
        )
    )
    found: dict[int, list[str]] = defaultdict(list)
    for dossier_id, category in rows:
        found[dossier_id].append(category)
    return dict(found)


def current_categories(
    insee_codes: Iterable[str], session: Session | None = None, today: date | None = None
) -> dict[str, str]:
    """What the physician zoning in force says of each commune (communes outside any unit of the
    scheme are ``none``; an empty result when no scheme is in force)."""
    session = session or db.session
    codes = list(insee_codes)
    today = today or date.today()
    scheme_id = session.scalar(
        select(ZoningScheme.id)
        .where(
            ZoningScheme.profession == "physician",
            ZoningScheme.valid_from <= today,
            or_(ZoningScheme.valid_to.is_(None), ZoningScheme.valid_to >= today),
        )
        .order_by(ZoningScheme.valid_from.desc(), ZoningScheme.id.desc())
        .limit(1)
    )
    if scheme_id is None or not codes:
        return {}
    rows = session.execute(
        select(ZoningUnitCommune.insee_code, ZoningUnit.category)
        .join(ZoningUnit, ZoningUnit.id == ZoningUnitCommune.unit_id)
        .where(ZoningUnitCommune.scheme_id == scheme_id, ZoningUnitCommune.insee_code.in_(codes))
    )
    found = dict.fromkeys(codes, "none")
    found.update({code: category for code, category in rows})
    return found


# Core tables: the bulk loader reads plain rows, never ORM entities.
DOSSIERS = Dossier.__table__
ORGANISATIONS = Organisation.__table__
PROFESSIONALS = Professional.__table__
COST_LINES = CostLine.__table__
RESOURCE_LINES = ResourceLine.__table__
FINANCERS = Financer.__table__
DOSSIER_FINANCERS = DossierFinancer.__table__
OBJECTIVES = HealthObjective.__table__


def load_inputs(
    dossier_ids: Sequence[int], session: Session | None = None
) -> dict[int, ScoringInputs]:
    """Inputs of many dossiers in seven queries, whatever their number (chunk the ids)."""
    session = session or db.session
    ids = list(dossier_ids)
    if not ids:
        return {}
    columns = [DOSSIERS.c[name] for name in SECTION_FIELDS]
    dossiers = session.execute(
        select(*columns, ORGANISATIONS.c.category.label("promoter_category"))
        .join(ORGANISATIONS, ORGANISATIONS.c.id == DOSSIERS.c.organisation_id)
        .where(DOSSIERS.c.id.in_(ids))
    ).mappings()
    rows = {row["id"]: dict(row) for row in dossiers}
    people = _grouped(
        session,
        select(PROFESSIONALS.c.dossier_id, *[PROFESSIONALS.c[n] for n in PROFESSIONAL_FIELDS]),
        PROFESSIONALS.c.dossier_id,
        ids,
    )
    costs = _grouped(
        session,
        select(COST_LINES.c.dossier_id, COST_LINES.c.aid_type, COST_LINES.c.amount),
        COST_LINES.c.dossier_id,
        ids,
    )
    resources = _grouped(
        session,
        select(
            RESOURCE_LINES.c.dossier_id,
            RESOURCE_LINES.c.aid_type,
            RESOURCE_LINES.c.kind,
            RESOURCE_LINES.c.amount,
            RESOURCE_LINES.c.label,
            FINANCERS.c.code,
            FINANCERS.c.kind.label("financer_kind"),
            FINANCERS.c.name,
        ).outerjoin(FINANCERS, FINANCERS.c.id == RESOURCE_LINES.c.financer_id),
        RESOURCE_LINES.c.dossier_id,
        ids,
    )
    kinds = _grouped(
        session,
        select(DOSSIER_FINANCERS.c.dossier_id, FINANCERS.c.kind).join(
            FINANCERS, FINANCERS.c.id == DOSSIER_FINANCERS.c.financer_id
        ),
        DOSSIER_FINANCERS.c.dossier_id,
        ids,
    )
    objectives = dict(
        session.execute(
            select(OBJECTIVES.c.dossier_id, func.count())
            .where(OBJECTIVES.c.dossier_id.in_(ids))
            .group_by(OBJECTIVES.c.dossier_id)
        ).all()
    )
    zonings = frozen_categories(ids, session)
    current = _current_by_dossier([i for i in ids if i not in zonings], session)
    return {
        dossier_id: assemble(
            row,
            professionals=people.get(dossier_id, []),
            resources=[_resource(r) for r in resources.get(dossier_id, [])],
            costs=[(c["aid_type"], c["amount"]) for c in costs.get(dossier_id, [])],
            financer_kinds=[k["kind"] for k in kinds.get(dossier_id, [])],
            promoter_category=row["promoter_category"],
            objectives_count=objectives.get(dossier_id, 0),
            zoning_category=best_category(zonings.get(dossier_id) or current.get(dossier_id, [])),
            zoning_frozen=dossier_id in zonings,
        )
        for dossier_id, row in rows.items()
    }


def _current_by_dossier(ids: list[int], session: Session) -> dict[int, list[str]]:
    """The zoning in force for dossiers without a frozen zoning (drafts, older dossiers)."""
    if not ids:
        return {}
    pairs = session.execute(
        select(DossierCommune.dossier_id, DossierCommune.insee_code).where(
            DossierCommune.dossier_id.in_(ids)
        )
    ).all()
    categories = current_categories({code for _id, code in pairs}, session)
    found: dict[int, list[str]] = defaultdict(list)
    for dossier_id, code in pairs:
        if code in categories:
            found[dossier_id].append(categories[code])
    return dict(found)


def _grouped(session: Session, query: Any, key: Any, ids: list[int]) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = defaultdict(list)
    result = session.execute(query.where(key.in_(ids)))
    names = list(result.keys())
    for values in result:
        row = dict(zip(names, values, strict=True))  # plain dicts: RowMapping lookups are slow
        grouped[row["dossier_id"]].append(row)
    return grouped


def _resource(row: Any) -> ResourceInput:
    return ResourceInput(
        aid_type=row["aid_type"],
        kind=row["kind"],
        amount=Decimal(row["amount"] or 0),
        financer_code=row["code"],
        financer_kind=row["financer_kind"],
        financer_name=row["name"] or row["label"] or "",
    )
