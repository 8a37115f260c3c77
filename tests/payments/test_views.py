"""Payments over HTTP: the panel per role, the promoter's request form (evidence uploads,
actual costs kept on a 422), the instructor's check, the decider's approval and payment, the
rejection with a reason, suspensions, recovery orders; 404 outside scope, 403 for the wrong
role."""

from __future__ import annotations

import io
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from grants.extensions import db
from grants.models import EnvelopeMovement, PaymentRequest, RecoveryOrder
from grants.services import payments
from grants.templating import money
from tests import factories
from tests.payments import support
from tests.pieces_support import EXE, PDF
from tests.workflow.support import outsider_promoter

D = Decimal


def _files(codes: list[str]) -> dict[str, object]:
    return {f"evidence-{code}": (io.BytesIO(PDF), f"{code}.pdf") for code in codes}


def _ask(client, agreement, tranche, **extra):  # type: ignore[no-untyped-def]
    url = f"/paiements/conventions/{agreement.id}/tranches/{tranche.id}/demande"
    data = {**_files([c for c in tranche.evidence if c != "agreement_signed"]), **extra}
    return client.post(url, data=data, content_type="multipart/form-data")


def _latest(agreement) -> PaymentRequest:  # type: ignore[no-untyped-def]
    return db.session.scalar(
        select(PaymentRequest)
        .where(PaymentRequest.agreement_id == agreement.id)
        .order_by(PaymentRequest.id.desc())
        .limit(1)
        .execution_options(populate_existing=True)
    )


def test_the_whole_path_over_http(promoter, agreement, team, client_for):
    advance = payments.create_tranches(agreement, None)[0]
    owner, instructor, decider = (
        client_for(promoter),
        client_for(team["instructor"]),
        client_for(team["decider"]),
    )
    panel = owner.get(f"/paiements/conventions/{agreement.id}").get_data(as_text=True)
    assert "Demander le versement" in panel and "90\u202f000,00\xa0€" in panel
    assert "Relevé d&#39;identité bancaire" in panel and "déjà disponible" in panel
    form = owner.get(f"/paiements/conventions/{agreement.id}/tranches/{advance.id}/demande")
    assert form.status_code == 200 and 'name="evidence-rib"' in form.get_data(as_text=True)
    response = _ask(owner, agreement, advance)
    assert response.status_code == 302
    request = _latest(agreement)
    assert response.headers["Location"].endswith(f"/paiements/demandes/{request.id}")
    detail = owner.get(f"/paiements/demandes/{request.id}").get_data(as_text=True)
    assert "Montant de la demande" in detail and "Valider la vérification" not in detail
    assert owner.get(f"/paiements/demandes/{request.id}/pieces/1").data == PDF
    staff_panel = instructor.get(f"/paiements/conventions/{agreement.id}").get_data(as_text=True)
    assert "Demander le versement" not in staff_panel and "Vérifier" in staff_panel
    assert instructor.get(f"/paiements/demandes/{request.id}/verification").status_code == 200
    version = {"lock_version": str(request.lock_version)}
    assert (
        instructor.post(f"/paiements/demandes/{request.id}/verification", data=version).status_code
        == 302
    )
    assert decider.get(f"/paiements/demandes/{request.id}/approbation").status_code == 200
    assert decider.post(f"/paiements/demandes/{request.id}/approbation", data={}).status_code == 302
    assert decider.post(f"/paiements/demandes/{request.id}/paiement", data={}).status_code == 302
    request = _latest(agreement)
    assert request.state == "paid"
    movement = db.session.get(EnvelopeMovement, request.movement_id)
    assert (movement.kind, movement.amount) == ("paid", D("90000.00"))
    again = decider.post(f"/paiements/demandes/{request.id}/paiement", data={})
    assert again.status_code == 409
    assert "déjà été payé" in again.get_data(as_text=True)


def test_a_bad_request_answers_422_and_keeps_the_typed_costs(promoter, agreement, client_for):
    interim = payments.create_tranches(agreement, None)[1]
    owner = client_for(promoter)
    url = f"/paiements/conventions/{agreement.id}/tranches/{interim.id}/demande"
    files = {
        "evidence-expense_statement_half": (io.BytesIO(EXE), "etat.pdf"),
        "actual_eligible_cost": "600 000,00",
    }
    response = owner.post(url, data=files, content_type="multipart/form-data")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'value="600 000,00"' in body
    assert "ce type de fichier n&#39;est pas accepté" in body
    assert "Joignez la pièce « Rapport d&#39;avancement des travaux »" in body
    response = owner.post(
        url, data={"actual_eligible_cost": "six cents"}, content_type="multipart/form-data"
    )
    assert response.status_code == 422 and 'value="six cents"' in response.get_data(as_text=True)
    assert _latest(agreement) is None


def test_wrong_roles_get_403_and_outsiders_404(promoter, agreement, team, client_for):
    advance = payments.create_tranches(agreement, None)[0]
    request = payments.request_payment(
        advance,
        promoter,
        actual_eligible_cost=None,
        files=support.uploads_for(["rib", "start_order"]),
        storage=current_app.extensions["grants_storage"],
        max_bytes=10**6,
    )
    db.session.flush()
    instructor, decider, owner = (
        client_for(team["instructor"]),
        client_for(team["decider"]),
        client_for(promoter),
    )
    assert instructor.get(f"/paiements/demandes/{request.id}/approbation").status_code == 403
    assert instructor.post(f"/paiements/demandes/{request.id}/paiement", data={}).status_code == 403
    assert (
        decider.post(f"/paiements/demandes/{request.id}/verification", data={}).status_code == 403
    )
    # The promoter never learns the staff pages exist; staff never request.
    assert owner.get(f"/paiements/demandes/{request.id}/verification").status_code == 404
    assert owner.post(f"/paiements/demandes/{request.id}/paiement", data={}).status_code == 404
    ask = f"/paiements/conventions/{agreement.id}/tranches/{advance.id}/demande"
    assert instructor.get(ask).status_code == 404
    # Another organisation, another financer's instructor: nothing exists.
    for user in (outsider_promoter(), factories.make_staff("financer_instructor", ("REGION_IDF",))):
        other = client_for(user)
        for url in (
            f"/paiements/conventions/{agreement.id}",
            f"/paiements/demandes/{request.id}",
            f"/paiements/demandes/{request.id}/pieces/1",
            f"/paiements/demandes/{request.id}/verification",
            ask,
        ):
            assert other.get(url).status_code == 404, (user.role, url)
    assert _latest(agreement).state == "requested"


def test_rejection_needs_a_reason(promoter, agreement, team, client_for):
    advance = payments.create_tranches(agreement, None)[0]
    assert _ask(client_for(promoter), agreement, advance).status_code == 302
    request = _latest(agreement)
    instructor = client_for(team["instructor"])
    response = instructor.post(f"/paiements/demandes/{request.id}/rejet", data={"reason": " "})
    assert response.status_code == 422
    assert "Indiquez le motif du rejet" in response.get_data(as_text=True)
    response = instructor.post(
        f"/paiements/demandes/{request.id}/rejet", data={"reason": "RIB illisible"}
    )
    assert response.status_code == 302
    assert (_latest(agreement).state, _latest(agreement).rejection_reason) == (
        "rejected",
        "RIB illisible",
    )


def test_no_ars_request_while_the_cpom_is_drafted(promoter, client_for):
    agreement = support.make_agreement(promoter, state="drafted")
    advance = payments.create_tranches(agreement, None)[0]
    owner = client_for(promoter)
    panel = owner.get(f"/paiements/conventions/{agreement.id}").get_data(as_text=True)
    assert "Demander le versement" not in panel
    assert "tant que le CPOM du dossier n&#39;est pas en vigueur" in panel
    url = f"/paiements/conventions/{agreement.id}/tranches/{advance.id}/demande"
    assert owner.get(url).status_code == 422
    response = _ask(owner, agreement, advance)
    assert response.status_code == 422
    assert "état actuel : « Projet »" in response.get_data(as_text=True)
    assert _latest(agreement) is None


def test_suspending_and_resuming_a_tranche(promoter, agreement, team, client_for):
    advance = payments.create_tranches(agreement, None)[0]
    decider = client_for(team["decider"])
    url = f"/paiements/tranches/{advance.id}/suspension"
    response = decider.post(url, data={"reason": ""})
    assert response.status_code == 422
    assert "Indiquez le motif de la suspension." in response.get_data(as_text=True)
    assert client_for(team["instructor"]).post(url, data={"reason": "x"}).status_code == 403
    assert client_for(promoter).post(url, data={"reason": "x"}).status_code == 404
    monitor = client_for(factories.make_staff("monitor", factories.ARS_FINANCERS))
    assert monitor.post(url, data={"reason": "Rapport en retard"}).status_code == 302
    owner = client_for(promoter)
    panel = owner.get(f"/paiements/conventions/{agreement.id}").get_data(as_text=True)
    assert "Suspendue : Rapport en retard" in panel
    assert f"/tranches/{advance.id}/demande" not in panel
    assert _ask(owner, agreement, advance).status_code == 422
    assert decider.post(f"/paiements/tranches/{advance.id}/reprise", data={}).status_code == 302
    assert _ask(owner, agreement, advance).status_code == 302


def test_recovery_order_and_recording_the_money_back(promoter, agreement, team, client_for):
    advance = payments.create_tranches(agreement, None)[0]
    owner, decider = client_for(promoter), client_for(team["decider"])
    _ask(owner, agreement, advance)
    request = _latest(agreement)
    payments.check_request(request, team["instructor"])
    payments.approve_request(request, team["decider"])
    payments.pay_request(request, team["decider"])
    url = f"/paiements/conventions/{agreement.id}/reversement"
    assert client_for(team["instructor"]).get(url).status_code == 403
    assert owner.get(url).status_code == 404
    assert decider.get(url).status_code == 200
    response = decider.post(url, data={"amount": "95 000,00", "reason": "Départ des médecins"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'value="95 000,00"' in body and "Départ des médecins</textarea>" in body
    assert "dépasse ce qui a été versé" in body
    assert (
        decider.post(url, data={"amount": "45000", "reason": "Départ des médecins"}).status_code
        == 302
    )
    order = db.session.scalar(
        select(RecoveryOrder).where(RecoveryOrder.agreement_id == agreement.id)
    )
    panel = owner.get(f"/paiements/conventions/{agreement.id}").get_data(as_text=True)
    assert "Départ des médecins" in panel and "Ordre de reversement émis" in panel
    record = f"/paiements/reversements/{order.id}/recouvrement"
    assert client_for(team["instructor"]).post(record, data={}).status_code == 403
    assert decider.post(record, data={}).status_code == 302
    db.session.refresh(order)
    movement = db.session.get(EnvelopeMovement, order.movement_id)
    assert (order.state, movement.kind, movement.amount) == (
        "recovered",
        "recovered",
        D("45000.00"),
    )
    assert decider.post(record, data={}).status_code == 409


def test_before_the_tranches_exist_the_panel_shows_what_was_granted(promoter, client_for):
    agreement = support.make_agreement(promoter, state="drafted")
    panel = client_for(promoter).get(f"/paiements/conventions/{agreement.id}")
    text = panel.get_data(as_text=True)
    assert f"Montant accordé : <strong>{money(Decimal('300000.00'))}</strong>" in text
    assert "échéancier des versements est établi quand le CPOM entre en vigueur" in text
