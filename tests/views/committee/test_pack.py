"""The committee pack's pages: progress (page, fragment, JSON), download restricted to the
secretariat and the people named in the session, regeneration by the secretariat."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from grants.extensions import db
from grants.models import BackgroundJob, CommitteeMember, CommitteeSession
from grants.services.committee_pack import PACK_KIND, build_pack, start_pack
from tests import factories
from tests.helpers.committee_pack import make_agenda, pdf_text
from tests.views.committee.conftest import text


def _url(committee: CommitteeSession, suffix: str = "") -> str:
    return f"/comite/seances/{committee.id}/dossier-de-seance{suffix}"


@pytest.fixture
def built(app, urps):  # type: ignore[no-untyped-def]
    """A frozen agenda of two dossiers whose pack is built; ``urps`` is named in the session."""
    committee, secretary = make_agenda(2, members=[urps])
    job = start_pack(committee, secretary)
    db.session.flush()
    build_pack(job.id)
    db.session.expire_all()
    return db.session.get(CommitteeSession, committee.id), secretary


def test_the_secretary_follows_the_generation_and_downloads_the_pack(built, client_for):
    committee, secretary = built
    web = client_for(secretary)
    page = web.get(_url(committee))
    assert page.status_code == 200
    body = text(page)
    assert "Dossier de séance prêt : 2 dossiers, 4 pages." in body
    assert f'href="{_url(committee, ".pdf")}"' in body
    assert committee.pack_sha256 in body
    assert "Régénérer le dossier de séance" in body
    fragment = web.get(_url(committee, "/etat"))
    assert fragment.status_code == 200 and "data-pack-active" not in fragment.get_data(True)
    status = web.get(_url(committee, ".json")).get_json()
    assert status["state"] == "done" and status["ready"] is True
    assert (status["done"], status["total"], status["pages"]) == (2, 2, 4)
    assert status["download_url"] == _url(committee, ".pdf")
    assert status["sha256"] == committee.pack_sha256

    download = web.get(_url(committee, ".pdf"))
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    day = committee.meets_at.strftime("%Y-%m-%d")
    assert download.headers["Content-Disposition"].replace('"', "") == (
        f"attachment; filename=dossier-de-seance-{day}-{committee.id}.pdf"
    )
    assert hashlib.sha256(download.data).hexdigest() == committee.pack_sha256
    assert "Sommaire" in pdf_text(download.data)


def test_a_named_member_downloads_it_but_cannot_regenerate_it(built, client_for, urps):
    committee, _secretary = built
    web = client_for(urps)
    assert web.get(_url(committee, ".pdf")).status_code == 200
    page = web.get(_url(committee))
    assert page.status_code == 200 and "Régénérer" not in text(page)
    assert web.post(_url(committee, "/regenerer"), data={}).status_code == 403


@pytest.mark.parametrize("role", ["committee_member", "ars_instructor", "ars_decider"])
def test_staff_not_named_in_the_session_get_404(built, client_for, role):
    committee, _secretary = built
    outsider = factories.make_staff(role, factories.ARS_FINANCERS)
    web = client_for(outsider)
    for suffix in ("", "/etat", ".json", ".pdf"):
        assert web.get(_url(committee, suffix)).status_code == 404, suffix
    assert web.post(_url(committee, "/regenerer"), data={}).status_code == 404


def test_a_promoter_gets_404_and_a_visitor_the_login_page(app, built, promoter_client):
    committee, _secretary = built
    assert promoter_client.get(_url(committee, ".pdf")).status_code == 404
    anonymous = app.test_client()
    response = anonymous.get(_url(committee, ".pdf"))
    assert response.status_code == 302 and "/connexion?next=" in response.headers["Location"]


def test_a_missing_session_is_404(app, client_for, committee_secretary):
    web = client_for(committee_secretary)
    assert web.get("/comite/seances/999999/dossier-de-seance").status_code == 404


def test_regenerating_makes_a_new_file(built, client_for):
    committee, secretary = built
    old_key, old_job = committee.pack_key, committee.pack_job_id
    web = client_for(secretary)
    response = web.post(_url(committee, "/regenerer"), data={})
    assert response.status_code == 302 and response.headers["Location"].endswith(_url(committee))
    db.session.expire_all()
    fresh = db.session.get(CommitteeSession, committee.id)
    assert fresh.pack_job_id != old_job and fresh.pack_key not in (None, old_key)
    job = db.session.get(BackgroundJob, fresh.pack_job_id)
    assert job.kind == PACK_KIND and job.state == "done" and job.created_by_id == secretary.id
    assert "La génération du dossier de séance a été relancée." in text(web.get(_url(committee)))


def test_regenerating_needs_the_csrf_token(built, client_for):
    committee, secretary = built
    web = client_for(secretary)
    web.auto_csrf = False
    assert web.post(_url(committee, "/regenerer"), data={}).status_code == 400


def test_regenerating_is_refused_once_the_session_is_held(built, client_for):
    committee, secretary = built
    committee.state = "held"
    db.session.flush()
    response = client_for(secretary).post(_url(committee, "/regenerer"), data={})
    assert response.status_code == 409
    assert "tant que l'ordre du jour est arrêté" in text(response)


def test_before_freezing_there_is_nothing_to_download(app, client_for):
    committee, secretary = make_agenda(1)
    committee.state, committee.frozen_at = "preparing", None
    db.session.flush()
    web = client_for(secretary)
    page = web.get(_url(committee))
    assert page.status_code == 200
    assert "Le dossier de séance n'a pas encore été généré." in text(page)
    assert "Régénérer" not in text(page)
    download = web.get(_url(committee, ".pdf"))
    assert download.status_code == 302 and download.headers["Location"].endswith(_url(committee))
    assert "Le dossier de séance n'est pas encore prêt." in text(web.get(_url(committee)))


def test_while_it_runs_the_page_shows_the_progress_and_refreshes_itself(app, client_for):
    committee, secretary = make_agenda(1)
    job = start_pack(committee, secretary)
    db.session.flush()
    db.session.info.clear()  # not built: we look at it while it runs
    job.state, job.done, job.total, job.result = "running", 12, 40, {"phase": "summaries"}
    db.session.flush()
    web = client_for(secretary)
    page = web.get(_url(committee))
    body = page.get_data(as_text=True)
    assert "Génération du dossier de séance : 12 / 40" in text(page)
    assert 'max="40" value="12"' in body and "data-pack-active" in body
    assert "js/committee_pack.js" in body
    assert 'data-fragment-url="' + _url(committee, "/etat") + '"' in body
    assert "Télécharger" not in body
    job.result = {"phase": "layout", "pages": 23}
    job.done = 40
    db.session.flush()
    status = web.get(_url(committee, ".json")).get_json()
    assert status["state"] == "running" and status["ready"] is False
    assert status["message"] == "Génération du dossier de séance : mise en page du PDF (page 23)…"
    assert "page 23" in text(web.get(_url(committee, "/etat")))


def test_a_failed_generation_is_explained_not_a_server_error(app, client_for):
    committee, secretary = make_agenda(1)
    job = start_pack(committee, secretary)
    db.session.flush()
    db.session.info.clear()
    job.state, job.error = "failed", "StorageError: disque plein"
    db.session.flush()
    page = client_for(secretary).get(_url(committee))
    assert page.status_code == 200
    body = text(page)
    assert "La génération du dossier de séance a échoué (StorageError: disque plein)." in body
    assert "relancer la génération" in body and "Régénérer le dossier de séance" in body


def test_members_see_the_session_page_link(built, client_for, urps):
    """The session page (helper C's) points to the progress page and the download."""
    committee, _secretary = built
    member = db.session.scalar(
        select(CommitteeMember).where(
            CommitteeMember.session_id == committee.id, CommitteeMember.user_id == urps.id
        )
    )
    assert member is not None
    body = client_for(urps).get(f"/comite/seances/{committee.id}").get_data(as_text=True)
    assert _url(committee) in body and _url(committee, ".pdf") in body
