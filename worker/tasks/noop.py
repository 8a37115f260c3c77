"""A task that does nothing: the baseline of bench/notifications.py."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="grants.noop")
def noop(value: int) -> int:
    return value
