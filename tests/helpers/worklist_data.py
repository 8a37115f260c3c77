"""Filed dossiers for the work-list tests, written straight through the models (fast): state,
reference, submission time, search text, targeted financers, tracks and communes set directly."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from grants.extensions import db
from grants.models import Dossier, DossierCommune, DossierFinancer, Financer, FinancerTrack
from grants.services.search_text import with_folded_words
from tests import factories

_numbers = itertools.count(1)
BASE_TIME = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def financer_id(code: str) -> int:
    return db.session.scalar(select(Financer.id).where(Financer.code == code))


def make_filed(
    organisation=None,  # type: ignore[no-untyped-def]
    *,
    title: str = "Maison de santé",
    departement: str = "77",
    financers: tuple[str, ...] = ("ARS_IMMO", "REGION_IDF"),
    state: str = "completeness_check",
    track_state: str = "checking",
    commune: str | None = "77168",
    search_text: str | None = None,
    submitted_at: datetime | None = None,
    structure_type: str = "msp",
    aid_types: tuple[str, ...] = ("investment_real_estate",),
    reference: str | None = None,
    **columns,  # type: ignore[no-untyped-def]
) -> Dossier:
    number = next(_numbers)
    organisation = organisation or factories.OrganisationFactory()
    creator = factories.UserFactory()
    submitted_at = submitted_at or BASE_TIME + timedelta(minutes=number)
    dossier = Dossier(
        organisation=organisation,
        created_by=creator,
        title=title,
        state=state,
        departement_code=departement,
        reference=reference or f"IDF-2026-{departement}-{number:05d}",
        submitted_at=submitted_at,
        updated_at=submitted_at,
        structure_type=structure_type,
        aid_types=list(aid_types),
        search_text=with_folded_words(search_text if search_text is not None else title),
        **columns,
    )
    if state == "awaiting_documents":
        dossier.clock_paused_at = submitted_at
    db.session.add(dossier)
    db.session.flush()
    for code in financers:
        fid = financer_id(code)
        db.session.add(DossierFinancer(dossier_id=dossier.id, financer_id=fid))
        track = FinancerTrack(dossier_id=dossier.id, financer_id=fid, state=track_state)
        if track_state != "checking":
            track.checklist_completed_at = submitted_at
        db.session.add(track)
    if commune:
        db.session.add(DossierCommune(dossier_id=dossier.id, insee_code=commune, position=0))
    db.session.flush()
    return dossier
