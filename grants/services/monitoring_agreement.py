"""What the monitoring shows of one agreement: its reporting periods, alerts and dialogues, the
register today, indicator trends by year against their targets, and payments against the
schedule (tranches planned, amounts paid per tranche). Read only."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from grants.extensions import db
from grants.models import (
    Agreement,
    Alert,
    IndicatorValue,
    ManagementDialogue,
    PaymentRequest,
    PaymentTranche,
    RegisterEntry,
    ReportingPeriod,
)
from grants.services.charts import ColumnChart, column_chart
from grants.services.reporting import periods_of
from grants.services.reporting_register import entries_of, figures, members

ZERO = Decimal("0.00")
FILED = ("submitted", "validated")
TREND_SERIES = (("value", "Valeur déclarée"), ("target", "Cible"))
# Always charted, even when the agreement sets no target for them (DOMAIN §5.3, 55 M€ follow-up).
ALWAYS_CHARTED = {
    "K1": ("Rotation des professionnels (départs / effectif moyen)", "%", "at_most"),
    "K2": ("Nouveaux professionnels arrivés", "professionnels", "at_least"),
}
LEVEL_ORDER = {"critical": 0, "warning": 1, "info": 2}


@dataclass
class Trend:
    code: str
    label: str
    unit: str
    direction: str
    rows: list[tuple[str, Decimal | None, Decimal | None]]
    chart: ColumnChart


@dataclass
class TrancheLine:
    tranche: PaymentTranche
    paid: Decimal
    due: bool


@dataclass
class AgreementMonitoring:
    agreement: Agreement
    periods: list[ReportingPeriod]
    alerts: list[Alert]
    dialogues: dict[int, ManagementDialogue]
    register: list[RegisterEntry]
    physicians_today: int
    physician_etp_today: Decimal
    heads_today: int
    trends: list[Trend]
    tranches: list[TrancheLine] = field(default_factory=list)

    @property
    def granted(self) -> Decimal:
        return sum((line.tranche.amount for line in self.tranches), ZERO)

    @property
    def planned_to_date(self) -> Decimal:
        return sum((line.tranche.amount for line in self.tranches if line.due), ZERO)

    @property
    def paid(self) -> Decimal:
        return sum((line.paid for line in self.tranches), ZERO)

    @property
    def open_alerts(self) -> list[Alert]:
        return [a for a in self.alerts if a.state != "closed"]


def agreement_monitoring(agreement: Agreement, today: date) -> AgreementMonitoring:
    periods = periods_of(agreement.id)
    alerts = sorted(
        db.session.scalars(select(Alert).where(Alert.agreement_id == agreement.id)),
        key=lambda a: (a.state == "closed", LEVEL_ORDER.get(a.level, 9), -a.id),
    )
    dialogues = {
        d.alert_id: d
        for d in db.session.scalars(
            select(ManagementDialogue)
            .where(ManagementDialogue.agreement_id == agreement.id)
            .order_by(ManagementDialogue.id)
        )
        if d.alert_id is not None
    }
    register = entries_of(agreement.id)
    now = figures(members(register), today, today)
    return AgreementMonitoring(
        agreement=agreement,
        periods=periods,
        alerts=alerts,
        dialogues=dialogues,
        register=register,
        physicians_today=now.physicians_end,
        physician_etp_today=now.physician_etp_end,
        heads_today=now.heads_end,
        trends=trends(agreement, periods),
        tranches=tranche_lines(agreement.id, today),
    )


def trends(agreement: Agreement, periods: list[ReportingPeriod]) -> list[Trend]:
    filed = {p.id: p.label for p in periods if p.kind == "annual" and p.state in FILED}
    years = sorted({p.label for p in periods if p.kind == "annual"})
    values: dict[tuple[str, str], Decimal | None] = {}
    if filed:
        for period_id, code, value in db.session.execute(
            select(IndicatorValue.period_id, IndicatorValue.code, IndicatorValue.value).where(
                IndicatorValue.period_id.in_(list(filed))
            )
        ):
            values[(filed[period_id], code)] = value
    specs = [(i.code, i.label, i.unit, i.direction, i.targets or {}) for i in agreement.indicators]
    known = {code for code, *_ in specs}
    specs += [
        (code, label, unit, direction, {})
        for code, (label, unit, direction) in ALWAYS_CHARTED.items()
        if code not in known
    ]
    result = []
    for code, label, unit, direction, targets in specs:
        rows = [(y, values.get((y, code)), _decimal(targets.get(y))) for y in years]
        chart = column_chart(
            years, TREND_SERIES, {y: {"value": v, "target": t} for y, v, t in rows}
        )
        result.append(Trend(code, label, unit, direction, rows, chart))
    return result


def tranche_lines(agreement_id: int, today: date) -> list[TrancheLine]:
    paid: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for tranche_id, amount in db.session.execute(
        select(PaymentRequest.tranche_id, func.sum(PaymentRequest.amount))
        .where(PaymentRequest.agreement_id == agreement_id, PaymentRequest.state == "paid")
        .group_by(PaymentRequest.tranche_id)
    ):
        paid[tranche_id] = Decimal(amount or 0)
    tranches = db.session.scalars(
        select(PaymentTranche)
        .where(PaymentTranche.agreement_id == agreement_id)
        .order_by(PaymentTranche.position, PaymentTranche.id)
    )
    return [
        TrancheLine(t, paid[t.id], t.planned_on is not None and t.planned_on <= today)
        for t in tranches
    ]


def _decimal(value: object) -> Decimal | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        return Decimal(str(value).replace(",", "."))
    except ArithmeticError:
        return None
