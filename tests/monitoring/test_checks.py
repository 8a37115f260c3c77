"""The automatic checks: pure functions over plain data, then the service raising one alert per
(agreement, period, rule) and closing it when a later period passes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from grants.extensions import db
from grants.models import Alert, AuditEvent, OutboxMessage, RegisterEntry
from grants.services import monitoring_checks as checks
from grants.services.reporting_register import add_arrival, record_departure
from grants.services.reporting_reports import ReportInput, submit_report, validate_report
from tests.monitoring import support

D = Decimal
RULES = checks.Thresholds(D("0.75"), D("0.50"), D("0.10"), D("0.05"))


def data(**overrides) -> checks.PeriodData:  # type: ignore[no-untyped-def]
    base = {
        "kind": "annual",
        "label": "2027",
        "ends_on_label": "31 décembre 2027",
        "physicians": 3,
        "physician_etp": D("2.8"),
        "min_physicians": 3,
        "min_physician_etp": D("2.5"),
    }
    return checks.PeriodData(**{**base, **overrides})


def reading(value: str | None, target: str | None = "2", direction: str = "at_least"):  # type: ignore[no-untyped-def]
    return checks.IndicatorReading(
        "K6", "Stagiaires accueillis", "stagiaires", direction,
        D(target) if target else None, D(value) if value else None,
    )  # fmt: skip


def test_activity():
    assert checks.check_activity(data()).level is None
    short = checks.check_activity(data(physicians=2, physician_etp=D("1.8")))
    assert short.level == "critical"
    assert short.message == (
        "Activité médicale non maintenue : 2 médecins présents au 31 décembre 2027 (1,8 ETP), "
        "alors que la structure s'est engagée à au moins 3 médecins et au moins 2,5 ETP."
    )
    assert checks.check_activity(data(physician_etp=D("2.4"))).level == "critical"
    assert checks.check_activity(data(min_physicians=None, min_physician_etp=None)) is None


@pytest.mark.parametrize(
    ("rent", "level"),
    [("150", None), ("155", "warning"), ("157.50", "warning"), ("158", "critical")],
)
def test_rent_against_the_ceiling_with_its_tolerance(rent, level):
    finding = checks.check_rent(data(rent=D(rent), rent_ceiling=D("150")), RULES)
    assert finding.level == level
    if level:
        assert "Loyer au-dessus du plafond" in finding.message and "150 €/m²/an" in finding.message


def test_rent_not_checked_without_ceiling_or_value():
    assert checks.check_rent(data(rent=D("200")), RULES) is None
    assert checks.check_rent(data(rent_ceiling=D("150")), RULES) is None


@pytest.mark.parametrize(
    ("met", "level"), [(4, None), (3, None), (2, "warning"), (1, "critical"), (0, "critical")]
)
def test_share_of_objectives_reached(met, level):
    finding = checks.check_objectives(data(objectives_due=4, objectives_met=met), RULES)
    assert finding.level == level


@pytest.mark.parametrize(
    ("value", "direction", "target", "level"),
    [
        ("2", "at_least", "2", None),
        ("1.9", "at_least", "2", "warning"),
        ("1.8", "at_least", "2", "warning"),
        ("1", "at_least", "2", "critical"),
        ("20", "at_most", "20", None),
        ("21", "at_most", "20", "warning"),
        ("25", "at_most", "20", "critical"),
    ],
)
def test_indicator_against_its_target(value, direction, target, level):
    finding = checks.check_indicator(reading(value, target, direction), RULES)
    assert finding.rule == "indicator:K6" and finding.level == level


def test_semiannual_data_carry_the_activity_check_only():
    findings = checks.evaluate(
        data(kind="semiannual", rent=D("500"), rent_ceiling=D("100"), indicators=(reading("0"),)),
        RULES,
    )
    assert [f.rule for f in findings] == ["activity"]
    yearly = checks.evaluate(
        data(rent=D("500"), rent_ceiling=D("100"), objectives_due=2, objectives_met=0,
             indicators=(reading("0"), reading(None))),
        RULES,
    )  # fmt: skip
    assert [(f.rule, f.level) for f in yearly] == [
        ("activity", None),
        ("rent", "critical"),
        ("objectives", "critical"),
        ("indicator:K6", "critical"),
    ]


def test_a_dedicated_check_stands_for_its_indicator():
    def named(code: str, value: str, target: str, direction: str = "at_least"):  # type: ignore[no-untyped-def]
        return checks.IndicatorReading(code, code, "", direction, D(target), D(value))

    readings = (
        named("K3", "25", "75"),
        named("K4", "2", "3"),
        named("K5", "200", "150", "at_most"),
    )
    covered = checks.evaluate(
        data(physicians=2, rent=D("200"), rent_ceiling=D("150"), objectives_due=4,
             objectives_met=1, indicators=readings),
        RULES,
    )  # fmt: skip
    assert sorted(f.rule for f in covered) == ["activity", "objectives", "rent"]
    # Without the commitments, the indicators are checked against their targets.
    alone = checks.evaluate(
        data(min_physicians=None, min_physician_etp=None, indicators=readings), RULES
    )
    assert sorted(f.rule for f in alone) == ["indicator:K3", "indicator:K4", "indicator:K5"]


# --- The service ---------------------------------------------------------------------------------


def alerts(agreement, rule: str | None = None) -> list[Alert]:  # type: ignore[no-untyped-def]
    query = select(Alert).where(Alert.agreement_id == agreement.id).order_by(Alert.id)
    if rule:
        query = query.where(Alert.rule == rule)
    return list(db.session.scalars(query))


def file(agreement, label, promoter, **values):  # type: ignore[no-untyped-def]
    period = support.period(agreement, label)
    report = ReportInput(
        rent_m2_year=values.get("rent", D("120")),
        objectives_due=4,
        objectives_met=values.get("met", 4),
        values={"K6": values.get("k6", D("2"))},
    )
    submit_report(period, report, actor=promoter, expected_lock_version=None)
    return period


def martin_leaves(cpom, period, promoter, left_on: date) -> None:  # type: ignore[no-untyped-def]
    """Dr Martin, one of the three physicians at signature, leaves (declared in ``period``)."""
    martin = db.session.scalar(
        select(RegisterEntry).where(
            RegisterEntry.agreement_id == cpom.id, RegisterEntry.last_name == "Martin"
        )
    )
    record_departure(period, martin, actor=promoter, left_on=left_on, today=date(2026, 1, 5))


def physician_arrives(cpom, period, promoter) -> None:  # type: ignore[no-untyped-def]
    """A newly installed physician arrives on 1 February 2026."""
    add_arrival(
        period, actor=promoter, last_name="Lefèvre", first_name="Inès",
        profession="medecin_generaliste", etp=D("1"), arrived_on=date(2026, 2, 1),
        newly_installed=True, today=date(2026, 12, 31),
    )  # fmt: skip


def test_a_physicians_departure_raises_the_activity_alert_until_a_later_period_passes(
    promoter, cpom, dd_77, monitor
):
    first = support.period(cpom, "2025")
    martin_leaves(cpom, first, promoter, date(2025, 6, 15))
    file(cpom, "2025", promoter)
    [alert] = alerts(cpom, "activity")
    assert (alert.level, alert.state, alert.period_id) == ("critical", "open", first.id)
    assert "2 médecins présents au 31 décembre 2025" in alert.message
    # The same check again (validation) neither duplicates the alert nor its audit event.
    raised = select(func.count(AuditEvent.id)).where(AuditEvent.action == "alert.raised")
    before = db.session.scalar(raised)
    validate_report(first, actor=dd_77, expected_lock_version=None)
    assert len(alerts(cpom, "activity")) == 1 and db.session.scalar(raised) == before
    # Turnover 1 / 4,5 = 22,22 % (target at most 20 %), nobody arrived (at least 1).
    levels = {a.rule: a.level for a in alerts(cpom)}
    assert levels["indicator:K1"] == "critical" and levels["indicator:K2"] == "critical"
    assert "22,22 %" in next(a.message for a in alerts(cpom, "indicator:K1"))
    # The monitors following the agreement hear of it.
    notices = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.event == "alert.raised", OutboxMessage.recipient_id == monitor.id
        )
    ).all()
    assert any("Activité médicale non maintenue" in n.context["message"] for n in notices)

    # 2026: a physician arrives; the yearly check passes and closes the 2025 alert.
    physician_arrives(cpom, support.period(cpom, "2026"), promoter)
    file(cpom, "2026", promoter)
    db.session.refresh(alert)
    assert alert.state == "closed" and alert.closed_at is not None
    assert alert.details["closed_by_period"] == "2026"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "alert.closed"))


def test_rent_objectives_and_indicator_alerts_raise_then_close(promoter, cpom):
    file(cpom, "2025", promoter, rent=D("170"), met=1, k6=D("1.9"))
    levels = {a.rule: a.level for a in alerts(cpom)}
    assert levels == {
        "rent": "critical",
        "objectives": "critical",
        "indicator:K6": "warning",
        "indicator:K2": "critical",  # nobody arrived in 2025
    }
    second = support.period(cpom, "2026")
    add_arrival(
        second, actor=promoter, last_name="Roux", first_name="Léa", profession="infirmier",
        etp=D("0.5"), arrived_on=date(2026, 3, 1), newly_installed=False, today=date(2026, 12, 31),
    )  # fmt: skip
    file(cpom, "2026", promoter, rent=D("150"), met=3, k6=D("2"))
    assert {a.rule: a.state for a in alerts(cpom)} == dict.fromkeys(levels, "closed")
    assert len(alerts(cpom)) == 4  # nothing raised for 2026


def test_a_resubmitted_report_updates_its_alert_in_place(promoter, cpom, dd_77):
    from grants.services.reporting_reports import return_report

    period = file(cpom, "2025", promoter, met=1)
    [alert] = alerts(cpom, "objectives")
    assert alert.level == "critical"
    return_report(period, "Objectifs à recompter.", actor=dd_77, expected_lock_version=None)
    file(cpom, "2025", promoter, met=2)
    [same] = alerts(cpom, "objectives")
    assert same.id == alert.id and same.level == "warning" and same.state == "open"
    return_report(period, "Encore.", actor=dd_77, expected_lock_version=None)
    file(cpom, "2025", promoter, met=4)
    assert alerts(cpom, "objectives")[0].state == "closed"


def test_the_second_half_year_and_the_year_share_one_activity_alert(promoter, cpom, monitor):
    year = support.period(cpom, "2025")
    martin_leaves(cpom, year, promoter, date(2025, 9, 15))
    half = file(cpom, "2025-S2", promoter)
    assert half.ends_on == year.ends_on
    file(cpom, "2025", promoter)
    [alert] = alerts(cpom, "activity")  # the year's check found the same fact: no second alert
    assert (alert.period_id, alert.state, alert.level) == (half.id, "open", "critical")
    raised = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.event == "alert.raised",
            OutboxMessage.recipient_id == monitor.id,
            OutboxMessage.channel == "email",
        )
    ).all()
    assert sum("Activité médicale non maintenue" in n.context["message"] for n in raised) == 1

    # The next year's check passes: the shared alert closes.
    physician_arrives(cpom, support.period(cpom, "2026"), promoter)
    file(cpom, "2026", promoter)
    db.session.refresh(alert)
    assert alert.state == "closed"
