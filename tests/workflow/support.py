"""Build dossiers and tracks directly in a given state (test data only: the product changes states
through the engine alone), satisfying the database's CHECK constraints."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from sqlalchemy import select

from grants.extensions import db
from grants.models import (
    DocumentRequest,
    Dossier,
    Financer,
    FinancerTrack,
    Opinion,
    User,
)
from grants.models.base import utcnow
from grants.models.choices import DECIDED_TRACK_STATES
from tests import factories

DOSSIER_FINANCERS = ("ARS_IMMO", "REGION_IDF", "DEP_77")
_references = itertools.count(1)


def financers(*codes: str) -> list[Financer]:
    found = {
        f.code: f for f in db.session.scalars(select(Financer).where(Financer.code.in_(codes)))
    }
    return [found[code] for code in codes]


def make_track(dossier: Dossier, financer: Financer, state: str) -> FinancerTrack:
    now = utcnow()
    track = FinancerTrack(
        financer=financer,
        state=state,
        opened_at=now,
        checklist_completed_at=None if state in ("checking", "not_concerned") else now,
        decided_at=now if state in DECIDED_TRACK_STATES else None,
    )
    dossier.tracks.append(track)
    return track


def open_request(dossier: Dossier, requester: User, financer: Financer | None = None) -> None:
    db.session.add(
        DocumentRequest(
            dossier_id=dossier.id,
            financer_id=financer.id if financer else None,
            requested_by_id=requester.id,
            items=[
                {"kind": "piece", "code": "kbis", "label": "Extrait Kbis", "reason": "Illisible"}
            ],
            due_on=date.today() + timedelta(days=30),
            state="open",
        )
    )
    db.session.flush()
    db.session.expire(dossier, ["document_requests"])


def make_dossier(
    owner: User,
    state: str,
    *,
    track_states: dict[str, str] | None = None,
    financer_codes: tuple[str, ...] = DOSSIER_FINANCERS,
    departement: str = "77",
    held_from: str = "completeness_check",
) -> Dossier:
    """A dossier of ``owner``'s first organisation standing in ``state``, with its tracks.

    ``track_states`` maps financer codes to track states (default: every track ``checking``,
    none for a draft). An ``awaiting_documents`` dossier gets an open request and a paused clock.
    """
    now = utcnow()
    organisation = owner.memberships[0].organisation
    dossier = factories.DossierFactory.build(
        organisation=organisation, created_by=owner, state=state, departement_code=departement
    )
    dossier.financers = financers(*financer_codes)
    if state != "draft":
        dossier.reference = f"TEST-WF-{next(_references):05d}"
        dossier.submitted_at = now
    if state == "on_hold":
        dossier.held_from_state = held_from
        dossier.hold_reason = "Consensus local à construire"
        if held_from == "awaiting_documents":
            dossier.clock_paused_at = now
    if state == "awaiting_documents":
        dossier.clock_paused_at = now
    db.session.add(dossier)
    if state != "draft":
        wanted = track_states or {code: "checking" for code in financer_codes}
        for financer in dossier.financers:
            if financer.code in wanted:
                make_track(dossier, financer, wanted[financer.code])
    db.session.flush()
    if state == "awaiting_documents" or (state == "on_hold" and held_from == "awaiting_documents"):
        open_request(dossier, owner)
    return dossier


def give_opinion(dossier: Dossier, author: User, source: str, financer_code: str | None) -> None:
    financer = financers(financer_code)[0] if financer_code else None
    db.session.add(
        Opinion(
            dossier_id=dossier.id,
            financer_id=financer.id if financer else None,
            author_id=author.id,
            source=source,
            recommendation="favourable",
            text="Projet cohérent avec le diagnostic territorial.",
        )
    )
    db.session.flush()
    db.session.expire(dossier, ["opinions"])


def member_of(owner: User) -> User:
    """Another user, plain member of ``owner``'s organisation."""
    user = factories.UserFactory()
    factories.MembershipFactory(
        user=user, organisation=owner.memberships[0].organisation, role="member"
    )
    db.session.flush()
    return user


def outsider_promoter() -> User:
    user = factories.UserFactory()
    factories.MembershipFactory(user=user, role="owner")
    db.session.flush()
    return user


def accept_pieces(dossier: Dossier, financer: Financer, reviewer: User) -> None:
    """Record ``financer``'s acceptance of every mandatory piece it asks for."""
    from grants.models import PieceReview
    from grants.services.pieces import required_pieces

    for piece in required_pieces(dossier):
        if financer not in piece.mandatory_for:
            continue
        for attachment in piece.attachments:
            db.session.add(
                PieceReview(
                    attachment_id=attachment.id,
                    financer_id=financer.id,
                    status="accepted",
                    reviewed_by_id=reviewer.id,
                )
            )
            db.session.flush()
            db.session.expire(attachment, ["reviews"])


def track_of(dossier: Dossier, code: str) -> FinancerTrack:
    return next(t for t in dossier.tracks if t.financer.code == code)
