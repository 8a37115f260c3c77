"""Create dossiers and load them with everything a page shows in a bounded number of queries."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from grants.extensions import db
from grants.models import Dossier, DossierVersion, Organisation, User
from grants.services import audit


def create_dossier(*, actor: User, organisation: Organisation, title: str) -> Dossier:
    dossier = Dossier(
        organisation=organisation, created_by=actor, title=title.strip(), state="draft"
    )
    db.session.add(dossier)
    db.session.flush()
    audit.record(
        "dossier.created",
        stream=f"dossier:{dossier.id}",
        actor=actor,
        dossier_id=dossier.id,
        data={"title": dossier.title, "organisation_id": organisation.id},
    )
    return dossier


def full_dossier_options():  # type: ignore[no-untyped-def]
    """Eager-loading options for every collection a dossier page renders."""
    return (
        selectinload(Dossier.organisation),
        selectinload(Dossier.financers),
        selectinload(Dossier.communes),
        selectinload(Dossier.professionals),
        selectinload(Dossier.objectives),
        selectinload(Dossier.operating_lines),
        selectinload(Dossier.cost_lines),
        selectinload(Dossier.resource_lines),
        selectinload(Dossier.attachments),
        selectinload(Dossier.versions).defer(DossierVersion.payload),
    )


def load_full(dossier_id: int) -> Dossier | None:
    return db.session.scalar(
        select(Dossier).where(Dossier.id == dossier_id).options(*full_dossier_options())
    )
