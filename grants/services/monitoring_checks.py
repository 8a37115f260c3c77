"""Automatic checks of a reporting period (DOMAIN §5.2): medical activity kept, rent under the
ceiling, share of health-project objectives reached, indicators against their yearly targets.

The checks are pure functions over plain data (``PeriodData`` → ``Finding``); ``run_checks`` is
the thin service that reads a period, evaluates it and keeps one ``Alert`` per (agreement,
period, rule): raised or updated when the check fails, closed when it passes — and a passing
later period closes the alerts the same rule raised on earlier periods.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from grants.extensions import db
from grants.models import Agreement, Alert, IndicatorValue, ReportingPeriod, User
from grants.models.base import utcnow
from grants.services import audit
from grants.templating import french_date, number

ONE = Decimal("1")


@dataclass(frozen=True)
class Thresholds:
    objectives_warning_share: Decimal
    objectives_critical_share: Decimal
    indicator_tolerance: Decimal
    rent_tolerance: Decimal

    @classmethod
    def from_rules(cls, payload: dict[str, Any]) -> Thresholds:
        return cls(
            objectives_warning_share=Decimal(str(payload["objectives_warning_share"])),
            objectives_critical_share=Decimal(str(payload["objectives_critical_share"])),
            indicator_tolerance=Decimal(str(payload["indicator_tolerance"])),
            rent_tolerance=Decimal(str(payload["rent_tolerance"])),
        )


@dataclass(frozen=True)
class IndicatorReading:
    code: str
    label: str
    unit: str
    direction: str  # at_least | at_most
    target: Decimal | None
    value: Decimal | None


@dataclass(frozen=True)
class PeriodData:
    kind: str
    label: str
    ends_on_label: str
    physicians: int
    physician_etp: Decimal
    min_physicians: int | None = None
    min_physician_etp: Decimal | None = None
    rent: Decimal | None = None
    rent_ceiling: Decimal | None = None
    objectives_due: int | None = None
    objectives_met: int | None = None
    indicators: tuple[IndicatorReading, ...] = ()


@dataclass(frozen=True)
class Finding:
    rule: str
    level: str | None  # None: the check passed
    message: str
    details: dict[str, Any] = field(default_factory=dict)


# --- The checks (pure) -----------------------------------------------------------------------


def check_activity(data: PeriodData) -> Finding | None:
    """Physicians present at the period's end (heads and ETP) against the committed minimum."""
    if data.min_physicians is None and data.min_physician_etp is None:
        return None
    short_heads = data.min_physicians is not None and data.physicians < data.min_physicians
    short_etp = data.min_physician_etp is not None and data.physician_etp < data.min_physician_etp
    details = {
        "physicians": data.physicians,
        "physician_etp": str(data.physician_etp),
        "min_physicians": data.min_physicians,
        "min_physician_etp": str(data.min_physician_etp) if data.min_physician_etp else None,
    }
    present = (
        f"{data.physicians} médecin{'s' if data.physicians > 1 else ''} présent"
        f"{'s' if data.physicians > 1 else ''} au {data.ends_on_label} "
        f"({number(data.physician_etp)} ETP)"
    )
    committed = []
    if data.min_physicians is not None:
        committed.append(
            f"au moins {data.min_physicians} médecin{'s' if data.min_physicians > 1 else ''}"
        )
    if data.min_physician_etp is not None:
        committed.append(f"au moins {number(data.min_physician_etp)} ETP")
    commitment = " et ".join(committed)
    if short_heads or short_etp:
        message = (
            f"Activité médicale non maintenue : {present}, alors que la structure s'est "
            f"engagée à {commitment}."
        )
        return Finding("activity", "critical", message, details)
    return Finding("activity", None, f"Activité médicale maintenue : {present}.", details)


def check_rent(data: PeriodData, thresholds: Thresholds) -> Finding | None:
    """Rent charged against the ceiling: within the tolerance above it, a warning."""
    if data.rent_ceiling is None or data.rent is None:
        return None
    details = {"rent": str(data.rent), "ceiling": str(data.rent_ceiling)}
    charged = f"loyer appliqué de {number(data.rent)} €/m²/an"
    ceiling = f"plafond de {number(data.rent_ceiling)} €/m²/an"
    if data.rent <= data.rent_ceiling:
        return Finding("rent", None, f"Loyer modéré respecté : {charged}, {ceiling}.", details)
    tolerated = data.rent_ceiling * (ONE + thresholds.rent_tolerance)
    level = "warning" if data.rent <= tolerated else "critical"
    message = f"Loyer au-dessus du plafond : {charged} pour un {ceiling}."
    return Finding("rent", level, message, details)


def check_objectives(data: PeriodData, thresholds: Thresholds) -> Finding | None:
    """Share of the health-project objectives due that were reached."""
    if not data.objectives_due or data.objectives_met is None:
        return None
    share = Decimal(data.objectives_met) / Decimal(data.objectives_due)
    details = {"due": data.objectives_due, "met": data.objectives_met, "share": str(share)}
    reached = (
        f"{data.objectives_met} objectif{'s' if data.objectives_met > 1 else ''} atteint"
        f"{'s' if data.objectives_met > 1 else ''} sur {data.objectives_due} "
        f"({number(share * 100, 0)} %)"
    )
    if share < thresholds.objectives_critical_share:
        level: str | None = "critical"
    elif share < thresholds.objectives_warning_share:
        level = "warning"
    else:
        return Finding("objectives", None, f"Objectifs du projet de santé : {reached}.", details)
    floor = thresholds.objectives_warning_share * 100
    message = (
        f"Objectifs du projet de santé insuffisamment atteints : {reached}, "
        f"en dessous du seuil de {number(floor, 0)} %."
    )
    return Finding("objectives", level, message, details)


def check_indicator(reading: IndicatorReading, thresholds: Thresholds) -> Finding | None:
    """A value against its yearly target; within the tolerance on the wrong side, a warning."""
    if reading.target is None or reading.value is None:
        return None
    rule = f"indicator:{reading.code}"
    unit = f" {reading.unit}" if reading.unit else ""
    details = {
        "code": reading.code,
        "value": str(reading.value),
        "target": str(reading.target),
        "direction": reading.direction,
    }
    at_least = reading.direction == "at_least"
    passed = reading.value >= reading.target if at_least else reading.value <= reading.target
    text = (
        f"{reading.code} — {reading.label} : {number(reading.value)}{unit} "
        f"pour une cible {'d’au moins' if at_least else 'd’au plus'} {number(reading.target)}{unit}"
    )
    if passed:
        return Finding(rule, None, f"{text}.", details)
    tolerance = thresholds.indicator_tolerance
    bound = reading.target * (ONE - tolerance if at_least else ONE + tolerance)
    near = reading.value >= bound if at_least else reading.value <= bound
    return Finding(
        rule, "warning" if near else "critical", f"Cible non atteinte : {text}.", details
    )


# Indicators whose own check is the dedicated one when the agreement commits to it: one breach,
# one alert (K3 objectives reached, K4 physicians present, K5 rent).
COVERED_BY = {"K3": "objectives", "K4": "activity", "K5": "rent"}
# Checks made on both the second half-year and the year, which end the same day.
SAME_DAY_RULES = frozenset({"activity"})


def evaluate(data: PeriodData, thresholds: Thresholds) -> list[Finding]:
    """Every applicable check of the period; semiannual data carry activity only."""
    findings = [check_activity(data)]
    if data.kind == "annual":
        findings += [check_rent(data, thresholds), check_objectives(data, thresholds)]
        done = {finding.rule for finding in findings if finding is not None}
        findings += [
            check_indicator(reading, thresholds)
            for reading in data.indicators
            if COVERED_BY.get(reading.code) not in done
        ]
    return [finding for finding in findings if finding is not None]


# --- The service -------------------------------------------------------------------------------


def period_data(period: ReportingPeriod) -> PeriodData:
    from grants.services.reporting_register import period_figures

    agreement: Agreement = period.agreement
    figures = period_figures(period)
    values = {
        v.code: v.value
        for v in db.session.scalars(
            select(IndicatorValue).where(IndicatorValue.period_id == period.id)
        )
    }
    readings = tuple(
        IndicatorReading(
            code=indicator.code,
            label=indicator.label,
            unit=indicator.unit,
            direction=indicator.direction,
            target=_decimal((indicator.targets or {}).get(period.label)),
            value=values.get(indicator.code),
        )
        for indicator in agreement.indicators
    )
    return PeriodData(
        kind=period.kind,
        label=period.label,
        ends_on_label=french_date(period.ends_on),
        physicians=figures.physicians_end,
        physician_etp=figures.physician_etp_end,
        min_physicians=agreement.min_physicians,
        min_physician_etp=agreement.min_physician_etp,
        rent=period.rent_m2_year,
        rent_ceiling=agreement.rent_ceiling_m2_year,
        objectives_due=period.objectives_due,
        objectives_met=period.objectives_met,
        indicators=readings,
    )


def run_checks(period: ReportingPeriod, actor: User | None = None) -> list[Finding]:
    """Evaluate ``period`` and bring its alerts in line with the findings (flushes)."""
    from grants.services.reporting import rules

    findings = evaluate(period_data(period), Thresholds.from_rules(rules()))
    for finding in findings:
        if finding.level is None:
            close_alerts(period, finding.rule, actor, reason=finding.message)
        else:
            raise_alert(
                period, finding.rule, finding.level, finding.message, finding.details, actor
            )
    return findings


def raise_alert(
    period: ReportingPeriod,
    rule: str,
    level: str,
    message: str,
    details: dict[str, Any],
    actor: User | None = None,
) -> Alert:
    """Open (or update) the alert of (agreement, period, rule); idempotent. For a check both
    the half-year and the year make (``SAME_DAY_RULES``), a period ending the same day as
    another shares that period's open alert: the same fact is not raised, nor notified, twice."""
    same_day = select(ReportingPeriod.id).where(
        ReportingPeriod.agreement_id == period.agreement_id,
        ReportingPeriod.ends_on == period.ends_on,
        ReportingPeriod.id != period.id,
    )
    alert = db.session.scalar(
        select(Alert).where(
            Alert.agreement_id == period.agreement_id,
            Alert.period_id == period.id,
            Alert.rule == rule,
        )
    )
    if alert is None and rule in SAME_DAY_RULES:
        alert = db.session.scalar(
            select(Alert)
            .where(
                Alert.agreement_id == period.agreement_id,
                Alert.period_id.in_(same_day),
                Alert.rule == rule,
                Alert.state != "closed",
            )
            .order_by(Alert.id)
            .limit(1)
        )
    fresh = alert is None or alert.state == "closed"
    if alert is None:
        alert = Alert(agreement_id=period.agreement_id, period_id=period.id, rule=rule)
        db.session.add(alert)
    elif not fresh and (alert.level, alert.message) == (level, message):
        return alert  # nothing changed: no new event
    alert.level, alert.message, alert.details = level, message, details
    if fresh:
        alert.state, alert.closed_at = "open", None
    db.session.flush()
    action = "alert.raised" if fresh else "alert.updated"
    audit_alert(alert, action, actor, level=alert.level, message=alert.message)
    if fresh:
        _notify_monitors(period, alert)
    return alert


def close_alerts(
    period: ReportingPeriod,
    rule: str,
    actor: User | None = None,
    *,
    earlier: bool = True,
    reason: str = "",
) -> list[Alert]:
    """Close the rule's alerts on this period and (``earlier``) on every earlier period (and
    those ending the same day, for ``SAME_DAY_RULES``)."""
    scope = Alert.period_id == period.id
    if earlier:
        ends = ReportingPeriod.ends_on
        before = select(ReportingPeriod.id).where(
            ReportingPeriod.agreement_id == period.agreement_id,
            ends <= period.ends_on if rule in SAME_DAY_RULES else ends < period.ends_on,
        )
        scope = scope | Alert.period_id.in_(before)
    alerts = db.session.scalars(
        select(Alert).where(
            Alert.agreement_id == period.agreement_id,
            Alert.rule == rule,
            Alert.state != "closed",
            scope,
        )
    ).all()
    now = utcnow()
    for alert in alerts:
        alert.state, alert.closed_at = "closed", now
        alert.details = {**(alert.details or {}), "closed_by_period": period.label}
        db.session.flush()
        extra = {"reason": reason} if reason else {}
        audit_alert(alert, "alert.closed", actor, level=alert.level, message=alert.message, **extra)
    return list(alerts)


def audit_alert(alert: Alert, action: str, actor: User | None, **data: object) -> None:
    """The audit event of a step in an alert's life (raised, updated, closed, a dialogue)."""
    from grants.services.monitoring_notices import period_title

    agreement = db.session.get(Agreement, alert.agreement_id)
    assert agreement is not None
    period = db.session.get(ReportingPeriod, alert.period_id) if alert.period_id else None
    audit.record(
        action,
        actor=actor,
        dossier_id=agreement.dossier_id,
        data={
            "agreement_id": agreement.id,
            "alert_id": alert.id,
            "rule": alert.rule,
            "period": period_title(period) if period is not None else "",
            **data,
        },
    )


def _notify_monitors(period: ReportingPeriod, alert: Alert) -> None:
    """Warning and critical alerts reach the monitors who follow the agreement."""
    if alert.level == "info":
        return
    from grants.services.monitoring_notices import notify_alert

    notify_alert(period, alert)


def _decimal(value: object) -> Decimal | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        return Decimal(str(value).replace(",", "."))
    except ArithmeticError:
        return None
