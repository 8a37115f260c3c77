"""The ARS monitor's dashboard: every active CPOM the user follows in one list, commitments at
risk first (open critical, then warning alerts), filters and breakdowns by département and
zoning category, indicator trends by year, payments against the schedule.

A fixed handful of queries whatever the number of agreements; nothing here writes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from grants.extensions import db
from grants.models import (
    Agreement,
    Alert,
    Departement,
    Dossier,
    IndicatorValue,
    PaymentRequest,
    PaymentTranche,
    ReportingPeriod,
    User,
)
from grants.models.choices import ZONING_CATEGORIES
from grants.services.monitoring import agreement_filter
from grants.services.zoning import ZONING_PRIORITY, zoning_categories

ZERO = Decimal("0.00")
LEVEL_ORDER = {"critical": 0, "warning": 1, "info": 2}
NOT_GIVEN = "non renseigné"
FILED = ("submitted", "validated")
LEVEL_FILTERS = {
    "": "Tous les contrats",
    "critical": "Alerte critique ouverte",
    "warning": "Alerte de vigilance ouverte (sans alerte critique)",
    "at_risk": "Tous les contrats à risque",
    "none": "Sans alerte ouverte",
}


@dataclass
class PaymentProgress:
    granted: Decimal = ZERO
    planned_to_date: Decimal = ZERO
    paid: Decimal = ZERO
    suspended: int = 0

    @property
    def behind(self) -> Decimal:
        return max(self.planned_to_date - self.paid, ZERO)


@dataclass
class CpomRow:
    agreement: Agreement
    departement: str
    departement_label: str
    zoning: str
    alerts: list[Alert] = field(default_factory=list)
    overdue: list[ReportingPeriod] = field(default_factory=list)
    next_due: ReportingPeriod | None = None
    payments: PaymentProgress = field(default_factory=PaymentProgress)

    @property
    def critical(self) -> int:
        return sum(1 for a in self.alerts if a.level == "critical")

    @property
    def warning(self) -> int:
        return sum(1 for a in self.alerts if a.level == "warning")

    @property
    def risk(self) -> str:
        return "critical" if self.critical else "warning" if self.warning else "none"

    @property
    def zoning_label(self) -> str:
        return ZONING_CATEGORIES.get(self.zoning, NOT_GIVEN)

    def sort_key(self) -> tuple[int, int, int, str]:
        return (-self.critical, -self.warning, -len(self.overdue), self.agreement.reference)


@dataclass(frozen=True)
class Filters:
    departement: str = ""
    zoning: str = ""
    level: str = ""

    def keep(self, row: CpomRow) -> bool:
        if self.departement and row.departement != self.departement:
            return False
        if self.zoning and row.zoning != self.zoning:
            return False
        return _level_matches(self.level, row)


def _level_matches(level: str, row: CpomRow) -> bool:
    if level == "critical":
        return row.risk == "critical"
    if level == "warning":
        return row.risk == "warning"
    if level == "at_risk":
        return row.risk != "none"
    if level == "none":
        return row.risk == "none"
    return True


@dataclass
class Breakdown:
    key: str
    label: str
    cpoms: int = 0
    critical: int = 0
    warning: int = 0


@dataclass
class Board:
    rows: list[CpomRow]
    total: int
    by_departement: list[Breakdown]
    by_zoning: list[Breakdown]
    trends: dict[str, list[tuple[str, Decimal | None]]]
    departements: list[tuple[str, str]]
    zonings: list[tuple[str, str]]


def dashboard(user: User, filters: Filters, today: date) -> Board:
    agreements = list(
        db.session.scalars(
            select(Agreement)
            .join(Dossier, Dossier.id == Agreement.dossier_id)
            .where(Agreement.kind == "cpom", Agreement.state == "active", agreement_filter(user))
            .options(selectinload(Agreement.dossier).selectinload(Dossier.organisation))
        )
    )
    rows = build_rows(agreements, today)
    kept = sorted((row for row in rows if filters.keep(row)), key=CpomRow.sort_key)
    return Board(
        rows=kept,
        total=len(rows),
        by_departement=_breakdown(kept, lambda r: (r.departement, r.departement_label)),
        by_zoning=_breakdown(kept, lambda r: (r.zoning, r.zoning_label)),
        trends=trends([row.agreement.id for row in kept]),
        departements=sorted({(r.departement, r.departement_label) for r in rows if r.departement}),
        zonings=[
            (code, ZONING_CATEGORIES[code])
            for code in ZONING_PRIORITY
            if code in {r.zoning for r in rows}
        ],
    )


def build_rows(agreements: list[Agreement], today: date) -> list[CpomRow]:
    ids = [a.id for a in agreements]
    dossier_ids = [a.dossier_id for a in agreements]
    departements = departement_names({a.dossier.departement_code for a in agreements})
    zonings = zoning_categories(dossier_ids)
    rows = {
        a.id: CpomRow(
            agreement=a,
            departement=a.dossier.departement_code or "",
            departement_label=departement_label(a.dossier.departement_code, departements),
            zoning=zonings.get(a.dossier_id, ""),
        )
        for a in agreements
    }
    if not ids:
        return []
    for alert in db.session.scalars(
        select(Alert).where(Alert.agreement_id.in_(ids), Alert.state != "closed")
    ):
        rows[alert.agreement_id].alerts.append(alert)
    for row in rows.values():
        row.alerts.sort(key=lambda a: (LEVEL_ORDER.get(a.level, 9), a.id))
    for period in db.session.scalars(
        select(ReportingPeriod)
        .where(
            ReportingPeriod.agreement_id.in_(ids), ReportingPeriod.state.in_(("due", "returned"))
        )
        .order_by(ReportingPeriod.due_on, ReportingPeriod.id)
    ):
        row = rows[period.agreement_id]
        if period.state == "due" and period.due_on < today:
            row.overdue.append(period)
        elif row.next_due is None:
            row.next_due = period
    _payments(rows, ids, today)
    return list(rows.values())


def _payments(rows: dict[int, CpomRow], ids: list[int], today: date) -> None:
    for tranche in db.session.scalars(
        select(PaymentTranche).where(PaymentTranche.agreement_id.in_(ids))
    ):
        progress = rows[tranche.agreement_id].payments
        progress.granted += tranche.amount
        if tranche.planned_on is not None and tranche.planned_on <= today:
            progress.planned_to_date += tranche.amount
        progress.suspended += int(tranche.suspended)
    paid = db.session.execute(
        select(PaymentRequest.agreement_id, func.sum(PaymentRequest.amount))
        .where(PaymentRequest.agreement_id.in_(ids), PaymentRequest.state == "paid")
        .group_by(PaymentRequest.agreement_id)
    )
    for agreement_id, amount in paid:
        rows[agreement_id].payments.paid = Decimal(amount or 0)


def _breakdown(rows: Iterable[CpomRow], key) -> list[Breakdown]:  # type: ignore[no-untyped-def]
    lines: dict[str, Breakdown] = {}
    for row in rows:
        code, label = key(row)
        line = lines.setdefault(code, Breakdown(code, label))
        line.cpoms += 1
        line.critical += int(row.risk == "critical")
        line.warning += int(row.risk == "warning")
    return sorted(lines.values(), key=lambda line: (line.key == "", line.key))


def trends(agreement_ids: list[int]) -> dict[str, list[tuple[str, Decimal | None]]]:
    """By year, over the yearly reports filed: mean turnover (K1, %), new professionals (K2,
    sum) and the share of objectives reached (Σ met / Σ due, %)."""
    if not agreement_ids:
        return {"turnover": [], "arrivals": [], "objectives": []}
    periods = db.session.execute(
        select(
            ReportingPeriod.id,
            ReportingPeriod.label,
            ReportingPeriod.objectives_due,
            ReportingPeriod.objectives_met,
        ).where(
            ReportingPeriod.agreement_id.in_(agreement_ids),
            ReportingPeriod.kind == "annual",
            ReportingPeriod.state.in_(FILED),
        )
    ).all()
    years = sorted({label for _id, label, _d, _m in periods})
    by_id = {pid: label for pid, label, _d, _m in periods}
    values: dict[tuple[str, str], list[Decimal]] = defaultdict(list)
    if by_id:
        for period_id, code, value in db.session.execute(
            select(IndicatorValue.period_id, IndicatorValue.code, IndicatorValue.value).where(
                IndicatorValue.period_id.in_(list(by_id)), IndicatorValue.code.in_(("K1", "K2"))
            )
        ):
            if value is not None:
                values[(by_id[period_id], code)].append(Decimal(value))
    due: dict[str, int] = defaultdict(int)
    met: dict[str, int] = defaultdict(int)
    for _id, label, objectives_due, objectives_met in periods:
        if objectives_due and objectives_met is not None:
            due[label] += objectives_due
            met[label] += objectives_met
    return {
        "turnover": [(y, _mean(values.get((y, "K1"), []))) for y in years],
        "arrivals": [(y, sum(values.get((y, "K2"), []), Decimal(0))) for y in years],
        "objectives": [
            (y, (Decimal(met[y]) * 100 / due[y]).quantize(Decimal("0.1")) if due[y] else None)
            for y in years
        ],
    }


def _mean(items: list[Decimal]) -> Decimal | None:
    return (sum(items, Decimal(0)) / len(items)).quantize(Decimal("0.01")) if items else None


def departement_names(codes: set[str | None]) -> dict[str, str]:
    wanted = [code for code in codes if code]
    if not wanted:
        return {}
    rows = db.session.execute(
        select(Departement.code, Departement.name).where(Departement.code.in_(wanted))
    )
    return {code: name for code, name in rows}


def departement_label(code: str | None, names: dict[str, str]) -> str:
    if not code:
        return NOT_GIVEN
    return f"{code} — {names.get(code, code)}"
