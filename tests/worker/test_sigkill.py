"""SIGKILL of the worker in the middle of a delivery batch: after a restart every email arrives
exactly once.

The SMTP server holds the k-th message before replying; the test kills the worker (its whole
process group) while that message is still being handled, so the server never acknowledges it
and does not record it (a message counts as delivered only once acknowledged). The row stays
pending, Redis hands the unacknowledged task to the restarted worker after the visibility
timeout (acks_late + reject_on_worker_lost), and it is sent once.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from grants.extensions import db
from grants.models import OutboxMessage
from grants.notifications.outbox import enqueue
from tests import factories
from tests.worker.support import wait_until

pytestmark = pytest.mark.slow

BATCH = 20
KILL_ON = 6


def test_every_email_arrives_once_after_a_sigkill(live_app, smtp_sink, start_worker):
    handler, _port = smtp_sink
    handler.delay = 0.3
    handler.hold_on = KILL_ON
    users = [factories.UserFactory() for _ in range(BATCH)]
    rows = []
    for number, user in enumerate(users):
        rows += enqueue(
            event_key=f"sigkill:{number}",
            event="test",
            recipients=[user],
            template="transition",
            subject=f"Lot {number}",
            context={"event_label": "Test", "dossier_title": "Projet", "link": "http://x/"},
            channels=("email",),
        )
    db.session.commit()
    ids = [row.id for row in rows]

    first = start_worker()
    assert handler.holding.wait(timeout=90), first.text()[-3000:]
    first.kill()  # while the server is still handling message KILL_ON
    handler.release.set()
    wait_until(lambda: handler.dropped == 1, timeout=10)
    assert len(handler.messages) == KILL_ON - 1

    start = time.monotonic()
    start_worker()
    handler.delay = 0.0

    def all_delivered() -> bool:
        db.session.rollback()
        statuses = db.session.scalars(
            select(OutboxMessage.status).where(OutboxMessage.id.in_(ids))
        ).all()
        return set(statuses) == {"delivered"}

    wait_until(all_delivered, timeout=120)
    recovery = time.monotonic() - start
    time.sleep(2)  # room for a late duplicate to show up
    expected = sorted(f"<outbox-{row_id}@grants>" for row_id in ids)
    assert sorted(handler.ids()) == expected  # every Message-ID exactly once
    assert len(handler.ids()) == len(set(handler.ids())) == BATCH
    attempts = db.session.scalars(select(OutboxMessage.attempts).where(OutboxMessage.id.in_(ids)))
    assert set(attempts) == {1}  # the killed attempt was rolled back with its transaction
    print(f"recovered in {recovery:.1f}s after SIGKILL")
