"""Withdrawing a dossier releases what it holds on the envelopes (DOMAIN T17, issue 4)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from grants.extensions import db
from grants.models import Envelope, EnvelopeMovement
from grants.services import ledger
from grants.workflow import engine


def test_withdrawal_releases_the_reservation(submitted_dossier, promoter, ars_instructor):
    envelope = db.session.scalar(select(Envelope).where(Envelope.amount == Decimal("55000000")))
    assert envelope is not None, "the 55 M€ envelope is seeded with the reference data"
    before = envelope.reserved
    ledger.reserve(envelope, submitted_dossier, Decimal("300000"), ars_instructor, "Proposition")
    db.session.refresh(envelope)
    assert envelope.reserved == before + Decimal("300000")
    engine.fire(submitted_dossier, "withdraw", promoter, data={"reason": "Projet abandonné"})
    db.session.refresh(envelope)
    assert submitted_dossier.state == "withdrawn"
    assert envelope.reserved == before
    released = db.session.scalars(
        select(EnvelopeMovement).where(
            EnvelopeMovement.dossier_id == submitted_dossier.id,
            EnvelopeMovement.kind == "released",
        )
    ).all()
    assert [m.amount for m in released] == [Decimal("300000.00")]
