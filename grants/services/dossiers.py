"""Create dossiers and load them with everything a page shows in a bounded number of queries."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.interfaces import ORMOption

from grants.extensions import db
from grants.models import (
    CostLine,
    Dossier,
    DossierVersion,
    HealthObjective,
    OperatingLine,
    Organisation,
    Professional,
    ResourceLine,
    User,
)
from grants.services import audit


def create_dossier(*, actor: User, organisation: Organisation, title: str) -> Dossier:
    dossier = Dossier(
        organisation=organisation, created_by=actor, title=title.strip(), state="draft"
    )
    db.session.add(dossier)
    db.session.flush()
    audit.record(
        "dossier.created",
        actor=actor,
        dossier_id=dossier.id,
        data={"title": dossier.title, "organisation_id": organisation.id},
    )
    return dossier


# Built once: loader options are immutable, and building them costs more than one might think.
# The short collections (a few communes, financers, versions) come joined in the dossier's own
# query; the long ones (attachments, rows) each take one more query, never one per row.
PAGE_OPTIONS: tuple[ORMOption, ...] = (
    joinedload(Dossier.organisation),
    joinedload(Dossier.financers),
    joinedload(Dossier.communes),
    joinedload(Dossier.versions).defer(DossierVersion.payload),
    selectinload(Dossier.attachments),
)
FULL_DOSSIER_OPTIONS: tuple[ORMOption, ...] = PAGE_OPTIONS + (
    selectinload(Dossier.professionals),
    selectinload(Dossier.objectives),
    selectinload(Dossier.operating_lines),
    selectinload(Dossier.cost_lines),
    selectinload(Dossier.resource_lines),
)


def full_dossier_options() -> tuple[ORMOption, ...]:
    """Eager-loading options for every collection a dossier page renders."""
    return FULL_DOSSIER_OPTIONS


def load_full(dossier_id: int) -> Dossier | None:
    return db.session.scalar(
        select(Dossier).where(Dossier.id == dossier_id).options(*full_dossier_options())
    )


# Collections a read-only page shows as plain rows: ORM objects cost ~15 µs each to build.
PLAIN_ROW_TABLES = {
    "professionals": Professional.__table__,
    "objectives": HealthObjective.__table__,
    "operating_lines": OperatingLine.__table__,
    "cost_lines": CostLine.__table__,
    "resource_lines": ResourceLine.__table__,
}


class DossierPage:
    """Read model of a dossier for pages: the ORM dossier, its repeating rows as plain rows.

    Attribute access falls through to the dossier, so templates, ``blocking_problems`` and the
    aggregates read it as they read a ``Dossier``; the rows are SQLAlchemy ``Row`` objects with
    the same attribute names. Never pass it to a service that changes the dossier.
    """

    def __init__(self, dossier: Dossier, rows: dict[str, list[Any]]) -> None:
        self._dossier = dossier
        self.__dict__.update(rows)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._dossier, name)


def page_options() -> tuple[ORMOption, ...]:
    """Eager loads for ``load_page``: everything but the repeating rows."""
    return PAGE_OPTIONS


def load_page(dossier: Dossier) -> DossierPage:
    """Wrap a dossier loaded with ``page_options`` and fetch its rows without the ORM."""
    rows = {
        name: db.session.execute(
            select(table).where(table.c.dossier_id == dossier.id).order_by(table.c.position)
        ).all()
        for name, table in PLAIN_ROW_TABLES.items()
    }
    return DossierPage(dossier, rows)
