"""Deliver outbox rows, exactly once: lock, check they are still pending, deliver, commit.

The same functions run in Celery tasks and, with no broker, in-process right after the commit
that wrote the rows. A batch (the rows one transaction wrote) is delivered in two steps:

1. one transaction locks every row of the batch and settles those whose delivery has no effect
   outside the database (in-app notifications, emails folded into a daily digest, inactive
   recipients): all or nothing, so a crash can neither lose nor duplicate them;
2. each email then gets a transaction of its own (lock, send, mark delivered, commit), which
   keeps the window between the SMTP server's acknowledgement and the commit to one message.

Plain Core statements, no ORM unit of work: delivery is the hot path of every transition.
A failure leaves the row pending with its attempt count and last error recorded.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, text, update
from sqlalchemy.engine import Connection, RowMapping

from grants import after_commit
from grants.models import Notification, OutboxMessage, User
from grants.models.base import utcnow
from grants.notifications.channels import Recipient, send_email

log = logging.getLogger("grants.notifications")

MAX_ATTEMPTS = 6
OUTBOX = OutboxMessage.__table__
USERS = User.__table__
NOTIFICATIONS = Notification.__table__


@dataclass(frozen=True)
class Outcome:
    """What one delivery attempt did: ``delivered``, ``digest``, ``failed`` (inactive recipient),
    ``skipped`` (no longer pending), ``locked`` (another worker holds it) or ``error``."""

    status: str
    outbox_id: int
    error: BaseException | None = None


@contextmanager
def transaction() -> Iterator[Connection]:
    """A transaction of its own (a savepoint when tests bind the session to one connection)."""
    bind = after_commit.own_bind()
    if isinstance(bind, Connection):
        with bind.begin_nested():
            yield bind
        return
    with bind.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Delivery bookkeeping need not wait for the WAL flush: a database crash can at
            # worst resend a message (same Message-ID); a worker crash loses nothing.
            connection.execute(text("SET LOCAL synchronous_commit = off"))
        yield connection


# Built once: constructing statements costs more than executing them on this hot path.
_IDS = bindparam("ids", expanding=True)
_SELECT_ROWS = (
    select(
        OUTBOX.c.id,
        OUTBOX.c.channel,
        OUTBOX.c.template,
        OUTBOX.c.subject,
        OUTBOX.c.context,
        OUTBOX.c.status,
        OUTBOX.c.dossier_id,
        OUTBOX.c.recipient_id,
        USERS.c.email,
        USERS.c.full_name,
        USERS.c.active,
        USERS.c.notification_mode,
    )
    .outerjoin(USERS, USERS.c.id == OUTBOX.c.recipient_id)
    .where(OUTBOX.c.id.in_(_IDS))
    .order_by(OUTBOX.c.id)
)
_LOCK_ROWS = _SELECT_ROWS.with_for_update(skip_locked=True, of=OUTBOX)
_SQLITE_WRITE_LOCK = update(OUTBOX).where(OUTBOX.c.id.in_(_IDS)).values(attempts=OUTBOX.c.attempts)
_MARK = (
    update(OUTBOX)
    .where(OUTBOX.c.id.in_(_IDS))
    .values(
        status=bindparam("new_status", type_=OUTBOX.c.status.type),
        attempts=OUTBOX.c.attempts + 1,
        delivered_at=bindparam("at", type_=OUTBOX.c.delivered_at.type),
        last_error=bindparam("error"),
    )
)


def lock_rows(connection: Connection, ids: list[int]) -> list[RowMapping]:
    """Lock the rows for this transaction, with their recipient; rows another worker holds are
    left out. PostgreSQL: ``FOR UPDATE SKIP LOCKED``. SQLite has no row locks: a no-op UPDATE
    takes the database write lock first, so concurrent deliveries run one after the other and
    the second sees the rows delivered."""
    if connection.dialect.name == "sqlite":
        connection.execute(_SQLITE_WRITE_LOCK, {"ids": ids})
        return list(connection.execute(_SELECT_ROWS, {"ids": ids}).mappings())
    return list(connection.execute(_LOCK_ROWS, {"ids": ids}).mappings())


def deliver_rows(ids: Iterable[int]) -> list[Outcome]:
    """Deliver a batch; a failed email is recorded on its row and reported as ``error``."""
    ids = list(dict.fromkeys(int(i) for i in ids))
    if not ids:
        return []
    outcomes, emails = _settle_without_sending(ids)
    for outbox_id in emails:
        try:
            outcomes.append(deliver(outbox_id))
        except Exception as exc:  # recorded on the row by deliver
            outcomes.append(Outcome("error", outbox_id, exc))
    return outcomes


def _settle_without_sending(ids: list[int]) -> tuple[list[Outcome], list[int]]:
    """Step 1: settle in one transaction every row that needs no email sent; return the ids of
    the emails to send."""
    outcomes: list[Outcome] = []
    emails: list[int] = []
    with transaction() as connection:
        rows = lock_rows(connection, ids)
        found = {row["id"] for row in rows}
        outcomes += [Outcome("locked", i) for i in ids if i not in found]
        now = utcnow()
        settled: dict[str, list[int]] = {"delivered": [], "digest": [], "failed": []}
        notifications = []
        for row in rows:
            if row["status"] != "pending":
                outcomes.append(Outcome("skipped", row["id"]))
                continue
            status = _status_without_sending(row)
            if status is None:
                emails.append(row["id"])
                continue
            settled[status].append(row["id"])
            outcomes.append(Outcome(status, row["id"]))
            if status == "delivered":
                notifications.append(notification_values(row, now))
        if notifications:
            # The rows are locked and still pending, and a notification is only ever written
            # in the transaction that marks its row delivered: none exists yet (unique outbox_id).
            connection.execute(insert(NOTIFICATIONS), notifications)
        for status, settled_ids in settled.items():
            if settled_ids:
                _mark(connection, settled_ids, status, now)
    return outcomes, emails


def _status_without_sending(row: RowMapping) -> str | None:
    if row["email"] is None or not row["active"]:
        return "failed"
    if row["channel"] == "inapp":
        return "delivered"
    if row["template"] != "digest" and row["notification_mode"] == "daily_digest":
        return "digest"
    return None


def _mark(connection: Connection, ids: list[int], status: str, now: datetime) -> None:
    connection.execute(
        _MARK,
        {
            "ids": ids,
            "new_status": status,
            "at": now if status == "delivered" else None,
            "error": "destinataire inactif" if status == "failed" else None,
        },
    )


def deliver(outbox_id: int, *, final_attempt: bool = False) -> Outcome:
    """Deliver one row if it is still pending; raise on a delivery failure (after recording it,
    and marking the row failed when it was the last attempt)."""
    try:
        with transaction() as connection:
            rows = lock_rows(connection, [outbox_id])
            if not rows:
                return Outcome("locked", outbox_id)
            row = rows[0]
            if row["status"] != "pending":
                return Outcome("skipped", outbox_id)
            now = utcnow()
            status = _status_without_sending(row)
            if status is None:
                # The message leaves only once the row is locked; the SMTP server's
                # acknowledgement is what "delivered" means, and the commit follows at once.
                send_email(row, Recipient(row["email"], row["full_name"]))
                status = "delivered"
            elif status == "delivered":
                connection.execute(insert(NOTIFICATIONS), [notification_values(row, now)])
            _mark(connection, [outbox_id], status, now)
    except Exception as exc:
        record_failure(outbox_id, exc, final=final_attempt)
        raise
    return Outcome(status, outbox_id)


def notification_values(row: RowMapping, now: datetime) -> dict[str, Any]:
    context = row["context"] or {}
    return {
        "user_id": row["recipient_id"],
        "outbox_id": row["id"],
        "dossier_id": row["dossier_id"],
        "title": row["subject"][:200],
        "body": notification_body(context),
        "link": str(context.get("link") or "")[:300],
        "created_at": now,
    }


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
    values: dict[str, Any] = {
        "attempts": OUTBOX.c.attempts + 1,
        "last_error": f"{type(exc).__name__}: {exc}"[:2000],
    }
    if final:
        values["status"] = "failed"
    with transaction() as connection:
        connection.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id == outbox_id, OUTBOX.c.status == "pending")
            .values(**values)
        )
    log.warning("outbox %s delivery failed (%s)", outbox_id, type(exc).__name__)
