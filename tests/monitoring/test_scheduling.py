"""Reporting periods scheduled when an agreement becomes active, and the register seeded."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from grants.extensions import db
from grants.models import AuditEvent, RegisterEntry, ReportingPeriod
from grants.services.reporting import plan_periods, schedule_periods
from tests.monitoring import support


def test_calendar_years_and_halves_are_clipped_to_the_agreement():
    planned = plan_periods(
        date(2026, 7, 1),
        date(2028, 6, 30),
        semiannual=True,
        annual_due_days=90,
        semiannual_due_days=45,
    )
    assert [(p.kind, p.label) for p in planned] == [
        ("semiannual", "2026-S2"),
        ("annual", "2026"),
        ("semiannual", "2027-S1"),
        ("semiannual", "2027-S2"),
        ("annual", "2027"),
        ("semiannual", "2028-S1"),
        ("annual", "2028"),
    ]
    first = planned[1]
    assert (first.starts_on, first.ends_on, first.due_on) == (
        date(2026, 7, 1),
        date(2026, 12, 31),
        date(2027, 3, 31),
    )
    assert planned[-1].ends_on == date(2028, 6, 30) and planned[-2].due_on == date(2028, 8, 14)
    # Conventions only report yearly; a one-day tail is no period.
    yearly = plan_periods(
        date(2026, 1, 1), date(2027, 1, 1), semiannual=False, annual_due_days=90,
        semiannual_due_days=45,
    )  # fmt: skip
    assert [p.label for p in yearly] == ["2026"]


def test_scheduling_creates_the_periods_and_seeds_the_register_once(promoter):
    agreement = support.make_cpom(promoter, schedule=False)
    created = schedule_periods(agreement, None)
    assert len(created) == 15  # 2025–2029: five yearly reports and ten half-yearly points
    annual = support.period(agreement, "2025")
    assert annual.kind == "annual" and annual.state == "due"
    assert annual.due_on == date(2026, 3, 31)  # 90 days after the year, per monitoring_rules
    assert support.period(agreement, "2025-S1").due_on == date(2025, 8, 14)
    entries = db.session.scalars(
        select(RegisterEntry).where(RegisterEntry.agreement_id == agreement.id)
    ).all()
    assert len(entries) == 5
    assert {e.arrived_on for e in entries} == {agreement.starts_on}
    assert {e.last_name for e in entries if e.newly_installed} == {"Durand", "Nguyen"}
    assert all(e.declared_in_period_id is None for e in entries)
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "agreement.reporting_scheduled")
    )
    assert event.dossier_id == agreement.dossier_id and event.data["register_seeded"] == 5

    # Idempotent: nothing new, the register is not seeded twice.
    assert schedule_periods(agreement, None) == []
    count = select(func.count(ReportingPeriod.id)).where(
        ReportingPeriod.agreement_id == agreement.id
    )
    assert db.session.scalar(count) == 15
    assert (
        db.session.scalar(
            select(func.count(RegisterEntry.id)).where(RegisterEntry.agreement_id == agreement.id)
        )
        == 5
    )

    # An amendment extending the agreement: only the missing periods are added.
    agreement.ends_on = date(2030, 6, 30)
    db.session.flush()
    added = schedule_periods(agreement, None)
    assert sorted(p.label for p in added) == ["2030", "2030-S1"]


def test_a_convention_gets_yearly_reports_only(promoter):
    agreement = support.make_cpom(promoter, schedule=False)
    agreement.kind = "convention"
    db.session.flush()
    created = schedule_periods(agreement, None)
    assert {p.kind for p in created} == {"annual"} and len(created) == 5
