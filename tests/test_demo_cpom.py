"""The CPOM demo: three ARS CPOMs in force since 1 January two years ago, each with its advance
paid and its two yearly reports validated; the Coulommiers one at risk (a physician left, the
rent went above the ceiling), first on the monitor's dashboard."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from grants.demo import DEMO_PASSWORD, seed_demo
from grants.demo_cpom import AT_RISK, STORIES, first_year
from grants.extensions import db
from grants.models import (
    Agreement,
    Alert,
    Dossier,
    EnvelopeMovement,
    IndicatorValue,
    PaymentRequest,
    ReportingPeriod,
    User,
)
from grants.services.document_requests import paris_today
from grants.services.monitoring_dashboard import Filters, dashboard
from tests.conftest import login


def _cpom(title: str) -> Agreement:
    dossier = db.session.scalars(select(Dossier).where(Dossier.title == title)).one()
    return db.session.scalars(
        select(Agreement).where(Agreement.dossier_id == dossier.id, Agreement.kind == "cpom")
    ).one()


def test_active_cpoms_with_two_years_of_reports_and_a_paid_advance(app):
    seed_demo()
    seed_demo()  # idempotent
    start = date(first_year(), 1, 1)
    for story in STORIES:
        cpom = _cpom(story.project.title)
        assert cpom.state == "active", story.project.title
        assert (cpom.starts_on, cpom.ends_on) == (start, date(start.year + 4, 12, 31))
        assert cpom.promoter_signature_method == "typed" and cpom.countersigned_at is not None
        # A single draft went to the promoter: the negotiated version (the period moved).
        assert [v.number for v in cpom.versions] == [1, 2]
        assert cpom.versions[-1].pdf_key and cpom.versions[-1].data["terms"]["starts_on"] == (
            start.isoformat()
        )
        assert cpom.dossier.state == ("open_monitoring" if story.opened else "in_execution")

        yearly = db.session.scalars(
            select(ReportingPeriod)
            .where(ReportingPeriod.agreement_id == cpom.id, ReportingPeriod.kind == "annual")
            .order_by(ReportingPeriod.starts_on)
        ).all()
        assert [(p.label, p.state) for p in yearly if p.state != "due"] == [
            (str(start.year), "validated"),
            (str(start.year + 1), "validated"),
        ]
        # Every period over has been filed: none is overdue.
        late = select(func.count(ReportingPeriod.id)).where(
            ReportingPeriod.agreement_id == cpom.id,
            ReportingPeriod.state == "due",
            ReportingPeriod.due_on < paris_today(),
        )
        assert db.session.scalar(late) == 0

        paid = db.session.scalars(
            select(PaymentRequest).where(PaymentRequest.agreement_id == cpom.id)
        ).all()
        assert [(r.tranche.kind, r.state) for r in paid] == [("advance", "paid")]
        movement = db.session.get(EnvelopeMovement, paid[0].movement_id)
        assert movement.kind == "paid" and movement.amount == paid[0].amount
        assert paid[0].amount == (story.proposed * Decimal("0.30")).quantize(Decimal("0.01"))


def test_the_cpom_at_risk_has_its_critical_alerts_open(app):
    seed_demo()
    start = first_year()
    for story in STORIES:
        cpom = _cpom(story.project.title)
        alerts = db.session.scalars(
            select(Alert).where(Alert.agreement_id == cpom.id, Alert.state != "closed")
        ).all()
        if story is not AT_RISK:
            assert alerts == [], story.project.title
            continue
        assert {(a.rule, a.level) for a in alerts} == {
            ("activity", "critical"),
            ("rent", "critical"),
        }
        rent = next(a for a in alerts if a.rule == "rent")
        second = db.session.get(ReportingPeriod, rent.period_id)
        assert (second.kind, second.label) == ("annual", str(start + 1))
        assert "142 €/m²/an pour un plafond de 120 €/m²/an" in rent.message
        # The year's activity alert: the second half-year, which ends the same day and was filed
        # first, carries it (the same fact is not raised twice).
        activity_ends = [
            db.session.get(ReportingPeriod, a.period_id).ends_on
            for a in alerts
            if a.rule == "activity"
        ]
        assert activity_ends.count(second.ends_on) == 1  # not once for the year and its half
        # Turnover and physicians present are computed from the register, not typed.
        values = {
            v.code: v
            for v in db.session.scalars(
                select(IndicatorValue).where(IndicatorValue.period_id == second.id)
            )
        }
        assert values["K1"].computed and values["K1"].value > 0
        assert values["K4"].value == cpom.min_physicians - 1


def test_the_monitor_sees_the_cpom_at_risk_first_and_the_administrator_configures(client):
    seed_demo()
    monitor = db.session.scalars(select(User).where(User.email == "suivi@demo.grants.fr")).one()
    assert monitor.role == "monitor"
    board = dashboard(monitor, Filters(), paris_today())
    references = [row.agreement.reference for row in board.rows]
    at_risk = _cpom(AT_RISK.project.title)
    assert references[0] == at_risk.reference and board.rows[0].risk == "critical"
    assert {_cpom(s.project.title).reference for s in STORIES} <= set(references)

    login(client, "suivi@demo.grants.fr", DEMO_PASSWORD)
    html = client.get("/suivi/").get_data(as_text=True)
    assert html.index(at_risk.reference) < min(
        html.index(_cpom(s.project.title).reference) for s in STORIES if s is not AT_RISK
    )
    assert "Activité médicale non maintenue" in html or "Loyer au-dessus du plafond" in html
    page = client.get(f"/suivi/cpom/{at_risk.id}")
    assert page.status_code == 200

    # The administrator's account reaches the configuration.
    client.post("/deconnexion", data={})
    admin = db.session.scalars(select(User).where(User.email == "admin@demo.grants.fr")).one()
    assert admin.role == "admin"
    login(client, "admin@demo.grants.fr", DEMO_PASSWORD)
    assert client.get("/admin/configuration").status_code == 200
    assert client.get("/admin/configuration/payment_schedule/nouvelle-version").status_code == 200
