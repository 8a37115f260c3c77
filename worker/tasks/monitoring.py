"""Monitoring of commitments: the daily reminders and overdue flags of reporting periods."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from celery import shared_task

from worker.schedule import run_once

PARIS = ZoneInfo("Europe/Paris")


@shared_task(name="grants.monitoring.remind")
def remind_reports() -> int:
    """Reminders before reports are due, then overdue flags and alerts, once a day whoever
    runs it. Idempotent on its own (each (period, kind) is sent once); the lock spares work."""
    from grants.extensions import db
    from grants.models.base import utcnow
    from grants.services.reporting_reminders import send_due_reminders

    today = datetime.now(PARIS).date().isoformat()
    if not run_once(f"monitoring-remind:{today}", 20 * 3600):
        return 0
    count = send_due_reminders(utcnow())
    db.session.commit()  # the outbox rows written are dispatched after this commit
    return count
