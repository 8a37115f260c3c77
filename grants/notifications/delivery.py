"""Deliver one outbox row, exactly once: lock it, check it is still pending, send, commit.

The same function runs in a Celery task and, with no broker, in-process right after the commit
that wrote the row. It owns its transaction (one commit), so a failure leaves the row pending
with its attempt count and last error recorded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, text, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, joinedload

from grants.extensions import db
from grants.models import Notification, OutboxMessage
from grants.models.base import utcnow
from grants.notifications.channels import send_email

log = logging.getLogger("grants.notifications")

MAX_ATTEMPTS = 6


@dataclass(frozen=True)
class Outcome:
    """What one delivery attempt did: ``delivered``, ``digest``, ``skipped`` or ``locked``."""

    status: str
    outbox_id: int


def delivery_bind() -> Engine | Connection:
    """The engine, or the connection the request's session is bound to (tests join one)."""
    bind = db.session().bind
    return bind if isinstance(bind, Connection) else db.engine


def open_session() -> Session:
    return Session(
        bind=delivery_bind(), join_transaction_mode="create_savepoint", expire_on_commit=False
    )


def lock_row(session: Session, outbox_id: int) -> OutboxMessage | None:
    """Lock the row for this transaction; None when another worker holds it or it is gone.

    PostgreSQL: ``FOR UPDATE SKIP LOCKED``. SQLite has no row locks: a no-op UPDATE takes the
    database write lock first, so concurrent deliveries run one after the other and the second
    sees the row delivered.
    """
    # The recipient comes in the same round trip (joined), the lock applies to the row only.
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.id == outbox_id)
        .options(joinedload(OutboxMessage.recipient))
    )
    if session.get_bind().dialect.name == "sqlite":
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == outbox_id)
            .values(attempts=OutboxMessage.attempts)
        )
    else:
        query = query.with_for_update(skip_locked=True, of=OutboxMessage)
    return session.scalars(query.execution_options(populate_existing=True)).first()


def deliver(outbox_id: int, *, final_attempt: bool = False) -> Outcome:
    """Deliver the row if it is still pending; raise on a delivery failure (after recording it,
    and marking the row failed when it was the last attempt)."""
    with open_session() as session:
        if session.get_bind().dialect.name == "postgresql":
            # Delivery bookkeeping need not wait for the WAL flush: a database crash can at
            # worst resend a message (same Message-ID); a worker crash loses nothing.
            session.execute(text("SET LOCAL synchronous_commit = off"))
        row = lock_row(session, outbox_id)
        if row is None:
            session.rollback()
            return Outcome("locked", outbox_id)
        if row.status != "pending":
            session.rollback()
            return Outcome("skipped", outbox_id)
        try:
            status = _deliver_locked(session, row)
            session.commit()
        except Exception as exc:
            session.rollback()
            record_failure(outbox_id, exc, final=final_attempt)
            raise
    return Outcome(status, outbox_id)


def _deliver_locked(session: Session, row: OutboxMessage) -> str:
    recipient = row.recipient
    now = utcnow()
    row.attempts = (row.attempts or 0) + 1
    if recipient is None or not recipient.active:
        return _finish(row, "failed", now, "destinataire inactif")
    if row.channel == "inapp":
        _create_notification(session, row, now)
        return _finish(row, "delivered", now)
    if row.template != "digest" and recipient.notification_mode == "daily_digest":
        row.status = "digest"
        return "digest"
    # The message leaves only once the row is locked; the SMTP server's acknowledgement is what
    # "delivered" means, and the commit follows immediately.
    send_email(row, recipient)
    return _finish(row, "delivered", now)


def _finish(row: OutboxMessage, status: str, now: datetime, error: str | None = None) -> str:
    row.status = status
    row.delivered_at = now if status == "delivered" else None
    row.last_error = error
    return status


def _create_notification(session: Session, row: OutboxMessage, now: datetime) -> None:
    # The row is locked and still pending, and a notification is only ever written in the same
    # transaction that marks its row delivered: none exists yet (the unique outbox_id backs it).
    context = row.context or {}
    session.add(
        Notification(
            user_id=row.recipient_id,
            outbox_id=row.id,
            dossier_id=row.dossier_id,
            title=row.subject[:200],
            body=notification_body(context),
            link=str(context.get("link") or "")[:300],
            created_at=now,
        )
    )


def notification_body(context: dict) -> str:
    parts = []
    if context.get("actor"):
        parts.append(f"Par {context['actor']}.")
    if context.get("message"):
        parts.append(str(context["message"]))
    items = [str(item) for item in context.get("items") or [] if item]
    if items:
        parts.append("Éléments demandés : " + " ; ".join(items) + ".")
    if context.get("due_on"):
        parts.append(f"Échéance : {context['due_on']}.")
    return " ".join(parts)


def record_failure(outbox_id: int, exc: BaseException, *, final: bool = False) -> None:
    """Count the attempt and keep the error, in a transaction of its own."""
    with open_session() as session:
        values: dict = {
            "attempts": OutboxMessage.attempts + 1,
            "last_error": f"{type(exc).__name__}: {exc}"[:2000],
        }
        if final:
            values["status"] = "failed"
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == outbox_id, OutboxMessage.status == "pending")
            .values(**values)
        )
        session.commit()
    log.warning("outbox %s delivery failed (%s)", outbox_id, type(exc).__name__)
