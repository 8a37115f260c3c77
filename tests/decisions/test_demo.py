"""The demo: after the 23 May 2012 committee's favourable opinion on the MSP de Drancy, the ARS
grants and the Région grants part of it, each decision with its letter, through the service."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from grants.demo import DEMO_PASSWORD, seed_demo
from grants.demo_committee import DRANCY
from grants.extensions import db
from grants.models import Dossier, FinancerDecision, PlanRevisionRequest
from tests.conftest import login
from tests.decisions.support import CONCLUDED


def test_the_demo_records_the_decisions_with_their_letters(client):
    seed_demo()
    seed_demo()  # idempotent
    drancy = db.session.scalar(select(Dossier).where(Dossier.title == DRANCY.title))
    assert drancy.state in CONCLUDED
    decisions = db.session.scalars(
        select(FinancerDecision)
        .where(FinancerDecision.dossier_id == drancy.id)
        .order_by(FinancerDecision.id)
    ).all()
    assert [(d.financer.code, d.outcome) for d in decisions] == [
        ("ARS_IMMO", "granted"),
        ("REGION_IDF", "partially_granted"),
    ]
    assert decisions[0].total == Decimal("440000.00")  # what the committee proposed
    assert decisions[1].total == Decimal("144000.00")  # 80 % of the committee's 180 000 €
    assert all(d.letter_key and d.letter_sha256 for d in decisions)
    # The Région's partial grant leaves a gap above 10 % of the costs: a revised plan is asked.
    assert (
        db.session.scalar(
            select(PlanRevisionRequest.state).where(PlanRevisionRequest.dossier_id == drancy.id)
        )
        == "open"
    )
    login(client, "promoteur@demo.grants.fr", DEMO_PASSWORD)
    html = client.get(f"/espace/dossiers/{drancy.id}").get_data(as_text=True)
    for decision in decisions:
        url = f"/espace/dossiers/{drancy.id}/decisions/{decision.id}/lettre.pdf"
        assert url in html
        assert client.get(url).data.startswith(b"%PDF")


def test_the_demo_deciders_reach_the_project_page(client):
    seed_demo()
    drancy = db.session.scalar(select(Dossier).where(Dossier.title == DRANCY.title))
    login(client, "decision.region@demo.grants.fr", DEMO_PASSWORD)
    html = client.get(f"/instruction/dossiers/{drancy.id}/projet").get_data(as_text=True)
    assert "Commission de sélection du 23 mai 2012" in html
    assert "Accordé partiellement" in html
