"""Submitting a dossier over HTTP: problems, confirmation, success, conflicts and access."""

from __future__ import annotations

import re
from datetime import UTC
from html import unescape

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from grants.extensions import db
from grants.models import AuditEvent, Dossier, DossierVersion
from grants.services.snapshot import payload_sha256
from tests import factories
from tests.conftest import login
from tests.helpers.complete_dossier import make_complete_dossier


def url(dossier: Dossier) -> str:
    return f"/espace/dossiers/{dossier.id}/depot"


def post(client, dossier: Dossier, lock_version=None):  # type: ignore[no-untyped-def]
    version = dossier.lock_version if lock_version is None else lock_version
    return client.post(url(dossier), data={"lock_version": str(version)})


def test_the_page_lists_every_problem_linked_to_its_field(promoter_client, dossier):
    response = promoter_client.get(url(dossier))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "A. Identité et périmètre du projet" in html
    assert f'href="/espace/dossiers/{dossier.id}/rubriques/identity#structure_type"' in html
    assert "J. Engagements du porteur" in html
    assert 'name="lock_version"' not in html  # no confirmation while problems remain


def test_the_dossier_page_counts_the_problems(promoter_client, dossier):
    html = promoter_client.get(f"/espace/dossiers/{dossier.id}").get_data(as_text=True)
    assert "points bloquants" in html
    assert f'href="{url(dossier)}"' in html


def test_a_complete_dossier_shows_the_confirmation(promoter_client, promoter):
    dossier = make_complete_dossier(promoter)
    html = promoter_client.get(url(dossier)).get_data(as_text=True)
    assert "Ce qui sera déposé" in html
    assert f'name="lock_version" type="hidden" value="{dossier.lock_version}"' in html
    assert "Déposer le dossier</button>" in html


def test_submitting_with_problems_answers_422_with_the_list(promoter_client, promoter):
    dossier = make_complete_dossier(promoter, address=None)
    response = post(promoter_client, dossier)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "ne peut pas encore être déposé" in html
    assert "/rubriques/territory#address" in html
    assert dossier.state == "draft"


def test_submitting_files_the_dossier(promoter_client, promoter):
    dossier = make_complete_dossier(promoter)
    response = post(promoter_client, dossier)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/espace/dossiers/{dossier.id}")
    db.session.expire_all()
    dossier = db.session.get(Dossier, dossier.id)
    assert dossier.state == "completeness_check"  # filing opens the check
    assert re.fullmatch(r"IDF-\d{4}-77-0001", dossier.reference)
    assert dossier.submitted_at.tzinfo is not None
    assert dossier.submitted_at.utcoffset() == UTC.utcoffset(None)
    [version] = dossier.versions
    assert version.number == 1 and version.frozen_by_id == promoter.id
    assert version.payload_sha256 == payload_sha256(version.payload)
    event = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.dossier_id == dossier.id, AuditEvent.action == "dossier.submit"
        )
    )
    assert event.data["reference"] == dossier.reference and event.data["version"] == 1
    page = promoter_client.get(f"/espace/dossiers/{dossier.id}").get_data(as_text=True)
    assert dossier.reference in page
    assert f"/espace/dossiers/{dossier.id}/versions/1/accuse-de-depot.pdf" in page


@pytest.mark.parametrize(
    "statement", ["UPDATE dossier_versions SET reason = 'x'", "DELETE FROM dossier_versions"]
)
def test_the_frozen_version_cannot_change_in_the_database(promoter_client, promoter, statement):
    dossier = make_complete_dossier(promoter)
    assert post(promoter_client, dossier).status_code == 302
    version_id = db.session.scalar(
        select(DossierVersion.id).where(DossierVersion.dossier_id == dossier.id)
    )
    with pytest.raises(DBAPIError, match="append-only"), db.session.begin_nested():
        db.session.execute(text(f"{statement} WHERE id = :id"), {"id": version_id})


def test_a_second_submission_is_a_conflict(promoter_client, promoter):
    dossier = make_complete_dossier(promoter)
    assert post(promoter_client, dossier).status_code == 302
    response = post(promoter_client, dossier)
    assert response.status_code == 409
    assert "déjà été déposé" in response.get_data(as_text=True)
    assert len(db.session.get(Dossier, dossier.id).versions) == 1


def test_a_stale_page_is_a_conflict(promoter_client, promoter):
    dossier = make_complete_dossier(promoter)
    response = post(promoter_client, dossier, lock_version=dossier.lock_version - 1)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Ce dossier a été modifié entre-temps : rechargez la page." in html
    assert dossier.state == "draft"


def test_a_missing_lock_version_is_treated_as_stale(promoter_client, promoter):
    dossier = make_complete_dossier(promoter)
    response = promoter_client.post(url(dossier), data={})
    assert response.status_code == 409


def test_a_member_who_is_not_owner_may_not_submit(client, promoter):
    dossier = make_complete_dossier(promoter)
    member = factories.UserFactory()
    factories.MembershipFactory(user=member, organisation=dossier.organisation, role="member")
    db.session.flush()
    login(client, member.email)
    page = client.get(url(dossier)).get_data(as_text=True)
    assert "Seul un responsable" in page and "Déposer le dossier</button>" not in page
    response = post(client, dossier)
    assert response.status_code == 403
    assert "Seul un responsable de l'organisation porteuse" in unescape(
        response.get_data(as_text=True)
    )
    assert dossier.state == "draft"


def test_another_organisation_sees_nothing(client, promoter):
    dossier = make_complete_dossier(promoter)
    stranger = factories.UserFactory()
    factories.MembershipFactory(user=stranger, role="owner")
    db.session.flush()
    login(client, stranger.email)
    assert client.get(url(dossier)).status_code == 404
    assert post(client, dossier).status_code == 404
    assert (
        client.get(f"/espace/dossiers/{dossier.id}/versions/1/accuse-de-depot.pdf").status_code
        == 404
    )
    assert dossier.state == "draft"


def test_submission_requires_the_csrf_token(client, promoter):
    login(client, promoter.email)
    dossier = make_complete_dossier(promoter)
    client.auto_csrf = False
    response = client.post(url(dossier), data={"lock_version": str(dossier.lock_version)})
    assert response.status_code == 400
    assert dossier.state == "draft"
