"""Reference data: départements, communes (INSEE) and the financers a dossier can target."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from grants.models.base import Base, check_in
from grants.models.choices import FINANCER_KINDS


class Departement(Base):
    __tablename__ = "departements"

    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    region_code: Mapped[str] = mapped_column(String(3))


class Commune(Base):
    __tablename__ = "communes"

    insee_code: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    search_name: Mapped[str] = mapped_column(String(120), index=True)
    departement_code: Mapped[str] = mapped_column(ForeignKey("departements.code"), index=True)
    region_code: Mapped[str] = mapped_column(String(3))
    population: Mapped[int] = mapped_column(Integer, default=0)
    postal_codes: Mapped[str] = mapped_column(String(200), default="")
    epci_siren: Mapped[str | None] = mapped_column(String(9))

    @property
    def label(self) -> str:
        return f"{self.name} ({self.insee_code})"


class Financer(Base):
    __tablename__ = "financers"
    __table_args__ = (check_in("kind", FINANCER_KINDS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(20))
    departement_code: Mapped[str | None] = mapped_column(ForeignKey("departements.code"))
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)
