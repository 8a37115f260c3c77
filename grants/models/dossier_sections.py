"""Columns of the dossier's one-to-one sections, one mixin per section of DOMAIN §2.

Every column is nullable: a draft may be saved at any point; completeness is checked on submit.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import JSON, Date, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from grants.models.base import Money


class IdentitySection:
    """A — identity and scope (aid types and targeted financers live in their own columns/table)."""

    title: Mapped[str] = mapped_column(String(200), default="")
    structure_type: Mapped[str | None] = mapped_column(String(10))
    university: Mapped[bool] = mapped_column(default=False)
    nature: Mapped[str | None] = mapped_column(String(30))
    aid_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    project_stage: Mapped[str | None] = mapped_column(String(30))


class OwnerSection:
    """B — promoter comes from the organisation; the maître d'ouvrage when it differs."""

    owner_is_promoter: Mapped[bool] = mapped_column(default=True)
    owner_name: Mapped[str | None] = mapped_column(String(200))
    owner_siret: Mapped[str | None] = mapped_column(String(14))
    owner_contact: Mapped[str | None] = mapped_column(String(200))
    deliberation_reference: Mapped[str | None] = mapped_column(String(120))
    deliberation_date: Mapped[date | None] = mapped_column(Date)


class TerritorySection:
    """C — territory; the communes themselves are rows of ``dossier_communes``."""

    address: Mapped[str | None] = mapped_column(Text)
    district: Mapped[str | None] = mapped_column(String(160))
    flag_qpv: Mapped[bool] = mapped_column(default=False)
    flag_zus: Mapped[bool] = mapped_column(default=False)
    flag_zrr: Mapped[bool] = mapped_column(default=False)
    flag_zru: Mapped[bool] = mapped_column(default=False)
    cls_signed: Mapped[bool] = mapped_column(default=False)
    cls_reference: Mapped[str | None] = mapped_column(String(160))
    bassin_population: Mapped[int | None] = mapped_column(Integer)
    diagnosis_reference: Mapped[str | None] = mapped_column(String(160))
    diagnosis_date: Mapped[date | None] = mapped_column(Date)
    diagnosis_author: Mapped[str | None] = mapped_column(String(160))
    neighbouring_projects: Mapped[str | None] = mapped_column(Text)


class HealthProjectSection:
    """E — structured items of the health project; objectives are rows of ``health_objectives``."""

    needs_analysis: Mapped[str | None] = mapped_column(Text)
    coordinator_named: Mapped[bool] = mapped_column(default=False)
    team_meetings_per_year: Mapped[int | None] = mapped_column(Integer)
    shared_protocols: Mapped[str | None] = mapped_column(Text)
    opening_hours: Mapped[str | None] = mapped_column(String(200))
    unscheduled_care: Mapped[bool] = mapped_column(default=False)
    pdsa_participation: Mapped[bool] = mapped_column(default=False)
    prevention_programmes: Mapped[str | None] = mapped_column(Text)
    cooperation_protocols: Mapped[str | None] = mapped_column(Text)
    shared_information_system: Mapped[bool] = mapped_column(default=False)
    information_system_tool: Mapped[str | None] = mapped_column(String(160))
    trainees_externes: Mapped[int | None] = mapped_column(Integer)
    trainees_internes: Mapped[int | None] = mapped_column(Integer)
    trainees_paramedical: Mapped[int | None] = mapped_column(Integer)
    regulated_fee_share: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    third_party_payment: Mapped[bool] = mapped_column(default=False)
    articulation: Mapped[str | None] = mapped_column(Text)
    pmr_accessible: Mapped[bool] = mapped_column(default=False)
    pmr_works: Mapped[str | None] = mapped_column(Text)
    professionals_involvement: Mapped[str | None] = mapped_column(Text)
    local_relevance: Mapped[str | None] = mapped_column(Text)


class FeasibilitySection:
    """F — feasibility study."""

    opportunity_study_done: Mapped[bool] = mapped_column(default=False)
    opportunity_study_date: Mapped[date | None] = mapped_column(Date)
    feasibility_status: Mapped[str | None] = mapped_column(String(30))
    feasibility_provider: Mapped[str | None] = mapped_column(String(200))
    feasibility_skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    feasibility_cost_ht: Mapped[Decimal | None] = mapped_column(Money)
    feasibility_cost_ttc: Mapped[Decimal | None] = mapped_column(Money)
    feasibility_subsidy_requested: Mapped[Decimal | None] = mapped_column(Money)
    feasibility_deliverables: Mapped[list[str]] = mapped_column(JSON, default=list)
    feasibility_conclusion: Mapped[str | None] = mapped_column(String(30))
    feasibility_forecast: Mapped[str | None] = mapped_column(Text)


class RealEstateSection:
    """G — real-estate investment."""

    operation_type: Mapped[str | None] = mapped_column(String(30))
    land_status: Mapped[str | None] = mapped_column(String(30))
    land_owner: Mapped[str | None] = mapped_column(String(200))
    surface_m2: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    consulting_rooms: Mapped[int | None] = mapped_column(Integer)
    shared_rooms: Mapped[int | None] = mapped_column(Integer)
    cost_land: Mapped[Decimal | None] = mapped_column(Money)
    cost_works: Mapped[Decimal | None] = mapped_column(Money)
    cost_design_fees: Mapped[Decimal | None] = mapped_column(Money)
    cost_equipment: Mapped[Decimal | None] = mapped_column(Money)
    cost_pmr_works: Mapped[Decimal | None] = mapped_column(Money)
    vat_recoverable: Mapped[bool] = mapped_column(default=False)
    permit_date: Mapped[date | None] = mapped_column(Date)
    works_start_date: Mapped[date | None] = mapped_column(Date)
    delivery_date: Mapped[date | None] = mapped_column(Date)
    opening_date: Mapped[date | None] = mapped_column(Date)
    planned_rent_m2_year: Mapped[Decimal | None] = mapped_column(Money)
    market_rent_m2_year: Mapped[Decimal | None] = mapped_column(Money)
    commitment_years: Mapped[int | None] = mapped_column(Integer)


class CommitmentsSection:
    """J — the commitments the promoter accepts (codes of ``COMMITMENTS``)."""

    accepted_commitments: Mapped[list[str]] = mapped_column(JSON, default=list)
    commitments_signatory: Mapped[str | None] = mapped_column(String(160))
