"""An instructor's request for documents over HTTP: the form, the request, refusals and scope."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from grants.extensions import db
from grants.models import AuditEvent
from grants.services.document_requests import paris_today
from tests import factories
from tests.views.document_request_support import (
    client_for,
    financer_id,
    outbox_rows,
    refreshed,
    request_documents,
    request_url,
    requests_of,
)


def test_form_lists_sections_pieces_and_a_default_due_date(
    app, submitted_dossier, dd_instructor_77
):
    client = client_for(app, dd_instructor_77)
    response = client.get(request_url(submitted_dossier))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'value="professionals"' in html and "D. Professionnels de santé impliqués" in html
    assert 'value="projet_sante"' in html and "Projet de santé" in html
    assert (paris_today() + timedelta(days=15)).isoformat() in html
    # On behalf of the délégation's financers targeted by the dossier only (ARS_IMMO, not FIR).
    assert f'value="{financer_id("ARS_IMMO")}"' in html
    assert f'value="{financer_id("ARS_FIR")}"' not in html


def test_request_pauses_the_clock_and_notifies_the_promoter(
    app, submitted_dossier, dd_instructor_77, promoter
):
    client = client_for(app, dd_instructor_77)
    response = request_documents(client, submitted_dossier)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert response.headers["Location"].endswith(f"/instruction/dossiers/{submitted_dossier.id}")
    dossier = refreshed(submitted_dossier)
    assert dossier.state == "awaiting_documents"
    assert dossier.clock_paused_at is not None
    [request] = requests_of(dossier)
    assert request.state == "open" and request.financer_id == financer_id("ARS_IMMO")
    assert request.due_on == paris_today() + timedelta(days=15)
    assert [(i["kind"], i["code"]) for i in request.items] == [
        ("section", "professionals"),
        ("piece", "projet_sante"),
    ]
    assert request.items[1]["reason"] == "La version signée manque."
    assert dossier.flagged_items == {
        "section": frozenset({"professionals"}),
        "piece": frozenset({"projet_sante"}),
    }
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.dossier_id == dossier.id)
    ).all()
    assert "dossier.request_documents" in actions
    promoter_rows = [r for r in outbox_rows(dossier) if r.recipient_id == promoter.id]
    assert {r.channel for r in promoter_rows} == {"email", "inapp"}


def test_due_date_in_the_past_is_422_with_values_kept(app, submitted_dossier, dd_instructor_77):
    client = client_for(app, dd_instructor_77)
    yesterday = (paris_today() - timedelta(days=1)).isoformat()
    response = request_documents(
        client, submitted_dossier, due_on=yesterday, message="Texte <b>gardé</b>"
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "La date limite doit être postérieure à aujourd&#39;hui." in html
    assert "Texte &lt;b&gt;gardé&lt;/b&gt;" in html and yesterday in html
    assert 'href="#due_on"' in html
    assert refreshed(submitted_dossier).state == "completeness_check"
    assert requests_of(submitted_dossier) == []


def test_nothing_ticked_is_422(app, submitted_dossier, dd_instructor_77):
    client = client_for(app, dd_instructor_77)
    response = request_documents(client, submitted_dossier, sections=[], pieces=[])
    assert response.status_code == 422
    assert "Cochez au moins une rubrique ou une pièce" in response.get_data(as_text=True)


def test_unknown_item_is_422(app, submitted_dossier, dd_instructor_77):
    client = client_for(app, dd_instructor_77)
    response = request_documents(client, submitted_dossier, sections=["nope"])
    assert response.status_code == 422


def test_dd_93_instructor_cannot_see_a_77_dossier(app, submitted_dossier):
    dd_93 = factories.make_staff("dd_instructor", factories.ARS_FINANCERS, departement="93")
    client = client_for(app, dd_93)
    assert client.get(request_url(submitted_dossier)).status_code == 404
    assert request_documents(client, submitted_dossier).status_code == 404
    assert requests_of(submitted_dossier) == []


def test_promoter_gets_404(promoter_client, submitted_dossier):
    assert promoter_client.get(request_url(submitted_dossier)).status_code == 404


def test_committee_secretary_is_refused_403(app, submitted_dossier, committee_secretary):
    client = client_for(app, committee_secretary)
    assert client.get(request_url(submitted_dossier)).status_code == 403
    assert request_documents(client, submitted_dossier).status_code == 403


def test_stale_version_is_409(app, submitted_dossier, dd_instructor_77):
    client = client_for(app, dd_instructor_77)
    response = request_documents(
        client, submitted_dossier, lock_version=str(submitted_dossier.lock_version - 1)
    )
    assert response.status_code == 409
    assert "rechargez la page" in response.get_data(as_text=True)


def test_a_second_financer_may_add_its_request(
    app, submitted_dossier, dd_instructor_77, region_instructor
):
    assert (
        request_documents(client_for(app, dd_instructor_77), submitted_dossier).status_code == 302
    )
    client = client_for(app, region_instructor)
    dossier = refreshed(submitted_dossier)
    # Only on behalf of its own financer: ARS_IMMO is not among its choices.
    assert request_documents(client, dossier).status_code == 422
    response = request_documents(
        client,
        dossier,
        sections=["financing"],
        pieces=[],
        financer_id=str(financer_id("REGION_IDF")),
    )
    assert response.status_code == 302
    dossier = refreshed(dossier)
    assert [r.state for r in requests_of(dossier)] == ["open", "open"]
    assert dossier.flagged_items["section"] == {"professionals", "financing"}


def test_instructor_dossier_page_shows_requests_and_messages(
    app, submitted_dossier, dd_instructor_77
):
    client = client_for(app, dd_instructor_77)
    before = client.get(f"/instruction/dossiers/{submitted_dossier.id}").get_data(as_text=True)
    assert request_url(submitted_dossier) in before
    assert request_documents(client, submitted_dossier).status_code == 302
    response = client.get(f"/instruction/dossiers/{submitted_dossier.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Demandes de pièces ou de précisions" in html
    assert "La version signée manque." in html and "En attente de réponse" in html
    assert "Délai d&#39;instruction suspendu" in html or "Délai d'instruction suspendu" in html
    assert "Messages avec le porteur" in html
