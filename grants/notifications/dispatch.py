"""Hand outbox rows to delivery once the transaction that wrote them has committed.

``enqueue`` defers the new row ids to the end of the transaction (``grants.after_commit``). With
a broker, they are published as one Celery task per batch of row ids; with none (the embedded
default) they are delivered in-process. A publish that
fails (broker down) is only logged: the row stays pending and the beat sweep re-dispatches it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from flask import Flask, current_app

from grants import after_commit
from grants.notifications.outbox import PENDING_KEY

log = logging.getLogger("grants.notifications")

DELIVER_TASK = "grants.notifications.deliver"
BATCH_TASK = "grants.notifications.deliver_batch"
# A transition notifies a handful of people on two channels: one task carries them together.
BATCH_SIZE = 20


def init_app(app: Flask) -> None:
    """With a broker, set up the Celery app that delivery publishes to."""
    if app.extensions["grants_settings"].broker_url:
        from worker.celery_app import celery_init_app

        celery_init_app(app)


def dispatch(ids: Iterable[int]) -> None:
    """Publish the ids in batches, or deliver in-process when no broker is configured."""
    ids = list(dict.fromkeys(ids))
    celery = current_app.extensions.get("celery")
    if celery is None:
        deliver_in_process(ids)
        return
    try:
        for start in range(0, len(ids), BATCH_SIZE):
            celery.send_task(BATCH_TASK, args=[ids[start : start + BATCH_SIZE]])
    except Exception:  # the rows stay pending: the sweep publishes them again
        log.exception("could not publish %d outbox rows; the sweep will retry", len(ids))


def deliver_in_process(ids: Iterable[int]) -> None:
    """The embedded default: the task body, run here; a failure leaves the row for the sweep."""
    from grants.notifications.delivery import deliver_rows

    try:
        outcomes = deliver_rows(ids)
    except Exception:
        log.exception("in-process delivery of outbox rows %s failed", list(ids))
        return
    for outcome in outcomes:
        if outcome.error is not None:
            log.error(
                "in-process delivery of outbox %s failed: %s", outcome.outbox_id, outcome.error
            )


after_commit.register(PENDING_KEY, dispatch)
