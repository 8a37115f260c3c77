"""Hand outbox rows to delivery once the transaction that wrote them has committed.

An ``after_commit`` listener on the Flask-SQLAlchemy session takes the ids ``enqueue`` recorded
in ``session.info``. With a broker, it publishes one Celery task per batch of row ids; with none
(the embedded default) it delivers them in-process, each in its own transaction. A publish that
fails (broker down) is only logged: the row stays pending and the beat sweep re-dispatches it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from flask import Flask, current_app, has_app_context
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event
from sqlalchemy.orm import Session

from grants.notifications.outbox import PENDING_KEY

log = logging.getLogger("grants.notifications")

DELIVER_TASK = "grants.notifications.deliver"
BATCH_TASK = "grants.notifications.deliver_batch"
# A transition notifies a handful of people on two channels: one task carries them together.
BATCH_SIZE = 20
_installed = False


def init_app(app: Flask) -> None:
    """Install the session listeners (once per process) and, with a broker, the Celery app."""
    global _installed
    if not _installed:
        event.listen(FlaskSession, "after_commit", _after_commit)
        event.listen(FlaskSession, "after_soft_rollback", _after_soft_rollback)
        _installed = True
    if app.extensions["grants_settings"].broker_url:
        from worker.celery_app import celery_init_app

        celery_init_app(app)


def _after_commit(session: Session) -> None:
    # SQLAlchemy also fires after_commit when a savepoint (begin_nested) is released: the rows
    # are not committed yet, so a delivery session would not see them. Wait for the real commit.
    if session.in_nested_transaction():
        return
    ids = session.info.pop(PENDING_KEY, None)
    if ids and has_app_context():
        dispatch(ids)


def _after_soft_rollback(session: Session, previous_transaction: object) -> None:
    if getattr(previous_transaction, "parent", None) is None:
        session.info.pop(PENDING_KEY, None)


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
