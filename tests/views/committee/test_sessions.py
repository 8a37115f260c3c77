"""Committee session pages over HTTP: list, create and edit, members, access by role."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from grants.extensions import db
from grants.models import CommitteeMember, CommitteeSession
from tests import factories
from tests.helpers import committee as data
from tests.views.committee.conftest import text

FORM = {
    "title": "Comité d'instruction partagé — février 2027",
    "kind": "instruction",
    "day": "2027-02-11",
    "at": "09:30",
    "place": "ARS Île-de-France, Saint-Denis",
    "video_link": "",
}


def test_the_secretary_creates_a_session_in_paris_time(secretary_web):
    assert secretary_web.get("/comite/seances/nouvelle").status_code == 200
    response = secretary_web.post("/comite/seances/nouvelle", data=FORM)
    assert response.status_code == 302
    session = db.session.scalar(select(CommitteeSession))
    assert response.headers["Location"].endswith(f"/comite/seances/{session.id}")
    assert session.meets_at == datetime(2027, 2, 11, 8, 30, tzinfo=UTC)
    page = text(secretary_web.get(f"/comite/seances/{session.id}"))
    assert "11 février 2027 à 09:30" in page and "Ordre du jour en préparation" in page
    listing = text(secretary_web.get("/comite/"))
    assert "Séances à venir" in listing and FORM["title"] in listing


def test_bad_input_is_422_with_the_typed_values_kept(secretary_web):
    response = secretary_web.post(
        "/comite/seances/nouvelle",
        data={**FORM, "place": "", "day": "31/02/2027", "title": "Séance mal saisie"},
    )
    assert response.status_code == 422
    html = text(response)
    assert "Le formulaire contient" in html
    assert "Indiquez le lieu de la séance ou un lien de visioconférence." in html
    assert 'href="#day"' in html and 'href="#place"' in html
    assert 'value="Séance mal saisie"' in html
    link = secretary_web.post(
        "/comite/seances/nouvelle", data={**FORM, "video_link": "visio.exemple.fr"}
    )
    assert link.status_code == 422 and "https://" in text(link)
    assert db.session.scalar(select(CommitteeSession)) is None


def test_edit_only_while_preparing_and_with_the_current_version(secretary_web, committee_secretary):
    session = data.make_session(committee_secretary)
    url = f"/comite/seances/{session.id}/modifier"
    page = text(secretary_web.get(url))
    assert 'value="2027-01-14"' in page and 'value="14:30"' in page
    old = str(session.lock_version)
    moved = secretary_web.post(url, data={**FORM, "lock_version": old})
    assert moved.status_code == 302
    stale = secretary_web.post(url, data={**FORM, "title": "Autre", "lock_version": old})
    assert stale.status_code == 409 and "rechargez la page" in text(stale)
    db.session.refresh(session)
    assert session.title == FORM["title"]


def test_members_and_guests(secretary_web, committee_secretary, urps):
    session = data.make_session(committee_secretary)
    url = f"/comite/seances/{session.id}/membres"
    page = secretary_web.get(f"/comite/seances/{session.id}").get_data(as_text=True)
    assert urps.full_name in page  # offered in the list of accounts
    added = secretary_web.post(
        url, data={"user_id": urps.id, "role": "member", "lock_version": session.lock_version}
    )
    assert added.status_code == 302
    guest = {
        "user_id": "",
        "full_name": "Martine Roussel",
        "institution": "Région Île-de-France",
        "email": "martine.roussel@iledefrance.example",
        "role": "guest",
        "lock_version": session.lock_version,
    }
    assert secretary_web.post(url, data=guest).status_code == 302
    members = db.session.scalars(select(CommitteeMember).order_by(CommitteeMember.id)).all()
    assert [(m.full_name, m.role, m.user_id) for m in members] == [
        (urps.full_name, "member", urps.id),
        ("Martine Roussel", "guest", None),
    ]
    missing = secretary_web.post(
        url,
        data={
            **guest,
            "lock_version": session.lock_version,
            "full_name": "Sans Institution",
            "institution": "",
            "email": "pas-une-adresse",
        },
    )
    assert missing.status_code == 422
    html = text(missing)
    assert "Indiquez l'institution de la personne." in html
    assert "Saisissez une adresse électronique valide" in html
    assert 'value="Sans Institution"' in html
    chair = {**guest, "full_name": "Dr A", "institution": "ARS", "role": "chair", "email": ""}
    chair["lock_version"] = session.lock_version
    assert secretary_web.post(url, data=chair).status_code == 302
    chair["lock_version"] = session.lock_version
    second_chair = secretary_web.post(url, data={**chair, "full_name": "Dr B"})
    assert second_chair.status_code == 422 and "La séance a déjà une présidence." in text(
        second_chair
    )
    removed = secretary_web.post(
        f"{url}/{members[1].id}/retirer", data={"lock_version": session.lock_version}
    )
    assert removed.status_code == 302
    assert (
        db.session.scalar(select(CommitteeMember).where(CommitteeMember.id == members[1].id))
        is None
    )


def test_access_by_role(client_for, committee_secretary, urps, promoter):
    mine = data.make_session(committee_secretary, "Séance où je siège")
    other = data.make_session(committee_secretary, "Séance sans moi")
    data.name_members(mine, committee_secretary, (urps, "member"))
    member_web = client_for(urps)
    assert member_web.get(f"/comite/seances/{mine.id}").status_code == 200
    assert member_web.get(f"/comite/seances/{other.id}").status_code == 404
    listing = text(member_web.get("/comite/"))
    assert "Séance où je siège" in listing and "Séance sans moi" not in listing
    assert "Créer une séance" not in listing
    # A member reads, never edits: no forms, and a POST is refused.
    page = member_web.get(f"/comite/seances/{mine.id}").get_data(as_text=True)
    assert "Ajouter un membre" not in page and "Arrêter l" not in page
    refused = member_web.post(
        f"/comite/seances/{mine.id}/membres",
        data={"full_name": "X", "institution": "Y", "role": "member"},
    )
    assert refused.status_code == 403
    assert member_web.get("/comite/seances/nouvelle").status_code == 403
    # Other staff not named: 404; promoters: 404 everywhere.
    region = factories.make_staff("financer_instructor", ("REGION_IDF",))
    assert client_for(region).get(f"/comite/seances/{mine.id}").status_code == 404
    promoter_web = client_for(promoter)
    for url in ("/comite/", f"/comite/seances/{mine.id}", "/comite/seances/nouvelle"):
        assert promoter_web.get(url).status_code == 404
    assert promoter_web.post(f"/comite/seances/{mine.id}/arreter", data={}).status_code == 404


def test_header_link_for_the_committee_roles(client_for, committee_secretary, urps, dd):
    for user in (committee_secretary, urps):
        assert 'href="/comite/"' in client_for(user).get("/comite/").get_data(as_text=True)
    assert 'href="/comite/"' not in client_for(dd).get("/instruction/").get_data(as_text=True)
