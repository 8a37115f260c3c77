"""What beat runs: the sweep of rows left pending and the daily digest, both idempotent.

The digest is itself an outbox row (dedupe key ``digest:<user>:<day>``) delivered like any
other, so building it twice the same day writes nothing new and it is sent once.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from grants.after_commit import own_session
from grants.models import OutboxMessage
from grants.models.base import utcnow
from grants.notifications.delivery import MAX_ATTEMPTS


def stale_pending_ids(older_than_seconds: int, limit: int = 1000) -> list[int]:
    """Pending rows older than the threshold (their first dispatch was lost or failed)."""
    cutoff = utcnow() - timedelta(seconds=older_than_seconds)
    with own_session() as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status == "pending", OutboxMessage.attempts >= MAX_ATTEMPTS)
            .values(status="failed")
        )
        ids = list(
            session.scalars(
                select(OutboxMessage.id)
                .where(OutboxMessage.status == "pending", OutboxMessage.created_at <= cutoff)
                .order_by(OutboxMessage.id)
                .limit(limit)
            )
        )
        session.commit()
    return ids


def build_digests(day: date) -> list[int]:
    """One digest row per user with rows waiting for it; returns the new digest rows' ids."""
    created: list[int] = []
    with own_session() as session:
        users = list(
            session.scalars(
                select(OutboxMessage.recipient_id)
                .where(OutboxMessage.status == "digest")
                .distinct()
                .order_by(OutboxMessage.recipient_id)
            )
        )
        for user_id in users:
            digest_id = _build_one(session, user_id, day)
            if digest_id is not None:
                created.append(digest_id)
        session.commit()
    return created


def _build_one(session: Session, user_id: int, day: date) -> int | None:
    key = f"digest:{user_id}:{day.isoformat()}"
    if session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)):
        return None
    rows = list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.recipient_id == user_id, OutboxMessage.status == "digest")
            .order_by(OutboxMessage.created_at, OutboxMessage.id)
        )
    )
    entries = [
        {"subject": row.subject, "link": str((row.context or {}).get("link") or "")} for row in rows
    ]
    day_label = day.strftime("%d/%m/%Y")
    digest = OutboxMessage(
        dedupe_key=key,
        event="digest",
        recipient_id=user_id,
        channel="email",
        template="digest",
        subject=f"Récapitulatif de vos notifications du {day_label}",
        context={"day": day_label, "entries": entries},
        status="pending",
    )
    session.add(digest)
    now = utcnow()
    for row in rows:
        # Folded into the digest: the digest row now carries their delivery.
        row.status = "delivered"
        row.delivered_at = now
        row.last_error = f"récapitulatif {key}"
    session.flush()
    return digest.id
