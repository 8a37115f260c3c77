"""The daily report reminders through the real thing: Redis broker, a Celery worker process,
SMTP on loopback. Overdue reports are flagged and the promoter emailed, once a day."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from grants.extensions import db
from grants.models import Alert, ReportingPeriod
from grants.services.document_requests import paris_today
from tests import factories
from tests.monitoring.support import make_cpom
from tests.worker.support import wait_until
from worker.schedule import REPORTS_TASK

pytestmark = pytest.mark.slow


def test_the_worker_flags_overdue_reports_and_emails_the_promoter_once(
    live_app, smtp_sink, start_worker
):
    handler, _port = smtp_sink
    worker = start_worker()
    promoter = factories.UserFactory()
    factories.MembershipFactory(user=promoter, role="owner")
    today = paris_today()
    agreement = make_cpom(
        promoter, starts_on=today - timedelta(days=400), ends_on=today + timedelta(days=1000)
    )
    db.session.commit()
    overdue = db.session.scalars(
        select(ReportingPeriod.id).where(
            ReportingPeriod.agreement_id == agreement.id, ReportingPeriod.due_on < today
        )
    ).all()
    assert overdue

    celery = live_app.extensions["celery"]
    first = celery.send_task(REPORTS_TASK)
    line = worker.wait_for_log(f"{first.id}] succeeded", timeout=60)
    assert line.rstrip().endswith(f": {len(overdue)}")
    db.session.rollback()  # a fresh snapshot of what the worker committed
    flagged = db.session.scalars(
        select(ReportingPeriod).where(ReportingPeriod.id.in_(overdue))
    ).all()
    assert all(p.overdue_since is not None and "overdue" in p.reminders for p in flagged)
    alerts = db.session.scalars(
        select(Alert).where(Alert.agreement_id == agreement.id, Alert.rule == "overdue")
    ).all()
    assert len(alerts) == len(overdue)
    wait_until(lambda: len(handler.messages) >= len(overdue), timeout=60)
    assert {m.to for m in handler.messages} == {promoter.email}
    assert all("Rapport en retard" in m.subject for m in handler.messages)

    # The same day again: the lock (and the reminders kept per period) send nothing more.
    second = celery.send_task(REPORTS_TASK)
    assert worker.wait_for_log(f"{second.id}] succeeded", timeout=60).rstrip().endswith(": 0")
    assert len(handler.messages) == len(overdue)
