"""Decisions over HTTP: the decider's form reached from the track panel, the refusals (403, 404,
409, 422 in French, nothing recorded), the letters downloadable by the promoter and by the staff
who see the dossier, and the whole-project page."""

from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import func, select

from grants.extensions import db
from grants.models import FinancerDecision
from grants.services import ledger
from grants.services.envelopes import envelope_for
from tests import factories
from tests.decisions.support import OP, RE, YESTERDAY, balance, financer, track_of
from tests.workflow.support import outsider_promoter

D = Decimal


def form_url(dossier, track) -> str:  # type: ignore[no-untyped-def]
    return f"/instruction/dossiers/{dossier.id}/financeurs/{track.id}/decision"


def post_decision(client, dossier, code, outcome, amounts=None, **fields):  # type: ignore[no-untyped-def]
    track = track_of(dossier, code)
    data = {
        "outcome": outcome,
        "act_reference": f"ARR-{code}-2026-17",
        "act_date": YESTERDAY.isoformat(),
        "signatory": "M. Paul Lefort, directeur général adjoint",
        "conditions": "",
        "motivation": "",
        "lock_version": str(track.lock_version),
        **{f"amount_{k}": v for k, v in (amounts or {}).items()},
    }
    data.update(fields)
    return client.post(form_url(dossier, track), data=data)


def count_decisions(dossier) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(
        select(func.count(FinancerDecision.id)).where(FinancerDecision.dossier_id == dossier.id)
    )


def test_the_track_panel_links_to_the_prefilled_form(client_for, pending, deciders):
    db.session.commit()
    client = client_for(deciders["REGION_IDF"])
    track = track_of(pending, "REGION_IDF")
    page = client.get(f"/instruction/dossiers/{pending.id}").get_data(as_text=True)
    link = f"{form_url(pending, track)}?evenement=grant_partially"
    assert link in page
    assert f"/instruction/dossiers/{pending.id}/projet" in page
    html = client.get(link).get_data(as_text=True)
    assert "Décision de Région Île-de-France" in html
    assert 'value="250000,00"' in html and 'value="40000,00"' in html  # the committee's amounts
    radio = re.search(r'<input[^>]*value="partially_granted"[^>]*>', html)
    assert radio and "checked" in radio.group(0)
    assert "308\u202f641,97\xa0€" in html  # what the plan asks the Région for
    assert "Enveloppe « Région Île-de-France" in html


def test_granting_over_http_then_letters_for_promoter_and_staff(
    client_for, pending, deciders, promoter, mailbox
):
    db.session.commit()
    client = client_for(deciders["ARS_IMMO"])
    response = post_decision(
        client, pending, "ARS_IMMO", "granted", {RE: "300 000,00"}, conditions="Ouverture en 2027."
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert response.headers["Location"].endswith(
        f"/instruction/dossiers/{pending.id}/projet#decisions"
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "enregistrée (Accordé — 300\u202f000,00\xa0€)" in page
    decision = db.session.scalar(
        select(FinancerDecision).where(FinancerDecision.dossier_id == pending.id)
    )
    staff_letter = f"/instruction/dossiers/{pending.id}/decisions/{decision.id}/lettre.pdf"
    assert staff_letter in page
    letter = client.get(staff_letter)
    assert letter.status_code == 200 and letter.mimetype == "application/pdf"
    assert letter.data.startswith(b"%PDF")
    # Another financer's staff who see the dossier read it too.
    assert client_for(deciders["DEP_77"]).get(staff_letter).status_code == 200
    # The promoter: an email with the link, the section on the dossier page, the download.
    sent = [m for m in mailbox if m["To"] == promoter.email]
    assert len(sent) == 1 and "Décision de ARS" in str(sent[0]["Subject"])
    body = sent[0].get_body(("plain",)).get_content()
    assert f"/espace/dossiers/{pending.id}/decisions/{decision.id}/lettre.pdf" in body
    assert "300 000,00 €" in body
    web = client_for(promoter)
    html = web.get(f"/espace/dossiers/{pending.id}").get_data(as_text=True)
    promoter_letter = f"/espace/dossiers/{pending.id}/decisions/{decision.id}/lettre.pdf"
    assert 'id="decisions"' in html and promoter_letter in html
    assert "Examen par le comité d&#39;instruction partagé" in html or (
        "Examen par le comité d'instruction partagé" in html
    )
    download = web.get(promoter_letter)
    assert download.status_code == 200 and download.data == letter.data
    # Nobody else.
    assert client_for(outsider_promoter()).get(promoter_letter).status_code == 404
    stranger = factories.make_staff("financer_decider", ("DEP_91",))
    db.session.commit()
    assert client_for(stranger).get(staff_letter).status_code == 404
    assert (
        web.get(
            f"/espace/dossiers/{pending.id}/decisions/{decision.id + 999}/lettre.pdf"
        ).status_code
        == 404
    )


def test_invalid_input_answers_422_in_french_and_records_nothing(client_for, pending, deciders):
    db.session.commit()
    client = client_for(deciders["REGION_IDF"])
    response = post_decision(
        client, pending, "REGION_IDF", "refused", {RE: "1000"}, act_reference="", signatory=""
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for message in (
        "aucun montant",
        "Motivez le refus",
        "Indiquez la référence de l&#39;acte de décision.",
        "Indiquez le signataire de la décision.",
    ):
        assert message in html, message
    bad_date = post_decision(client, pending, "REGION_IDF", "granted", {RE: "1"}, act_date="demain")
    assert bad_date.status_code == 422
    assert "pas une date valide" in bad_date.get_data(as_text=True)
    assert count_decisions(pending) == 0


def test_a_decision_above_the_envelope_is_refused_over_http(client_for, pending, deciders):
    envelope = envelope_for(financer("REGION_IDF").id)
    db.session.refresh(envelope)
    too_much = envelope.remaining + D("290000.00") + D("10.00")
    db.session.commit()
    client = client_for(deciders["REGION_IDF"])
    response = post_decision(client, pending, "REGION_IDF", "granted", {RE: f"{too_much}"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Il reste " in html and "à engager au-delà de la réservation" in html
    db.session.expire_all()
    assert count_decisions(pending) == 0
    assert track_of(pending, "REGION_IDF").state == "awaiting_decision"
    held = balance(pending, "REGION_IDF")
    assert (held.reserved, held.committed) == (D("290000.00"), D("0"))


def test_wrong_role_or_financer_is_refused(client_for, pending, deciders):
    db.session.commit()
    ars_track = track_of(pending, "ARS_IMMO")
    region = client_for(deciders["REGION_IDF"])
    assert region.get(form_url(pending, ars_track)).status_code == 403
    response = post_decision(region, pending, "ARS_IMMO", "granted", {RE: "1000"})
    assert response.status_code == 403
    assert "Seul un décideur de ARS" in response.get_data(as_text=True)
    instructor = factories.make_staff("financer_instructor", ("REGION_IDF",))
    outsider = factories.make_staff("financer_decider", ("DEP_91",))
    db.session.commit()
    region_track = track_of(pending, "REGION_IDF")
    assert client_for(instructor).get(form_url(pending, region_track)).status_code == 403
    assert (
        post_decision(
            client_for(instructor), pending, "REGION_IDF", "granted", {RE: "1"}
        ).status_code
        == 403
    )
    # A decider of a financer the dossier does not target does not see it at all.
    assert client_for(outsider).get(form_url(pending, region_track)).status_code == 404
    # A track that is not the dossier's.
    assert (
        region.get(f"/instruction/dossiers/{pending.id}/financeurs/999999/decision").status_code
        == 404
    )
    # The promoter never reaches the instruction pages.
    assert count_decisions(pending) == 0


def test_a_stale_form_answers_409(client_for, pending, deciders):
    db.session.commit()
    client = client_for(deciders["ARS_IMMO"])
    response = post_decision(
        client,
        pending,
        "ARS_IMMO",
        "granted",
        {RE: "1000"},
        lock_version=str(track_of(pending, "ARS_IMMO").lock_version + 1),
    )
    assert response.status_code == 409
    assert count_decisions(pending) == 0


def test_the_project_page_shows_the_whole_project(client_for, pending, deciders, secretary):
    """Who was asked for what, the committee's history (an earlier deferral included), who
    decided what and when, what is committed and what is paid."""
    from tests.decisions.support import add_item, make_session

    earlier = make_session(
        secretary, days_ago=60, title="Comité d'instruction partagé de septembre"
    )
    add_item(
        pending,
        earlier,
        secretary,
        opinion="deferred",
        proposed={},
        reserve=False,
        deferral_reasons="Plan de financement à consolider (fonds propres).",
    )
    db.session.commit()
    assert (
        post_decision(
            client_for(deciders["ARS_IMMO"]), pending, "ARS_IMMO", "granted", {RE: "300000"}
        ).status_code
        == 302
    )
    assert (
        post_decision(
            client_for(deciders["REGION_IDF"]),
            pending,
            "REGION_IDF",
            "partially_granted",
            {RE: "200000", OP: "40000"},
            motivation="Coût des travaux surévalué.",
        ).status_code
        == 302
    )
    envelope = envelope_for(financer("ARS_IMMO").id)
    ledger.pay(envelope, pending, D("90000"), deciders["ARS_IMMO"], "Avance de 30 %")
    db.session.commit()
    html = (
        client_for(deciders["DEP_77"])
        .get(f"/instruction/dossiers/{pending.id}/projet")
        .get_data(as_text=True)
    )
    for text in (
        "308\u202f641,97\xa0€",  # asked of each financer for the real estate
        "250\u202f000,00\xa0€",  # proposed by the committee to the Région
        "Accordé partiellement — 240\u202f000,00\xa0€",
        "ARR-REGION_IDF-2026-17",
        "Coût des travaux surévalué.",
        "90\u202f000,00\xa0€",  # paid
        "210\u202f000,00\xa0€",  # committed and not yet paid
        "Comité d&#39;instruction partagé de septembre",
        "Plan de financement à consolider (fonds propres).",
        "Ajournement",
        "Favorable",
        "Plan de financement recalculé",
        "enregistrer la décision",  # the Département is still to decide…
    ):
        assert text in html, text
    # …and only the Département's decider is offered its form.
    assert "enregistrer la décision" not in client_for(deciders["ARS_IMMO"]).get(
        f"/instruction/dossiers/{pending.id}/projet"
    ).get_data(as_text=True)


def test_the_project_page_before_the_committee(client_for, submitted_dossier, ars_instructor):
    html = client_for(ars_instructor).get(f"/instruction/dossiers/{submitted_dossier.id}/projet")
    assert html.status_code == 200
    text = html.get_data(as_text=True)
    assert "pas encore été inscrit à l'ordre du jour" in text
    assert "Aucun financeur n'a encore rendu sa décision." in text
