"""Beat schedule: the outbox sweep every minute, reminders of requests for documents at 06:30,
reminders and overdue flags of CPOM reports at 06:40 and the digest at 07:00 Europe/Paris.

Each periodic task takes a Redis lock for its slot (``run_once``), so two beats running by
mistake never run it twice.
"""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab
from flask import current_app

SWEEP_TASK = "grants.notifications.sweep"
DIGEST_TASK = "grants.notifications.digest"
REMIND_TASK = "grants.requests.remind"
REPORTS_TASK = "grants.monitoring.remind"


def beat_schedule() -> dict[str, dict[str, Any]]:
    return {
        "outbox-sweep": {"task": SWEEP_TASK, "schedule": 60.0},
        "document-request-reminders": {
            "task": REMIND_TASK,
            "schedule": crontab(hour=6, minute=30),
        },
        "daily-digest": {"task": DIGEST_TASK, "schedule": crontab(hour=7, minute=0)},
        "report-reminders": {"task": REPORTS_TASK, "schedule": crontab(hour=6, minute=40)},
    }


def run_once(key: str, ttl_seconds: int) -> bool:
    """True for the first caller of ``key`` within ``ttl_seconds`` (SET NX EX on the broker).

    Keys are per queue: deployments (and test runs) sharing a Redis do not lock each other.
    """
    settings = current_app.extensions["grants_settings"]
    url = settings.broker_url
    if not url.startswith(("redis://", "rediss://")):
        return True  # no shared broker: a single process runs the schedule
    import redis

    client = redis.Redis.from_url(url)
    try:
        return bool(
            client.set(f"grants:lock:{settings.celery_queue}:{key}", "1", nx=True, ex=ttl_seconds)
        )
    finally:
        client.close()
