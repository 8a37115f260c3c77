"""Zoning as versioned reference data: schemes (an ARS order), their units and categories, and the
zoning each dossier commune had when the dossier was filed."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.models.base import Base, UTCDateTime, check_in, utcnow
from grants.models.choices import PROFESSION_ZONINGS, ZONING_CATEGORIES, ZONING_UNIT_TYPES

if TYPE_CHECKING:
    from grants.models.reference import Commune


class ZoningScheme(Base):
    """One zoning version for one profession, with its legal reference and validity dates."""

    __tablename__ = "zoning_schemes"
    __table_args__ = (check_in("profession", PROFESSION_ZONINGS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    profession: Mapped[str] = mapped_column(String(20), default="physician")
    legal_reference: Mapped[str] = mapped_column(Text)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    units: Mapped[list[ZoningUnit]] = relationship(
        back_populates="scheme", order_by="ZoningUnit.id", cascade="all, delete-orphan"
    )


class ZoningUnit(Base):
    """A territory of a scheme (commune, grouping, Paris grand quartier, pseudo-canton)."""

    __tablename__ = "zoning_units"
    __table_args__ = (
        check_in("unit_type", ZONING_UNIT_TYPES),
        check_in("category", ZONING_CATEGORIES),
        UniqueConstraint("scheme_id", "name", "unit_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("zoning_schemes.id"), index=True)
    unit_type: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(20))
    # Seeded from a chef-lieu only: an administrator must complete the member communes.
    partial: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(String(200), default="")

    scheme: Mapped[ZoningScheme] = relationship(back_populates="units")
    communes: Mapped[list[ZoningUnitCommune]] = relationship(
        back_populates="unit", cascade="all, delete-orphan"
    )


class ZoningUnitCommune(Base):
    """A commune member of a unit; a commune belongs to at most one unit per scheme."""

    __tablename__ = "zoning_unit_communes"
    __table_args__ = (UniqueConstraint("scheme_id", "insee_code"),)

    unit_id: Mapped[int] = mapped_column(ForeignKey("zoning_units.id"), primary_key=True)
    insee_code: Mapped[str] = mapped_column(ForeignKey("communes.insee_code"), primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("zoning_schemes.id"), index=True)

    unit: Mapped[ZoningUnit] = relationship(back_populates="communes")
    commune: Mapped[Commune] = relationship()


class DossierZoning(Base):
    """The zoning of a dossier commune frozen at submission: later versions never change it."""

    __tablename__ = "dossier_zonings"
    __table_args__ = (
        UniqueConstraint("dossier_id", "insee_code", "scheme_id"),
        check_in("category", ZONING_CATEGORIES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    insee_code: Mapped[str] = mapped_column(ForeignKey("communes.insee_code"))
    scheme_id: Mapped[int] = mapped_column(ForeignKey("zoning_schemes.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("zoning_units.id"))
    category: Mapped[str] = mapped_column(String(20))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version_number: Mapped[int] = mapped_column(Integer, default=1)

    scheme: Mapped[ZoningScheme] = relationship()
    unit: Mapped[ZoningUnit | None] = relationship()
