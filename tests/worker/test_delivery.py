"""Delivery through the real thing: Redis broker, a Celery worker process, SMTP on loopback."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from grants.extensions import db
from grants.models import Notification, OutboxMessage
from grants.models.base import utcnow
from grants.notifications.dispatch import DELIVER_TASK
from grants.notifications.outbox import enqueue
from tests import factories
from tests.helpers.complete_dossier import make_complete_dossier
from tests.worker.support import wait_until

pytestmark = pytest.mark.slow


def _statuses(ids: list[int]) -> dict[int, str]:
    db.session.rollback()  # a fresh snapshot of what the worker committed
    rows = db.session.execute(
        select(OutboxMessage.id, OutboxMessage.status).where(OutboxMessage.id.in_(ids))
    )
    return {row.id: row.status for row in rows}


def _delivered(ids: list[int]) -> bool:
    return set(_statuses(ids).values()) == {"delivered"}


def test_a_transition_is_delivered_by_the_worker_exactly_once(live_app, smtp_sink, start_worker):
    from grants.services.submission import submit_dossier

    handler, _port = smtp_sink
    worker = start_worker()
    promoter = factories.UserFactory()
    factories.MembershipFactory(user=promoter, role="owner")
    instructor = factories.make_staff("dd_instructor", factories.ARS_FINANCERS, departement="77")
    dossier = make_complete_dossier(promoter)
    submit_dossier(dossier, actor=promoter, expected_lock_version=dossier.lock_version)
    db.session.commit()  # the after-commit hook publishes the tasks

    rows = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient_id == instructor.id)
    ).all()
    ids = [row.id for row in rows]
    assert sorted(row.channel for row in rows) == ["email", "inapp"]
    wait_until(lambda: _delivered(ids), timeout=60)
    email_row = next(row for row in rows if row.channel == "email")
    wait_until(lambda: handler.messages, timeout=10)
    assert handler.ids() == [f"<outbox-{email_row.id}@grants>"]
    received = handler.messages[0]
    assert received.to == instructor.email and dossier.reference in received.subject
    assert f"/instruction/dossiers/{dossier.id}" in received.body
    notes = db.session.scalars(select(Notification).where(Notification.user_id == instructor.id))
    assert [n.outbox_id for n in notes] == [next(r.id for r in rows if r.channel == "inapp")]

    # A duplicate task run for the same row sends nothing more.
    celery = live_app.extensions["celery"]
    for row_id in ids:
        result = celery.send_task(DELIVER_TASK, args=[row_id])
        line = worker.wait_for_log(f"{result.id}] succeeded", timeout=30)
        assert "'skipped'" in line
    assert handler.ids() == [f"<outbox-{email_row.id}@grants>"]
    count = select(func.count(Notification.id)).where(Notification.user_id == instructor.id)
    assert db.session.scalar(count) == 1


def test_the_sweep_redispatches_a_row_left_pending(live_app, smtp_sink, start_worker):
    handler, _port = smtp_sink
    user = factories.UserFactory()
    # Written without the after-commit hook (as if the web process died before publishing).
    row = OutboxMessage(
        dedupe_key=f"lost:{user.id}",
        event="test",
        recipient_id=user.id,
        channel="email",
        template="transition",
        subject="Message resté en attente",
        context={"event_label": "Test", "dossier_title": "Projet", "link": "http://x/"},
        status="pending",
        created_at=utcnow() - timedelta(minutes=5),
    )
    db.session.add(row)
    db.session.commit()
    start_worker()
    live_app.extensions["celery"].send_task("grants.notifications.sweep")
    wait_until(lambda: _delivered([row.id]), timeout=60)
    assert handler.ids() == [f"<outbox-{row.id}@grants>"]


def test_digest_mode_sends_one_email_for_the_day(live_app, smtp_sink, start_worker):
    handler, _port = smtp_sink
    worker = start_worker()
    user = factories.UserFactory(notification_mode="daily_digest")
    rows = []
    for number in range(3):
        rows += enqueue(
            event_key=f"digest-test:{number}",
            event="test",
            recipients=[user],
            template="transition",
            subject=f"Événement {number}",
            context={
                "event_label": "Test",
                "dossier_title": "Projet",
                "link": f"http://x/{number}",
            },
            channels=("email",),
        )
    db.session.commit()
    ids = [row.id for row in rows]
    wait_until(lambda: set(_statuses(ids).values()) == {"digest"}, timeout=60)
    assert handler.messages == []

    celery = live_app.extensions["celery"]
    first = celery.send_task("grants.notifications.digest", kwargs={"day": "2026-03-02"})
    second = celery.send_task("grants.notifications.digest", kwargs={"day": "2026-03-02"})
    assert worker.wait_for_log(f"{first.id}] succeeded").endswith(": 1")
    assert worker.wait_for_log(f"{second.id}] succeeded").endswith(": 0")
    wait_until(lambda: handler.messages, timeout=30)
    wait_until(lambda: _delivered(ids), timeout=10)
    assert len(handler.messages) == 1
    digest = handler.messages[0]
    assert digest.to == user.email and "02/03/2026" in digest.subject
    assert all(f"Événement {n}" in digest.body for n in range(3))
