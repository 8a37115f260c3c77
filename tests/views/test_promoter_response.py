"""The promoter's answer to a request for documents, over HTTP: only the flagged items are
editable, the answer closes the request, resumes the clock and freezes version 2."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from grants.extensions import db
from grants.models.base import utcnow
from tests import factories
from tests.conftest import login
from tests.pieces_support import PDF
from tests.views.document_request_support import (
    client_for,
    outbox_rows,
    refreshed,
    request_documents,
    requests_of,
)
from tests.views.rows_support import post_rows, professional
from tests.views.sections_support import post


@pytest.fixture
def awaiting(app, submitted_dossier, dd_instructor_77):
    """The dossier once the DD 77 asked for section D and the health project (projet_sante)."""
    response = request_documents(client_for(app, dd_instructor_77), submitted_dossier)
    assert response.status_code == 302
    return refreshed(submitted_dossier)


def _upload(client, dossier, piece):
    return client.post(
        f"/espace/dossiers/{dossier.id}/pieces",
        data={"piece_code": piece, "file": (io.BytesIO(PDF), "Projet signé.pdf")},
        content_type="multipart/form-data",
    )


def _respond(client, dossier, **data):
    values = {"lock_version": str(refreshed(dossier).lock_version), **data}
    return client.post(f"/espace/dossiers/{dossier.id}/reponse", data=values)


def test_dossier_page_shows_the_request_and_the_tracks(promoter_client, awaiting):
    html = promoter_client.get(f"/espace/dossiers/{awaiting.id}").get_data(as_text=True)
    assert "Pièces ou précisions demandées" in html
    assert "Précisez le temps de présence des médecins." in html
    assert "La version signée manque." in html
    assert f"/espace/dossiers/{awaiting.id}/reponse" in html
    assert f"/espace/dossiers/{awaiting.id}/lignes/professionals" in html
    # Tracks with the promoter's wording (PROMOTER_TRACK_LABELS), the message thread.
    assert "Vérification des pièces" in html
    assert "Messages avec les instructeurs" in html


def test_full_cycle(promoter_client, awaiting, dd_instructor_77):
    dossier = awaiting
    # A flagged section is editable...
    rows = [professional(i) for i in range(4)]
    assert post_rows(promoter_client, dossier, "professionals", *rows).status_code == 302
    # ...the others answer 409 with an explanation.
    refused = promoter_client.get(f"/espace/dossiers/{dossier.id}/rubriques/identity")
    assert refused.status_code == 409
    assert "seules les rubriques et les pièces demandées" in refused.get_data(as_text=True)
    assert post(promoter_client, refreshed(dossier), "health_project", {}).status_code == 409
    # Pieces: the flagged one is accepted, another is refused.
    assert _upload(promoter_client, dossier, "projet_sante").status_code == 302
    assert _upload(promoter_client, dossier, "statuts").status_code == 409
    # The answer page summarises what changed since version 1.
    page = promoter_client.get(f"/espace/dossiers/{dossier.id}/reponse").get_data(as_text=True)
    assert "Vos modifications depuis la version 1" in page
    assert "D. Professionnels de santé impliqués" in page
    assert "Projet de santé — Projet signé.pdf" in page
    # Two days pass with the clock paused.
    dossier = refreshed(dossier)
    dossier.clock_paused_at = utcnow() - timedelta(days=2)
    db.session.flush()

    response = _respond(promoter_client, dossier)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]

    dossier = refreshed(dossier)
    assert dossier.state == "completeness_check"
    assert [r.state for r in requests_of(dossier)] == ["answered"]
    assert requests_of(dossier)[0].answered_at is not None
    assert dossier.clock_paused_at is None
    assert dossier.clock_paused_seconds >= 2 * 24 * 3600 - 60
    assert [v.number for v in dossier.versions] == [1, 2]
    assert len(dossier.versions[1].payload["professionals"]) == 4
    receipt = promoter_client.get(f"/espace/dossiers/{dossier.id}/versions/2/accuse-de-depot.pdf")
    assert receipt.status_code == 200 and receipt.mimetype == "application/pdf"
    assert receipt.data.startswith(b"%PDF")
    # The requester hears of it.
    assert any(
        r.recipient_id == dd_instructor_77.id for r in outbox_rows(dossier, "dossier.respond")
    )
    # Nothing is editable any more.
    assert _upload(promoter_client, dossier, "projet_sante").status_code == 409


def test_a_member_may_respond(app, awaiting):
    member = factories.UserFactory()
    factories.MembershipFactory(user=member, organisation=awaiting.organisation, role="member")
    db.session.flush()
    client = app.test_client()
    login(client, member.email)
    assert _respond(client, awaiting).status_code == 302
    assert refreshed(awaiting).state == "completeness_check"


def test_stale_answer_is_409(promoter_client, awaiting):
    response = _respond(promoter_client, awaiting, lock_version="1")
    assert response.status_code == 409
    assert "rechargez la page" in response.get_data(as_text=True)
    assert refreshed(awaiting).state == "awaiting_documents"


def test_answer_without_request_is_422(promoter_client, submitted_dossier):
    response = _respond(promoter_client, submitted_dossier)
    assert response.status_code == 422
    assert "Aucune demande de pièces n'attend votre réponse" in response.get_data(as_text=True)


def test_other_organisation_gets_404(app, awaiting):
    stranger = factories.UserFactory()
    factories.MembershipFactory(user=stranger, role="owner")
    db.session.flush()
    client = client_for(app, stranger)
    assert client.get(f"/espace/dossiers/{awaiting.id}/reponse").status_code == 404
    assert _respond(client, awaiting).status_code == 404


def test_filed_dossier_without_request_is_not_editable(promoter_client, submitted_dossier):
    response = promoter_client.get(f"/espace/dossiers/{submitted_dossier.id}/rubriques/identity")
    assert response.status_code == 409
    assert "il n&#39;est plus modifiable" in response.get_data(as_text=True)
