"""Piece reviews: a financer accepts or rejects (with a reason) each uploaded piece during its
completeness check; the per-financer matrix the instructor's dossier page shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from grants.extensions import db
from grants.models import Attachment, Dossier, Financer, PieceReview, User
from grants.models.base import utcnow
from grants.permissions import financer_ids
from grants.services import audit
from grants.services.pieces import live_attachments
from grants.workflow.table import INSTRUCTORS

REVIEWABLE_TRACK_STATES = frozenset({"checking"})
STALE_MESSAGE = (
    "Cette pièce a été modifiée entre-temps (examinée par une autre personne) : rechargez la page."
)


class ReviewRefusedError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def review_stamp(review: PieceReview | None) -> str:
    """What the reviewer saw: a later review by someone else makes their save stale (409)."""
    if review is None:
        return ""
    return f"{review.id}:{review.status}:{review.reviewed_at.isoformat()}"


def reviewable_financers(user: User, dossier: Dossier) -> list[Financer]:
    """The targeted financers ``user`` may review pieces for (their own, track still checking)."""
    if user.role not in INSTRUCTORS:
        return []
    mine = financer_ids(user)
    return [
        track.financer
        for track in dossier.tracks
        if track.financer_id in mine and track.state in REVIEWABLE_TRACK_STATES
    ]


def concerns(attachment: Attachment, financer_id: int) -> bool:
    return attachment.financer_id in (None, financer_id)


def review_piece(
    dossier: Dossier,
    attachment: Attachment,
    *,
    actor: User,
    financer_id: int,
    status: str,
    reason: str | None,
    seen_stamp: str | None = None,
) -> PieceReview:
    """Upsert the review of ``attachment`` for ``financer_id``; audited. Raises 403/409/422."""
    if financer_id not in financer_ids(actor) or actor.role not in INSTRUCTORS:
        raise ReviewRefusedError(
            403, "Vous ne pouvez examiner les pièces que pour votre institution."
        )
    if financer_id not in {f.id for f in reviewable_financers(actor, dossier)}:
        raise ReviewRefusedError(
            409, "La complétude de ce dossier est déjà validée pour votre institution."
        )
    if not concerns(attachment, financer_id):
        raise ReviewRefusedError(422, "Cette pièce a été déposée pour un autre cofinanceur.")
    reason = (reason or "").strip() or None
    if status == "rejected" and not reason:
        raise ReviewRefusedError(422, "Indiquez le motif du refus de la pièce.")
    review = db.session.scalar(
        select(PieceReview)
        .where(PieceReview.attachment_id == attachment.id, PieceReview.financer_id == financer_id)
        .with_for_update()
    )
    if seen_stamp is not None and seen_stamp != review_stamp(review):
        raise ReviewRefusedError(409, STALE_MESSAGE)
    values = {
        "status": status,
        "reason": reason if status == "rejected" else None,
        "reviewed_by_id": actor.id,
        "reviewed_at": utcnow(),
    }
    if review is None:
        review = PieceReview(attachment_id=attachment.id, financer_id=financer_id, **values)
        try:
            with db.session.begin_nested():
                db.session.add(review)
                db.session.flush()
        except IntegrityError as exc:  # a colleague reviewed it at the same instant
            raise ReviewRefusedError(409, STALE_MESSAGE) from exc
    else:
        for name, value in values.items():
            setattr(review, name, value)
        db.session.flush()
    db.session.expire(attachment, ["reviews"])
    audit.record(
        "dossier.piece_reviewed",
        actor=actor,
        dossier_id=dossier.id,
        data={
            "attachment_id": attachment.id,
            "piece": attachment.piece_code,
            "financer_id": financer_id,
            "status": status,
            "reason": review.reason,
        },
    )
    return review


@dataclass
class PieceRow:
    """One live attachment and, per targeted financer, its review (None: not reviewed)."""

    attachment: Attachment
    reviews: dict[int, PieceReview | None]
    mandatory_for: set[int]

    def applies_to(self, financer_id: int) -> bool:
        return concerns(self.attachment, financer_id)


def piece_matrix(dossier: Any, pieces: list[Any]) -> list[PieceRow]:
    """Live attachments with each financer's review; reads only loaded collections."""
    mandatory = {p.code: {f.id for f in p.mandatory_for} for p in pieces}
    rows = []
    for attachment in live_attachments(dossier):
        by_financer = {r.financer_id: r for r in attachment.reviews}
        rows.append(
            PieceRow(
                attachment,
                {f.id: by_financer.get(f.id) for f in dossier.financers},
                mandatory.get(attachment.piece_code, set()),
            )
        )
    return rows
