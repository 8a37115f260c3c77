"""Repeating rows of the dossier: communes, professionals, objectives, budget and plan lines."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.models.base import Base, Money, check_in
from grants.models.choices import (
    AGE_BANDS,
    AID_TYPES,
    EXERCISE_MODES,
    OPERATING_CATEGORIES,
    OPERATING_LINE_KINDS,
    PROFESSIONS,
    PROJECT_STATUSES,
    RESOURCE_KINDS,
    RESOURCE_STATUSES,
    SECTORS,
)

if TYPE_CHECKING:
    from grants.models.dossier import Dossier
    from grants.models.reference import Commune, Financer


class DossierCommune(Base):
    __tablename__ = "dossier_communes"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    insee_code: Mapped[str] = mapped_column(ForeignKey("communes.insee_code"))
    position: Mapped[int] = mapped_column(Integer, default=0)

    dossier: Mapped[Dossier] = relationship(back_populates="communes")
    commune: Mapped[Commune] = relationship(lazy="joined")


class Professional(Base):
    __tablename__ = "professionals"
    __table_args__ = (
        check_in("profession", PROFESSIONS),
        check_in("exercise_mode", EXERCISE_MODES),
        check_in("status_in_project", PROJECT_STATUSES),
        CheckConstraint("etp >= 0 AND etp <= 1.5", name="etp_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    last_name: Mapped[str] = mapped_column(String(120))
    first_name: Mapped[str] = mapped_column(String(120))
    profession: Mapped[str] = mapped_column(String(40))
    specialty: Mapped[str | None] = mapped_column(String(120))
    exercise_mode: Mapped[str] = mapped_column(String(10))
    status_in_project: Mapped[str] = mapped_column(String(40))
    etp: Mapped[Decimal] = mapped_column(Numeric(4, 2))
    sector: Mapped[str | None] = mapped_column(String(20))
    age_band: Mapped[str | None] = mapped_column(String(10))
    msu: Mapped[bool] = mapped_column(default=False)
    pdsa: Mapped[bool] = mapped_column(default=False)
    contracts: Mapped[list[str]] = mapped_column(JSON, default=list)

    dossier: Mapped[Dossier] = relationship(back_populates="professionals")

    @property
    def profession_label(self) -> str:
        return PROFESSIONS[self.profession]

    @property
    def sector_label(self) -> str:
        return SECTORS.get(self.sector or "", "")

    @property
    def age_band_label(self) -> str:
        return AGE_BANDS.get(self.age_band or "", "")


class HealthObjective(Base):
    __tablename__ = "health_objectives"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    objective: Mapped[str] = mapped_column(Text)
    indicator: Mapped[str] = mapped_column(String(200))
    baseline: Mapped[str | None] = mapped_column(String(60))
    target: Mapped[str] = mapped_column(String(60))
    year: Mapped[int] = mapped_column(Integer)

    dossier: Mapped[Dossier] = relationship(back_populates="objectives")


class OperatingLine(Base):
    """H — one line of the three-year operating budget."""

    __tablename__ = "operating_lines"
    __table_args__ = (
        check_in("kind", OPERATING_LINE_KINDS),
        check_in("category", OPERATING_CATEGORIES),
        CheckConstraint("year_index BETWEEN 1 AND 3", name="year_index_range"),
        CheckConstraint("amount >= 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    year_index: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))
    category: Mapped[str] = mapped_column(String(30))
    label: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal] = mapped_column(Money)

    dossier: Mapped[Dossier] = relationship(back_populates="operating_lines")


class CostLine(Base):
    """I — a cost line of the financing plan, by aid type and year."""

    __tablename__ = "cost_lines"
    __table_args__ = (
        check_in("aid_type", AID_TYPES),
        CheckConstraint("amount >= 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    aid_type: Mapped[str] = mapped_column(String(30))
    year: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal] = mapped_column(Money)

    dossier: Mapped[Dossier] = relationship(back_populates="cost_lines")


class ResourceLine(Base):
    """I — a resource of the financing plan: a co-financer's requested share, own funds, a loan."""

    __tablename__ = "resource_lines"
    __table_args__ = (
        check_in("aid_type", AID_TYPES),
        check_in("kind", RESOURCE_KINDS),
        check_in("status", RESOURCE_STATUSES),
        CheckConstraint("amount >= 0", name="amount_positive"),
        CheckConstraint("kind <> 'financer' OR financer_id IS NOT NULL", name="financer_named"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    aid_type: Mapped[str] = mapped_column(String(30))
    kind: Mapped[str] = mapped_column(String(20))
    financer_id: Mapped[int | None] = mapped_column(ForeignKey("financers.id"))
    label: Mapped[str] = mapped_column(String(200), default="")
    amount: Mapped[Decimal] = mapped_column(Money)
    status: Mapped[str] = mapped_column(String(20), default="requested")

    dossier: Mapped[Dossier] = relationship(back_populates="resource_lines")
    financer: Mapped[Financer | None] = relationship(lazy="joined")
