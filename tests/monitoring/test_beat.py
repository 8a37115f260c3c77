"""Reminders before a report is due and overdue flags, sent once each by the daily beat task."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from grants.extensions import db
from grants.models import Alert, OutboxMessage, ReportingPeriod
from grants.services.document_requests import paris_today
from grants.services.reporting_reminders import reminder_kind, send_due_reminders
from grants.services.reporting_reports import ReportInput, submit_report
from tests.monitoring import support
from worker.schedule import REPORTS_TASK, beat_schedule
from worker.tasks.monitoring import remind_reports


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 6, 40, tzinfo=UTC)


def test_reminder_kinds():
    due = date(2026, 3, 31)
    days = [15, 1]
    assert reminder_kind(due, date(2026, 3, 1), days) is None
    assert reminder_kind(due, date(2026, 3, 16), days) == "d-15"
    assert reminder_kind(due, date(2026, 3, 30), days) == "d-1"
    assert reminder_kind(due, due, days) == "d-1"
    assert reminder_kind(due, date(2026, 4, 1), days) == "overdue"


def test_the_schedule_runs_the_report_reminders_daily():
    entry = next(e for e in beat_schedule().values() if e["task"] == REPORTS_TASK)
    assert entry["schedule"].hour == {6} and entry["schedule"].minute == {40}


def notices(promoter, period) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.recipient_id == promoter.id,
                OutboxMessage.event == "report.reminder",
                OutboxMessage.dedupe_key.like(f"report:{period.id}:%"),
                OutboxMessage.channel == "email",
            )
            .order_by(OutboxMessage.id)
        )
    )


def test_reminders_then_overdue_each_sent_once(promoter):
    agreement = support.make_cpom(promoter, starts_on=date(2030, 1, 1), ends_on=date(2030, 12, 31))
    period = support.period(agreement, "2030")
    assert period.due_on == date(2031, 3, 31)
    semester = support.period(agreement, "2030-S2")  # due 14 February 2031

    assert send_due_reminders(at(date(2031, 3, 1))) == 2  # both half-yearly points overdue
    assert send_due_reminders(at(date(2031, 3, 16))) == 1  # the yearly report: D-15
    assert send_due_reminders(at(date(2031, 3, 17))) == 0  # already sent
    assert [n.subject for n in notices(promoter, period)] == [
        f"Rappel : Rapport annuel 2030 à remettre dans 15 jours — {agreement.dossier.reference}"
    ]
    assert send_due_reminders(at(date(2031, 3, 30))) == 1  # D-1
    assert "demain" in notices(promoter, period)[-1].subject
    assert send_due_reminders(at(date(2031, 4, 2))) == 1  # overdue
    db.session.refresh(period)
    assert period.overdue_since == date(2031, 4, 1)
    assert set(period.reminders) == {"d-15", "d-1", "overdue"}
    [alert] = db.session.scalars(
        select(Alert).where(Alert.period_id == period.id, Alert.rule == "overdue")
    ).all()
    assert alert.level == "warning" and "attendu le 31 mars 2031" in alert.message
    assert send_due_reminders(at(date(2031, 4, 3))) == 0
    assert len(notices(promoter, period)) == 3
    db.session.refresh(semester)
    assert semester.overdue_since == date(2031, 2, 15)

    # Filing the report closes its overdue alert (not the semester's).
    submit_report(
        period,
        ReportInput(rent_m2_year=1, objectives_due=1, objectives_met=1, values={"K6": 5}),
        actor=promoter,
        expected_lock_version=None,
    )
    db.session.refresh(alert)
    assert alert.state == "closed"
    semester_alert = db.session.scalar(select(Alert).where(Alert.period_id == semester.id))
    assert semester_alert.state == "open"


def test_the_beat_task_flags_overdue_reports_once(app, promoter):
    today = paris_today()
    agreement = support.make_cpom(
        promoter, starts_on=today - timedelta(days=400), ends_on=today + timedelta(days=1000)
    )
    overdue = db.session.scalars(
        select(ReportingPeriod).where(
            ReportingPeriod.agreement_id == agreement.id, ReportingPeriod.due_on < today
        )
    ).all()
    assert overdue
    db.session.commit()
    sent = remind_reports.run()  # no broker in these tests: the lock is the process itself
    assert sent >= len(overdue)
    for period in overdue:
        db.session.refresh(period)
        assert period.overdue_since is not None and "overdue" in period.reminders
    assert remind_reports.run() == 0
