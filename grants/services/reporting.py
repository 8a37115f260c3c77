"""The reporting calendar of an agreement (DOMAIN §5.2): one yearly report per calendar year of
the agreement and, for a CPOM, half-yearly data for the délégation départementale, scheduled when
the agreement becomes active; the register of professionals seeded from the dossier at signature.

``schedule_periods`` is idempotent: calling it again (after an amendment changed the end date)
adds only the missing periods and never seeds the register twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from grants.extensions import db
from grants.models import Agreement, Professional, RegisterEntry, ReportingPeriod, User
from grants.models.choices import REPORTING_KINDS
from grants.services import audit, config_versions

# Professionals who only signed a letter of intent are not members of the team at signature.
NOT_IN_REGISTER = frozenset({"letter_of_intent_only"})
MAX_ETP = Decimal("1.5")


@dataclass(frozen=True)
class PlannedPeriod:
    kind: str
    label: str
    starts_on: date
    ends_on: date
    due_on: date


def rules() -> dict[str, Any]:
    """The active ``monitoring_rules`` payload (due days, reminders, thresholds)."""
    return dict(config_versions.active("monitoring_rules").payload)


def plan_periods(
    starts_on: date,
    ends_on: date,
    *,
    semiannual: bool,
    annual_due_days: int,
    semiannual_due_days: int,
) -> list[PlannedPeriod]:
    """Calendar years (and halves) clipped to the agreement, ``ends_on`` being its last day.

    A clipped period of a single day (an agreement ending on 1 January) is not a period.
    """
    planned: list[PlannedPeriod] = []
    for year in range(starts_on.year, ends_on.year + 1):
        halves = (
            [
                ("S1", date(year, 1, 1), date(year, 6, 30)),
                ("S2", date(year, 7, 1), date(year, 12, 31)),
            ]
            if semiannual
            else []
        )
        for half, first, last in halves:
            start, end = max(first, starts_on), min(last, ends_on)
            if end > start:
                due = end + timedelta(days=semiannual_due_days)
                planned.append(PlannedPeriod("semiannual", f"{year}-{half}", start, end, due))
        start, end = max(date(year, 1, 1), starts_on), min(date(year, 12, 31), ends_on)
        if end > start:
            due = end + timedelta(days=annual_due_days)
            planned.append(PlannedPeriod("annual", str(year), start, end, due))
    return sorted(planned, key=lambda p: (p.ends_on, p.kind != "semiannual", p.label))


def schedule_periods(agreement: Agreement, actor: User | None) -> list[ReportingPeriod]:
    """Create the agreement's missing reporting periods and seed its register (flushes).

    Called in the transaction that makes the agreement active; returns the periods created.
    """
    payload = rules()
    planned = plan_periods(
        agreement.starts_on,
        agreement.ends_on,
        semiannual=agreement.kind == "cpom",
        annual_due_days=int(payload["annual_report_due_days"]),
        semiannual_due_days=int(payload["semiannual_report_due_days"]),
    )
    existing = {
        (kind, label)
        for kind, label in db.session.execute(
            select(ReportingPeriod.kind, ReportingPeriod.label).where(
                ReportingPeriod.agreement_id == agreement.id
            )
        )
    }
    created = [
        ReportingPeriod(
            agreement_id=agreement.id,
            kind=p.kind,
            label=p.label,
            starts_on=p.starts_on,
            ends_on=p.ends_on,
            due_on=p.due_on,
            state="due",
        )
        for p in planned
        if (p.kind, p.label) not in existing
    ]
    db.session.add_all(created)
    db.session.flush()
    seeded = seed_register(agreement)
    if created or seeded:
        audit.record(
            "agreement.reporting_scheduled",
            actor=actor,
            dossier_id=agreement.dossier_id,
            data={
                "agreement_id": agreement.id,
                "periods": [f"{REPORTING_KINDS[p.kind]} {p.label}" for p in created],
                "register_seeded": seeded,
            },
        )
    return created


def seed_register(agreement: Agreement) -> int:
    """The dossier's professionals become the register at signature, arrived on the agreement's
    start date (the dossier does not record when each one settled). Once only."""
    has_entries = db.session.scalar(
        select(func.count(RegisterEntry.id)).where(RegisterEntry.agreement_id == agreement.id)
    )
    if has_entries:
        return 0
    professionals = db.session.scalars(
        select(Professional)
        .where(Professional.dossier_id == agreement.dossier_id)
        .order_by(Professional.position, Professional.id)
    ).all()
    entries = [
        RegisterEntry(
            agreement_id=agreement.id,
            last_name=p.last_name,
            first_name=p.first_name,
            profession=p.profession,
            etp=min(p.etp, MAX_ETP),
            arrived_on=agreement.starts_on,
            newly_installed=p.status_in_project == "new_installation",
        )
        for p in professionals
        if p.etp > 0 and p.status_in_project not in NOT_IN_REGISTER
    ]
    db.session.add_all(entries)
    db.session.flush()
    return len(entries)


def periods_of(agreement_id: int) -> list[ReportingPeriod]:
    return list(
        db.session.scalars(
            select(ReportingPeriod)
            .where(ReportingPeriod.agreement_id == agreement_id)
            .order_by(ReportingPeriod.ends_on, ReportingPeriod.kind.desc(), ReportingPeriod.id)
        )
    )
