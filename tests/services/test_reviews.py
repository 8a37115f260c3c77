"""Piece reviews as a service: upsert per (attachment, financer), refusals."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from grants.extensions import db
from grants.models import Financer, PieceReview
from grants.services.pieces import live_attachments
from grants.services.reviews import ReviewRefusedError, review_piece, review_stamp


def _id(code: str) -> int:
    return db.session.scalar(select(Financer.id).where(Financer.code == code))


def test_upsert_and_stamp(submitted_dossier, region_instructor):
    attachment = live_attachments(submitted_dossier)[0]
    first = review_piece(
        submitted_dossier,
        attachment,
        actor=region_instructor,
        financer_id=_id("REGION_IDF"),
        status="rejected",
        reason="Floue",
    )
    stamp = review_stamp(first)
    second = review_piece(
        submitted_dossier,
        attachment,
        actor=region_instructor,
        financer_id=_id("REGION_IDF"),
        status="accepted",
        reason="ignored",
        seen_stamp=stamp,
    )
    assert second.id == first.id and second.reason is None
    assert len(db.session.scalars(select(PieceReview)).all()) == 1
    with pytest.raises(ReviewRefusedError) as stale:
        review_piece(
            submitted_dossier,
            attachment,
            actor=region_instructor,
            financer_id=_id("REGION_IDF"),
            status="accepted",
            reason=None,
            seen_stamp=stamp,
        )
    assert stale.value.status == 409


def test_refusals(submitted_dossier, region_instructor, committee_secretary):
    attachment = live_attachments(submitted_dossier)[0]
    for actor, code, status, reason, expected in (
        (region_instructor, "ARS_IMMO", "accepted", None, 403),
        (committee_secretary, "ARS_IMMO", "accepted", None, 403),
        (region_instructor, "REGION_IDF", "rejected", " ", 422),
    ):
        with pytest.raises(ReviewRefusedError) as refused:
            review_piece(
                submitted_dossier,
                attachment,
                actor=actor,
                financer_id=_id(code),
                status=status,
                reason=reason,
            )
        assert refused.value.status == expected
