"""Scoring over HTTP: the instructors' scoring page and its scope, asking for a score, adjusting
a criterion (422 without justification), proposed amounts (409 on a stale form), the admin
configuration pages (admin only) and a new grid's re-score job with its JSON progress."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import select

from grants.extensions import db
from grants.models import AuditEvent
from grants.models.scoring import ConfigVersion, ProposedAmount, ScoreCard
from grants.services import scoring
from tests import factories
from tests.conftest import login
from tests.views.instruction.conftest import UserClient


@pytest.fixture
def client_for(app: Flask):  # type: ignore[no-untyped-def]
    def make(user):  # type: ignore[no-untyped-def]
        client = UserClient(app, app.response_class, use_cookies=True)
        login(client, user.email)
        return client

    return make


def url(dossier, suffix: str = "") -> str:  # type: ignore[no-untyped-def]
    return f"/instruction/dossiers/{dossier.id}/notation{suffix}"


def test_only_staff_who_see_the_dossier_reach_the_page(client_for, submitted_dossier, promoter):
    outsider = factories.make_staff("financer_instructor", ("DEP_93",))
    assert client_for(outsider).get(url(submitted_dossier)).status_code == 404
    assert client_for(promoter).get(url(submitted_dossier)).status_code == 404
    assert client_for(outsider).post(url(submitted_dossier, "/calcul"), data={}).status_code == 404


def test_instructor_asks_for_a_score_and_reads_the_card(
    client_for, submitted_dossier, ars_instructor
):
    client = client_for(ars_instructor)
    page = client.get(url(submitted_dossier)).get_data(as_text=True)
    # Filing schedules a score for after the commit; the page shows the gates either way.
    assert "G5 — Engagements acceptés" in page
    response = client.post(url(submitted_dossier, "/calcul"), data={})
    assert response.status_code == 302
    page = client.get(url(submitted_dossier)).get_data(as_text=True)
    assert "Grille <strong>2025-01</strong>" in page
    assert "Aide immobilière de l'ARS (enveloppe 55 M€)" in page and "Forfait par médecin" in page
    assert "Plan de financement" in page


def test_adjustment_without_justification_is_refused(client_for, submitted_dossier, ars_instructor):
    db.session.commit()  # runs the scoring the filing scheduled
    card = scoring.current_card(submitted_dossier.id)
    client = client_for(ars_instructor)
    target = url(submitted_dossier, f"/{card.id}/ajustement")
    response = client.post(target, data={"criterion": "C", "points": "9", "justification": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Justifiez l&#39;ajustement" in page and 'value="9"' in page
    response = client.post(
        target,
        data={"criterion": "C", "points": "9", "justification": "CLS signé en mars, pièce jointe."},
    )
    assert response.status_code == 302
    page = client.get(url(submitted_dossier)).get_data(as_text=True)
    assert "CLS signé en mars" in page
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "score.adjusted"))


def test_proposed_amount_upsert_conflict_and_flags(
    client_for, submitted_dossier, region_instructor, ars_instructor
):
    track = next(t for t in submitted_dossier.tracks if t.financer.code == "REGION_IDF")
    client = client_for(region_instructor)
    target = f"/instruction/dossiers/{submitted_dossier.id}/suivis/{track.id}/montants"
    form = {"aid_type": "investment_real_estate", "amount": "500 000,00", "lock_version": "0"}
    assert client.post(target, data=form).status_code == 302
    row = db.session.scalar(select(ProposedAmount).where(ProposedAmount.track_id == track.id))
    assert row.amount == 500000
    page = client.get(url(submitted_dossier)).get_data(as_text=True)
    assert "au-delà de son taux maximal" in page  # 500 000 of 1 234 567,89 > 30 %
    stale = client.post(target, data={**form, "amount": "300000", "lock_version": "0"})
    assert stale.status_code == 409
    bad = client.post(target, data={**form, "amount": "beaucoup", "lock_version": "1"})
    assert bad.status_code == 422 and "beaucoup" in bad.get_data(as_text=True)
    # Another financer's instructor may not propose the Région's amount.
    assert client_for(ars_instructor).post(target, data=form).status_code == 403
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "amount.proposed"))


@pytest.mark.parametrize("role", ["promoter", "ars_instructor"])
def test_configuration_pages_are_admin_only(client_for, role):
    user = factories.UserFactory() if role == "promoter" else factories.make_staff(role)
    client = client_for(user)
    for page in ("/admin/configuration", "/admin/configuration/scoring_grid/nouvelle-version"):
        assert client.get(page).status_code == 404


def grid_form(client) -> dict[str, str]:  # type: ignore[no-untyped-def]
    html = client.get("/admin/configuration/scoring_grid/nouvelle-version").get_data(as_text=True)
    values = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', html))
    values.pop("csrf_token", None)
    for name in re.findall(r'type="checkbox" id="[^"]+" name="(gate-[^"]+)" checked', html):
        values[name] = "on"
    values["basis-M"] = "etp"
    return values


def test_admin_creates_a_grid_version_and_watches_the_rescore(client_for, submitted_dossier):
    admin = factories.UserFactory(role="admin")
    client = client_for(admin)
    scoring.score_dossier(submitted_dossier.id, "submit")
    form = grid_form(client)
    bad = client.post(
        "/admin/configuration/scoring_grid/nouvelle-version",
        data={**form, "version": "2026-01", "weight-Z": "40"},
    )
    assert bad.status_code == 422
    assert "La somme des poids doit être 100" in bad.get_data(as_text=True)
    assert 'value="40"' in bad.get_data(as_text=True)
    response = client.post(
        "/admin/configuration/scoring_grid/nouvelle-version",
        data={
            **form,
            "version": "2026-01",
            "weight-Z": "30",
            "weight-D": "5",
            "include-M": ["already_on_site", "new_installation"],
        },
    )
    assert response.status_code == 302
    job_url = response.headers["Location"]
    status = client.get(job_url.rstrip("/") + ".json").get_json()
    assert status["state"] == "done" and status["done"] == status["total"] >= 1
    assert "Nouvelle notation" in client.get(job_url).get_data(as_text=True)
    grid = db.session.scalar(select(ConfigVersion).where(ConfigVersion.version == "2026-01"))
    assert grid.payload["components"][0]["weight"] == 30
    current = db.session.scalar(
        select(ScoreCard).where(ScoreCard.dossier_id == submitted_dossier.id, ScoreCard.current)
    )
    assert current.grid_id == grid.id
    old = client.get("/admin/configuration")
    assert "2025-01" in old.get_data(as_text=True) and "Archivée" in old.get_data(as_text=True)


@pytest.mark.parametrize("kind", ["aid_formula", "financing_rules"])
def test_admin_creates_other_versions(client_for, kind):
    client = client_for(factories.UserFactory(role="admin"))
    html = client.get(f"/admin/configuration/{kind}/nouvelle-version").get_data(as_text=True)
    form = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', html))
    form.pop("csrf_token", None)
    if kind == "aid_formula":
        form |= {"basis": "etp", "include": ["already_on_site"]}
    response = client.post(
        f"/admin/configuration/{kind}/nouvelle-version", data={**form, "version": "v2"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert client.get(response.headers["Location"]).status_code == 200
