"""Save the single-object sections of a dossier (A, B, C, E, F, G, J).

A save writes only the columns of its section, compares old and new values and, when something
changed, records one ``dossier.section_saved`` audit event listing ``{field: [old, new]}``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from grants.extensions import db
from grants.models import Commune, Dossier, DossierCommune, Financer, User
from grants.models.base import utcnow
from grants.models.choices import (
    AID_TYPES,
    COMMITMENTS,
    FEASIBILITY_DELIVERABLES,
    PROVIDER_SKILLS,
)
from grants.services import audit

SECTION_COLUMNS: dict[str, tuple[str, ...]] = {
    "identity": (
        "title",
        "structure_type",
        "university",
        "nature",
        "aid_types",
        "project_stage",
    ),
    "promoter": (
        "owner_is_promoter",
        "owner_name",
        "owner_siret",
        "owner_contact",
        "deliberation_reference",
        "deliberation_date",
    ),
    "territory": (
        "address",
        "district",
        "flag_qpv",
        "flag_zus",
        "flag_zrr",
        "flag_zru",
        "cls_signed",
        "cls_reference",
        "bassin_population",
        "diagnosis_reference",
        "diagnosis_date",
        "diagnosis_author",
        "neighbouring_projects",
    ),
    "health_project": (
        "needs_analysis",
        "coordinator_named",
        "team_meetings_per_year",
        "shared_protocols",
        "opening_hours",
        "unscheduled_care",
        "pdsa_participation",
        "prevention_programmes",
        "cooperation_protocols",
        "shared_information_system",
        "information_system_tool",
        "trainees_externes",
        "trainees_internes",
        "trainees_paramedical",
        "regulated_fee_share",
        "third_party_payment",
        "articulation",
        "pmr_accessible",
        "pmr_works",
        "professionals_involvement",
        "local_relevance",
    ),
    "feasibility": (
        "opportunity_study_done",
        "opportunity_study_date",
        "feasibility_status",
        "feasibility_provider",
        "feasibility_skills",
        "feasibility_cost_ht",
        "feasibility_cost_ttc",
        "feasibility_subsidy_requested",
        "feasibility_deliverables",
        "feasibility_conclusion",
        "feasibility_forecast",
    ),
    "real_estate": (
        "operation_type",
        "land_status",
        "land_owner",
        "surface_m2",
        "consulting_rooms",
        "shared_rooms",
        "cost_land",
        "cost_works",
        "cost_design_fees",
        "cost_equipment",
        "cost_pmr_works",
        "vat_recoverable",
        "permit_date",
        "works_start_date",
        "delivery_date",
        "opening_date",
        "planned_rent_m2_year",
        "market_rent_m2_year",
        "commitment_years",
    ),
    "commitments": ("accepted_commitments", "commitments_signatory"),
}
REAL_ESTATE_COSTS = (
    "cost_land",
    "cost_works",
    "cost_design_fees",
    "cost_equipment",
    "cost_pmr_works",
)
# Text columns that are NOT NULL: an empty input is stored as "" rather than NULL.
_NOT_NULL_TEXT = frozenset({"title"})
# Multi-choice columns are stored in vocabulary order so that re-ticking is not a "change".
_ORDERED_LISTS: dict[str, Mapping[str, str]] = {
    "aid_types": AID_TYPES,
    "feasibility_skills": PROVIDER_SKILLS,
    "feasibility_deliverables": FEASIBILITY_DELIVERABLES,
    "accepted_commitments": COMMITMENTS,
}

Changes = dict[str, list[Any]]


def save_section(
    dossier: Dossier,
    code: str,
    *,
    actor: User,
    values: Mapping[str, Any],
    financers: Sequence[Financer] | None = None,
    communes: Sequence[Commune] | None = None,
) -> Changes:
    """Write one section's values; return (and audit) the changed fields. Flushes, no commit."""
    changes: Changes = {}
    for column in SECTION_COLUMNS[code]:
        if column not in values:
            continue
        new = _normalise(column, values[column])
        old = getattr(dossier, column)
        if not _same(old, new):
            changes[column] = [_plain(old), _plain(new)]
            setattr(dossier, column, new)
    if financers is not None:
        _set_financers(dossier, financers, changes)
    if communes is not None:
        _set_communes(dossier, communes, changes)
    if changes:
        # Touch the row even when only link rows changed, so the optimistic lock is checked
        # and bumped: a concurrent save of the same dossier then fails instead of overwriting.
        dossier.updated_at = utcnow()
        db.session.flush()
        audit.record(
            "dossier.section_saved",
            actor=actor,
            dossier_id=dossier.id,
            data={"section": code, "changes": changes},
        )
    return changes


def real_estate_total(dossier: Dossier) -> Decimal | None:
    """Total of the real-estate cost breakdown (None while no cost is entered)."""
    present = [v for v in (getattr(dossier, c) for c in REAL_ESTATE_COSTS) if v is not None]
    return sum(present, Decimal("0")) if present else None


def active_financers() -> list[Financer]:
    return list(
        db.session.scalars(
            select(Financer).where(Financer.active.is_(True)).order_by(Financer.position)
        )
    )


def _set_financers(dossier: Dossier, financers: Sequence[Financer], changes: Changes) -> None:
    old = [f.code for f in dossier.financers]
    ordered = sorted(set(financers), key=lambda f: (f.position, f.id))
    new = [f.code for f in ordered]
    if old != new:
        changes["financers"] = [old, new]
        dossier.financers = ordered


def _set_communes(dossier: Dossier, communes: Sequence[Commune], changes: Changes) -> None:
    old = [c.insee_code for c in dossier.communes]
    new = [c.insee_code for c in communes]
    if old != new:
        changes["communes"] = [old, new]
        dossier.communes = [
            DossierCommune(commune=c, insee_code=c.insee_code, position=i)
            for i, c in enumerate(communes)
        ]
    departement = communes[0].departement_code if communes else None
    if dossier.departement_code != departement:
        changes["departement_code"] = [dossier.departement_code, departement]
        dossier.departement_code = departement


def _normalise(column: str, value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value if value or column in _NOT_NULL_TEXT else None
    if column in _ORDERED_LISTS:
        chosen = set(value or ())
        return [code for code in _ORDERED_LISTS[column] if code in chosen]
    return value


def _same(old: Any, new: Any) -> bool:
    if old is None or new is None:
        return old is None and new is None
    if isinstance(old, Decimal | float) or isinstance(new, Decimal):
        return Decimal(str(old)) == Decimal(str(new))
    return bool(old == new)


def _plain(value: Any) -> Any:
    """A JSON-able rendering of a column value for the audit trail."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return list(value)
    return value
