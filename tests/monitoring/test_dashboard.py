"""The monitor's dashboard: every active CPOM, at risk first, filters and breakdowns by
département and zoning category, trends, payments against the schedule; and the monitor's
actions on one agreement (management dialogue, tranche suspended, amend/terminate links)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from grants.extensions import db
from grants.models import Alert, AuditEvent, ManagementDialogue, PaymentTranche
from grants.services.monitoring_checks import raise_alert
from grants.services.reporting_register import add_arrival
from grants.services.reporting_reports import ReportInput, submit_report
from grants.services.zoning import zoning_categories
from tests import factories
from tests.monitoring import support
from tests.workflow.support import outsider_promoter


def references(html: str) -> list[str]:
    return re.findall(r'data-reference="([^"]+)"', html)


def world(promoter):  # type: ignore[no-untyped-def]
    """Three CPOMs: calm (77), under watch (77, a warning), at risk (93, a critical alert)."""
    calm = support.make_cpom(promoter, title="MSP du Calme")
    watched = support.make_cpom(outsider_promoter(), title="MSP de la Vigilance")
    at_risk = support.make_cpom(
        outsider_promoter(),
        title="MSP du Risque",
        commune_codes=("93008",),
        financer_codes=("ARS_IMMO", "REGION_IDF"),
    )
    raise_alert(
        support.period(watched, "2025"), "rent", "warning", "Loyer au-dessus du plafond.", {}
    )
    raise_alert(
        support.period(at_risk, "2025"),
        "activity",
        "critical",
        "Activité médicale non maintenue.",
        {},
    )
    # A year filed for the calm one, passing every check (trends), and its advance paid
    # (payments against the schedule).
    add_arrival(
        support.period(calm, "2025"), actor=promoter, last_name="Roux", first_name="Léa",
        profession="infirmier", etp=Decimal("1"), arrived_on=date(2025, 4, 1),
        newly_installed=False, today=date(2025, 12, 31),
    )  # fmt: skip
    submit_report(
        support.period(calm, "2025"),
        ReportInput(rent_m2_year=Decimal("120"), objectives_due=4, objectives_met=3,
                    values={"K6": Decimal("3")}),
        actor=promoter,
        expected_lock_version=None,
    )  # fmt: skip
    assert not db.session.scalars(select(Alert).where(Alert.agreement_id == calm.id)).all()
    advance = db.session.scalar(
        select(PaymentTranche).where(
            PaymentTranche.agreement_id == calm.id, PaymentTranche.position == 1
        )
    )
    support.pay(advance)
    return calm, watched, at_risk


def test_at_risk_first_with_filters_breakdowns_trends_and_payments(client_for, promoter, monitor):
    calm, watched, at_risk = world(promoter)
    client = client_for(monitor)
    response = client.get("/suivi/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert references(html) == [at_risk.reference, watched.reference, calm.reference]
    assert '<a href="/suivi/">Suivi des CPOM</a>' in html  # the staff header link
    # Payments against the schedule: advance (90 000) and interim (150 000) due by now, 90 000 paid.
    row = html[html.index(f'data-reference="{calm.reference}"') :]
    row = row[: row.index("</tr>")]
    assert "240\u202f000,00\xa0€" in row and "90\u202f000,00\xa0€" in row and "retard" in row
    # Trends: the 2025 year filed by the calm CPOM; charts are inline SVG.
    assert "<svg" in html and "Rotation moyenne" in html and ">2025<" in html
    # Breakdowns by département and zoning category.
    assert "93 — Seine-Saint-Denis" in html and "77 — Seine-et-Marne" in html
    assert '<rect x="230"' in html and 'class="chart-value">1</text>' in html  # counts, not €
    zonings = zoning_categories([a.dossier_id for a in (calm, watched, at_risk)])

    only_93 = references(client.get("/suivi/?departement=93").get_data(as_text=True))
    assert only_93 == [at_risk.reference]
    assert references(client.get("/suivi/?niveau=at_risk").get_data(as_text=True)) == [
        at_risk.reference,
        watched.reference,
    ]
    assert references(client.get("/suivi/?niveau=none").get_data(as_text=True)) == [calm.reference]
    category = zonings[calm.dossier_id]
    by_zone = references(client.get(f"/suivi/?zonage={category}").get_data(as_text=True))
    assert calm.reference in by_zone and all(
        zonings.get(r.dossier_id) == category
        for r in (calm, watched, at_risk)
        if r.reference in by_zone
    )
    # Unknown filter values are ignored, never a 500.
    assert client.get("/suivi/?niveau=nimporte&zonage=x").status_code == 200

    # A closed alert no longer counts: the at-risk CPOM drops to the end of the at-risk ones.
    alert = db.session.scalar(select(Alert).where(Alert.agreement_id == at_risk.id))
    alert.state = "closed"
    db.session.flush()
    assert references(client.get("/suivi/").get_data(as_text=True))[0] == watched.reference


def test_who_sees_the_dashboard(client_for, promoter, cpom, monitor):
    assert client_for(monitor).get("/suivi/").status_code == 200
    for role in ("ars_instructor", "ars_decider"):
        user = factories.make_staff(role, factories.ARS_FINANCERS)
        assert client_for(user).get("/suivi/").status_code == 200
    dd = factories.make_staff("dd_instructor", factories.ARS_FINANCERS, departement="77")
    assert client_for(dd).get("/suivi/").status_code == 404
    assert "Rapports de suivi" in client_for(dd).get("/suivi/rapports").get_data(as_text=True)
    region = factories.make_staff("financer_instructor", ("REGION_IDF",))
    assert client_for(region).get(f"/suivi/cpom/{cpom.id}").status_code == 404
    # A monitor of another financer sees no ARS CPOM.
    other = factories.make_staff("monitor", ("REGION_IDF",))
    assert cpom.reference not in client_for(other).get("/suivi/").get_data(as_text=True)
    assert client_for(promoter).get("/suivi/").status_code == 404


def test_the_monitor_opens_and_closes_a_management_dialogue(client_for, promoter, cpom, monitor):
    alert = raise_alert(
        support.period(cpom, "2025"), "activity", "critical", "Activité médicale non maintenue.", {}
    )
    client = client_for(monitor)
    page = client.get(f"/suivi/cpom/{cpom.id}").get_data(as_text=True)
    assert "Activité médicale non maintenue." in page and "Ouvrir un dialogue de gestion" in page
    assert "<svg" in page and "K6 — Stagiaires accueillis" in page
    empty = client.post(f"/suivi/alertes/{alert.id}/dialogue", data={"subject": ""})
    assert empty.status_code == 422
    assert "Indiquez l&#39;objet du dialogue de gestion." in empty.get_data(as_text=True)
    opened = client.post(
        f"/suivi/alertes/{alert.id}/dialogue",
        data={"subject": "Départ du Dr Martin", "notes": "Recrutement en cours."},
    )
    assert opened.status_code == 302
    db.session.refresh(alert)
    assert alert.state == "in_dialogue"
    dialogue = db.session.scalar(
        select(ManagementDialogue).where(ManagementDialogue.alert_id == alert.id)
    )
    assert dialogue.subject == "Départ du Dr Martin" and dialogue.opened_by_id == monitor.id
    twice = client.post(f"/suivi/alertes/{alert.id}/dialogue", data={"subject": "Encore"})
    assert twice.status_code == 409
    closed = client.post(
        f"/suivi/dialogues/{dialogue.id}/cloture",
        data={"outcome": "Avenant : 2 médecins jusqu'en 2026."},
    )
    assert closed.status_code == 302
    db.session.refresh(alert)
    assert alert.state == "closed" and dialogue.closed_at is not None
    actions = set(
        db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.dossier_id == cpom.dossier_id)
        )
    )
    assert {"dialogue.opened", "dialogue.closed"} <= actions
    # Readers without the monitor's role may not act.
    reader = factories.make_staff("ars_instructor", factories.ARS_FINANCERS)
    other = raise_alert(support.period(cpom, "2026"), "rent", "warning", "Loyer.", {})
    assert (
        client_for(reader)
        .post(f"/suivi/alertes/{other.id}/dialogue", data={"subject": "x"})
        .status_code
        == 403
    )


def test_the_monitor_suspends_a_tranche(client_for, promoter, cpom, monitor):
    tranche = db.session.scalar(
        select(PaymentTranche).where(
            PaymentTranche.agreement_id == cpom.id, PaymentTranche.position == 2
        )
    )
    client = client_for(monitor)
    assert (
        client.post(f"/suivi/tranches/{tranche.id}/suspension", data={"reason": ""}).status_code
        == 422
    )
    response = client.post(
        f"/suivi/tranches/{tranche.id}/suspension",
        data={"reason": "Activité médicale non maintenue."},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.refresh(tranche)
    assert tranche.suspended and tranche.suspension_reason == "Activité médicale non maintenue."
    page = client.get(f"/suivi/cpom/{cpom.id}").get_data(as_text=True)
    assert "Suspendue" in page
    again = client.post(f"/suivi/tranches/{tranche.id}/suspension", data={"reason": "Encore"})
    assert again.status_code == 409


def test_amend_and_terminate_links_follow_the_agreement_pages(app, client_for, cpom, monitor):
    page = client_for(monitor).get(f"/suivi/cpom/{cpom.id}").get_data(as_text=True)
    for endpoint, text in (
        ("agreements.new_amendment", "Proposer un avenant"),
        ("agreements.terminate", "Résilier le contrat"),
    ):
        assert (text in page) == (endpoint in app.view_functions)
