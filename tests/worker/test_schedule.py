"""The beat schedule runs the periodic jobs: sweep, reminders of requests, digest."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from grants.extensions import db
from grants.models import OutboxMessage
from grants.workflow import engine
from worker.schedule import REMIND_TASK, REPORTS_TASK, beat_schedule
from worker.tasks.notifications import remind


def test_the_schedule_names_every_periodic_task():
    tasks = {entry["task"] for entry in beat_schedule().values()}
    assert tasks == {
        "grants.notifications.sweep",
        "grants.notifications.digest",
        REMIND_TASK,
        REPORTS_TASK,
    }


def test_the_reminder_task_reminds_the_promoter_once(app, submitted_dossier, dd_instructor_77):
    from tests.views.document_request_support import financer_id

    engine.fire(
        submitted_dossier,
        "request_documents",
        dd_instructor_77,
        data={
            "items": [{"kind": "piece", "code": "projet_sante", "label": "Projet de santé"}],
            "message": "Merci.",
            "due_on": date.today() + timedelta(days=20),
            "financer_id": financer_id("ARS_IMMO"),
        },
    )
    [request] = submitted_dossier.document_requests
    request.due_on = date.today() + timedelta(days=1)
    db.session.commit()
    assert remind.run() == 1  # no broker here: the lock is the process itself
    reminders = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.template == "reminder")
    ).all()
    assert reminders and {row.dossier_id for row in reminders} == {submitted_dossier.id}
    assert remind.run() == 0  # each (request, kind) reminder is sent once
