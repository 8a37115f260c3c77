"""Notification tasks: deliver one outbox row, sweep rows left pending, build the daily digest."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from celery import Task, shared_task
from flask import current_app

from grants.notifications.delivery import deliver as deliver_row
from grants.notifications.delivery import deliver_rows
from grants.notifications.dispatch import dispatch
from grants.notifications.periodic import build_digests, stale_pending_ids
from worker.schedule import run_once

MAX_RETRIES = 5
PARIS = ZoneInfo("Europe/Paris")


@shared_task(bind=True, name="grants.notifications.deliver", max_retries=MAX_RETRIES)
def deliver(self: Task, outbox_id: int) -> str:
    """Idempotent: a row already delivered (or held by another worker) is left alone."""
    final = self.request.retries >= MAX_RETRIES
    try:
        return deliver_row(int(outbox_id), final_attempt=final).status
    except Exception as exc:
        if final:
            raise
        raise self.retry(exc=exc, countdown=min(5 * 2**self.request.retries, 300)) from exc


@shared_task(name="grants.notifications.deliver_batch")
def deliver_batch(outbox_ids: list[int]) -> dict[str, int]:
    """The rows one transaction wrote (see grants.notifications.delivery for the two steps).

    Exactly-once holds per row: a worker killed mid-batch gets the whole batch back (acks late),
    and the rows already delivered are skipped. A row that fails is handed to ``deliver``, which
    retries it alone with backoff, so one bad address never holds the others back.
    """
    outcomes: dict[str, int] = {}
    for outcome in deliver_rows(outbox_ids):
        status = outcome.status
        if status == "error":
            deliver.apply_async(args=[outcome.outbox_id], countdown=5)
            status = "retrying"
        outcomes[status] = outcomes.get(status, 0) + 1
    return outcomes


@shared_task(name="grants.notifications.sweep")
def sweep() -> int:
    """Re-dispatch rows still pending after ``outbox_sweep_after_seconds``."""
    if not run_once("sweep", 50):
        return 0
    settings = current_app.extensions["grants_settings"]
    ids = stale_pending_ids(settings.outbox_sweep_after_seconds)
    dispatch(ids)
    return len(ids)


@shared_task(name="grants.notifications.digest")
def digest(day: str | None = None) -> int:
    """One digest email per user with rows waiting (once per day, whoever runs it)."""
    target = date.fromisoformat(day) if day else datetime.now(PARIS).date()
    if not run_once(f"digest:{target.isoformat()}", 36 * 3600):
        return 0
    ids = build_digests(target)
    dispatch(ids)
    return len(ids)


@shared_task(name="grants.requests.remind")
def remind() -> int:
    """Reminders of requests for documents (D-7, D-1, overdue), once a day whoever runs it.

    Idempotent on its own (each (request, kind) is sent once); the lock only spares the work.
    """
    from grants.extensions import db
    from grants.models.base import utcnow
    from grants.services.reminders import send_due_reminders

    today = datetime.now(PARIS).date().isoformat()
    if not run_once(f"remind:{today}", 20 * 3600):
        return 0
    count = send_due_reminders(utcnow())
    db.session.commit()  # the outbox rows written are dispatched after this commit
    return count
