"""Demo data of the committee: the held and closed selection committee of 23 May 2012 (MSP de
Drancy, favourable) and an upcoming session in preparation, built through the services."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from grants.demo import DEMO_PASSWORD, seed_demo
from grants.demo_committee import DRANCY, EPINAY, HELD_TITLE, SOUPPES, UPCOMING_TITLE
from grants.extensions import db
from grants.models import AuditEvent, CommitteeSession, Dossier
from grants.services import committee_agenda, committee_minutes
from tests.conftest import login
from tests.documents.test_receipt import pdf_text


def _session(title: str) -> CommitteeSession:
    return db.session.scalars(select(CommitteeSession).where(CommitteeSession.title == title)).one()


def test_the_2012_selection_committee_and_an_upcoming_session(app):
    seed_demo()
    seed_demo()  # idempotent
    # Once each (the CPOM demo holds its own, earlier, selection committee).
    titled = CommitteeSession.title.in_((HELD_TITLE, UPCOMING_TITLE))
    assert db.session.scalar(select(func.count(CommitteeSession.id)).where(titled)) == 2
    held = _session(HELD_TITLE)
    assert held.state == "closed" and held.kind == "selection"
    assert held.meets_at == datetime(2012, 5, 23, 12, 0, tzinfo=UTC)  # 14:00 in Paris (CEST)
    roles = {(m.role, m.institution) for m in held.members}
    assert ("chair", "ARS Île-de-France — direction de l'offre de soins") in roles
    assert ("member", "URPS médecins libéraux Île-de-France") in roles
    assert ("guest", "Région Île-de-France (invitée permanente)") in roles
    assert ("member", "ARS Île-de-France — délégation départementale") in roles
    item = held.items[0]
    drancy = db.session.scalars(select(Dossier).where(Dossier.title == DRANCY.title)).one()
    assert item.dossier_id == drancy.id and item.opinion == "favourable"
    recorded = db.session.scalar(
        select(AuditEvent.id).where(
            AuditEvent.dossier_id == drancy.id, AuditEvent.action == "dossier.record_opinion"
        )
    )
    assert recorded is not None  # through the engine; the decisions demo may take it further
    assert drancy.state not in ("under_instruction", "ready_for_committee")
    minutes = held.minutes
    assert [(m.version, m.state) for m in minutes] == [(1, "approved")]
    text = pdf_text(committee_minutes.read_pdf(minutes[0]))
    assert "Procès-verbal de la séance du 23 mai 2012" in text
    assert "Maison de santé pluriprofessionnelle de Drancy" in text.replace("\n", " ")
    assert "440 000,00 €" in text

    upcoming = _session(UPCOMING_TITLE)
    assert upcoming.state == "preparing" and upcoming.meets_at > held.meets_at
    assert [i.dossier.title for i in upcoming.items] == [EPINAY.title]
    secretary = next(m.user for m in upcoming.members if m.role == "secretary")
    candidates = committee_agenda.candidates(upcoming, secretary)
    assert SOUPPES in [c.dossier.title for c in candidates]


def test_the_demo_secretary_and_member_see_the_sessions(client):
    seed_demo()
    db.session.commit()
    login(client, "comite@demo.grants.fr", DEMO_PASSWORD)
    listing = client.get("/comite/").get_data(as_text=True)
    assert HELD_TITLE in listing and "Séances passées" in listing
    held = _session(HELD_TITLE)
    page = client.get(f"/comite/seances/{held.id}").get_data(as_text=True)
    assert "Procès-verbal approuvé" in page and "Télécharger la version 1" in page
    client.post("/deconnexion", data={})
    login(client, "urps@demo.grants.fr", DEMO_PASSWORD)
    assert client.get(f"/comite/seances/{held.id}").status_code == 200
