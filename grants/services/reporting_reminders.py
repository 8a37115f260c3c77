"""The daily job of the monitoring: reminders before a report's due date (the days listed in
``monitoring_rules.reminder_days_before``), then, once it is overdue, ``overdue_since`` set, an
alert raised and the promoter told. The worker's beat schedule runs it, then commits.

Idempotent: the reminders already sent are kept in ``ReportingPeriod.reminders`` and the outbox
dedupe key derives from them, so running it twice (or on two workers) sends nothing new.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from grants.extensions import db
from grants.models import Agreement, ReportingPeriod
from grants.services import audit
from grants.services.document_requests import paris_today
from grants.services.monitoring_checks import raise_alert
from grants.services.monitoring_notices import notify_reminder, period_title
from grants.services.reporting import rules
from grants.templating import french_date

OVERDUE = "overdue"


def reminder_kind(due_on: date, today: date, days_before: list[int]) -> str | None:
    """The most urgent reminder that applies: "overdue", else "d-N" for the smallest N ≥ the
    days left (reminders at D-15 and D-1: "d-15" from 15 days before, "d-1" the day before)."""
    days_left = (due_on - today).days
    if days_left < 0:
        return OVERDUE
    for days in sorted(set(days_before)):
        if days_left <= days:
            return f"d-{days}"
    return None


def send_due_reminders(now: datetime) -> int:
    """Reminders and overdue flags due at ``now``; returns how many were written (flushes)."""
    today = paris_today(now)
    days_before = [int(d) for d in rules().get("reminder_days_before") or []]
    horizon = today + timedelta(days=max(days_before, default=0))
    periods = db.session.scalars(
        select(ReportingPeriod)
        .join(Agreement, Agreement.id == ReportingPeriod.agreement_id)
        .where(
            ReportingPeriod.state == "due",
            ReportingPeriod.due_on <= horizon,
            Agreement.state == "active",
        )
        .options(selectinload(ReportingPeriod.agreement).selectinload(Agreement.dossier))
        .order_by(ReportingPeriod.due_on, ReportingPeriod.id)
    ).all()
    sent = 0
    for period in periods:
        kind = reminder_kind(period.due_on, today, days_before)
        if kind is None or kind in (period.reminders or {}):
            continue
        try:
            with db.session.begin_nested():
                _remind(period, kind, today, now)
        except (IntegrityError, StaleDataError):  # another run wrote it first
            db.session.expire(period)
            continue
        sent += 1
    return sent


def _remind(period: ReportingPeriod, kind: str, today: date, now: datetime) -> None:
    period.reminders = {**(period.reminders or {}), kind: now.isoformat()}
    if kind == OVERDUE:
        period.overdue_since = period.overdue_since or period.due_on + timedelta(days=1)
        raise_alert(
            period,
            OVERDUE,
            "warning",
            f"{period_title(period)} non remis : il était attendu le {french_date(period.due_on)}.",
            {"due_on": period.due_on.isoformat()},
        )
    db.session.flush()
    notify_reminder(period, kind, (period.due_on - today).days)
    audit.record(
        "report.reminded",
        actor=None,
        dossier_id=period.agreement.dossier_id,
        data={"period_id": period.id, "period": period_title(period), "kind": kind},
    )
    db.session.flush()
