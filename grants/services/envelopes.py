"""Which envelope a financer's money for a dossier comes from."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from grants.extensions import db
from grants.models import Envelope


def envelope_for(financer_id: int, on: date | None = None) -> Envelope | None:
    """The financer's envelope open on ``on`` (today by default), the most recent one first;
    None when the financer manages no envelope in the product (its money is not ledgered)."""
    on = on or date.today()
    return db.session.scalar(
        select(Envelope)
        .where(
            Envelope.financer_id == financer_id,
            Envelope.opens_on <= on,
            Envelope.closes_on >= on,
        )
        .order_by(Envelope.opens_on.desc(), Envelope.id.desc())
        .limit(1)
    )
