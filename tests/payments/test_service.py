"""Payment services: tranches from the schedule, the request → check → approve → pay path with
its envelope movement, proration and release, the commitment ceiling, the CPOM guard,
suspensions and recoveries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from flask import current_app
from sqlalchemy import select

from grants.extensions import db
from grants.models import AuditEvent, EnvelopeMovement, OutboxMessage
from grants.services import payments
from grants.services.decisions import envelope_of
from grants.services.ledger import dossier_balance
from tests.payments import support
from tests.payments.support import OP, RE
from tests.workflow.support import member_of, outsider_promoter

D = Decimal


def _request(tranche, actor, actual=None, files=None):  # type: ignore[no-untyped-def]
    codes = [c for c in tranche.evidence if c != "agreement_signed"]
    return payments.request_payment(
        tranche,
        actor,
        actual_eligible_cost=actual,
        files=files if files is not None else support.uploads_for(codes),
        storage=current_app.extensions["grants_storage"],
        max_bytes=1024 * 1024,
    )


def _through(request, team):  # type: ignore[no-untyped-def]
    payments.check_request(request, team["instructor"])
    payments.approve_request(request, team["decider"])
    return payments.pay_request(request, team["decider"])


def _balance(agreement):  # type: ignore[no-untyped-def]
    return dossier_balance(envelope_of(agreement.track), agreement.dossier)


def _actions(agreement) -> list[str]:  # type: ignore[no-untyped-def]
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(
                AuditEvent.dossier_id == agreement.dossier_id, AuditEvent.action.like("payment.%")
            )
            .order_by(AuditEvent.id)
        )
    )


# --- tranches ----------------------------------------------------------------------------------


def test_tranches_follow_the_financer_kind_and_aid_type_schedule(agreement):
    tranches = payments.create_tranches(agreement, None)
    assert [(t.position, t.kind, t.share, t.amount) for t in tranches] == [
        (1, "advance", D("0.3000"), D("90000.00")),
        (2, "interim", D("0.2000"), D("60000.00")),
        (3, "balance", D("0.5000"), D("150000.00")),
    ]
    assert tranches[0].evidence == ["agreement_signed", "rib", "start_order"]
    assert "first_annual_report" in tranches[2].evidence  # the ars_envelope override
    assert [t.planned_on for t in tranches] == [
        date(2026, 1, 1),
        date(2028, 7, 1),
        date(2030, 12, 31),
    ]
    again = payments.create_tranches(agreement, None)
    assert [t.id for t in again] == [t.id for t in tranches]
    assert _actions(agreement) == ["payment.tranches_created"]


def test_amounts_add_up_exactly_across_aid_types_with_the_last_tranche_taking_the_remainder(
    promoter,
):
    agreement = support.make_agreement(
        promoter,
        financer_code="REGION_IDF",
        granted={RE: D("100000.01"), OP: D("33333.33")},
        planned_costs={RE: D("400000.00"), OP: D("100000.00")},
    )
    tranches = payments.create_tranches(agreement, None)
    assert [(t.kind, t.amount) for t in tranches] == [
        ("advance", D("40000.00")),
        ("interim", D("26666.67")),
        ("balance", D("66666.67")),
    ]
    assert sum(t.amount for t in tranches) == D("133333.34")
    assert sum(t.share for t in tranches) == 1


def test_the_fir_operating_schedule_has_an_advance_and_a_balance(promoter):
    agreement = support.make_agreement(
        promoter,
        financer_code="ARS_FIR",
        granted={OP: D("45000.00")},
        planned_costs={OP: D("90000")},
    )
    tranches = payments.create_tranches(agreement, None)
    assert [(t.kind, t.amount) for t in tranches] == [
        ("advance", D("22500.00")),
        ("balance", D("22500.00")),
    ]


# --- the path ----------------------------------------------------------------------------------


def test_request_check_approve_pay_is_a_paid_movement_on_the_envelope(promoter, agreement, team):
    advance = payments.create_tranches(agreement, None)[0]
    envelope = envelope_of(agreement.track)
    paid_before = envelope.paid
    request = _request(advance, member_of(promoter))
    assert (request.state, request.amount) == ("requested", D("90000.00"))
    assert {e["code"] for e in request.evidence} == {"agreement_signed", "rib", "start_order"}
    assert next(e for e in request.evidence if e["code"] == "agreement_signed")["held"]
    assert current_app.extensions["grants_storage"].get(request.evidence[1]["storage_key"])
    _through(request, team)
    assert request.state == "paid" and request.paid_at is not None
    movement = db.session.get(EnvelopeMovement, request.movement_id)
    assert (movement.kind, movement.amount, movement.dossier_id) == (
        "paid",
        D("90000.00"),
        agreement.dossier_id,
    )
    db.session.refresh(envelope)
    assert envelope.paid == paid_before + D("90000.00")
    assert _balance(agreement).paid == D("90000.00")
    assert _actions(agreement) == [
        "payment.tranches_created",
        "payment.requested",
        "payment.checked",
        "payment.approved",
        "payment.paid",
    ]

    def told(user):  # type: ignore[no-untyped-def]
        query = select(OutboxMessage.event).where(
            OutboxMessage.recipient_id == user.id, OutboxMessage.channel == "inapp"
        )
        return set(db.session.scalars(query))

    assert told(promoter) == {"payment.checked", "payment.approved", "payment.paid"}
    assert told(team["instructor"]) == {"payment.requested"}


def test_the_balance_is_prorated_to_actual_costs_and_the_unused_commitment_released(
    promoter, agreement, team
):
    advance, interim, balance = payments.create_tranches(agreement, None)
    _through(_request(advance, promoter), team)
    # 400 000 € spent of 1 000 000 € planned: at most 120 000 € paid so far, 30 000 € now.
    first = _request(interim, promoter, "400 000,00")
    assert first.amount == D("30000.00")
    _through(first, team)
    # 800 000 € in the end: 240 000 € in all, so the balance pays 120 000 € and frees 60 000 €.
    last = _request(balance, promoter, "800000")
    assert last.amount == D("120000.00")
    lines = dict(payments.amounts.computation_of(last).lines)
    assert (
        lines["Plafond des versements cumulés (accordé × réel ÷ prévu)"] == "240\u202f000,00\xa0€"
    )
    assert lines["Engagement non utilisé, libéré au paiement du solde"] == "60\u202f000,00\xa0€"
    _through(last, team)
    held = _balance(agreement)
    assert (held.committed, held.paid) == (D("240000.00"), D("240000.00"))
    released = db.session.scalar(
        select(EnvelopeMovement).where(
            EnvelopeMovement.dossier_id == agreement.dossier_id, EnvelopeMovement.kind == "released"
        )
    )
    assert (released.amount, released.released_from) == (D("60000.00"), "committed")


def test_actual_costs_are_required_past_the_advance(promoter, agreement):
    interim = payments.create_tranches(agreement, None)[1]
    with pytest.raises(payments.PaymentRefused) as refused:
        _request(interim, promoter, "beaucoup", files={})
    fields = {name for name, _message in refused.value.errors}
    assert fields == {
        "actual_eligible_cost",
        "evidence-expense_statement_half",
        "evidence-works_progress",
    }
    assert refused.value.status == 422


def test_a_payment_above_the_commitment_is_refused(promoter, team):
    agreement = support.make_agreement(promoter, committed=D("50000.00"))
    advance = payments.create_tranches(agreement, None)[0]
    request = _request(advance, promoter)
    payments.check_request(request, team["instructor"])
    payments.approve_request(request, team["decider"])
    with pytest.raises(payments.PaymentRefused) as refused:
        payments.pay_request(request, team["decider"])
    assert refused.value.status == 422
    assert "engagés non payés" in refused.value.message
    assert _balance(agreement).paid == 0


def test_cumulated_payments_never_exceed_the_granted_amount(promoter, agreement, team):
    advance = payments.create_tranches(agreement, None)[0]
    request = _request(advance, promoter)
    payments.check_request(request, team["instructor"])
    payments.approve_request(request, team["decider"])
    request.amount = D("300000.01")  # tampered: more than granted
    db.session.flush()
    with pytest.raises(payments.PaymentRefused) as refused:
        payments.pay_request(request, team["decider"])
    assert "au-delà du montant accordé (300\u202f000,00\xa0€)" in refused.value.message


def test_no_ars_payment_while_the_cpom_is_not_active(promoter):
    agreement = support.make_agreement(promoter, state="drafted")
    advance = payments.create_tranches(agreement, None)[0]
    with pytest.raises(payments.PaymentRefused) as refused:
        _request(advance, promoter)
    assert refused.value.status == 422
    assert refused.value.message == (
        "Aucun paiement de l'ARS ne peut être créé tant que le CPOM du dossier n'est pas en "
        "vigueur (état actuel : « Projet »)."
    )


def test_no_ars_payment_is_paid_once_the_cpom_stops_being_active(promoter, agreement, team):
    advance = payments.create_tranches(agreement, None)[0]
    request = _request(advance, promoter)
    payments.check_request(request, team["instructor"])
    payments.approve_request(request, team["decider"])
    agreement.state = "drafted"
    db.session.flush()
    with pytest.raises(payments.PaymentRefused) as refused:
        payments.pay_request(request, team["decider"])
    assert "CPOM du dossier n'est pas en vigueur" in refused.value.message
    assert request.state == "approved"


def test_other_financers_pay_without_ledger_movement_when_they_have_no_envelope(promoter):
    agreement = support.make_agreement(promoter, financer_code="CPAM_77", granted={OP: D("20000")})
    team = support.staff(agreement)
    advance = payments.create_tranches(agreement, None)[0]
    request = _through(_request(advance, promoter), team)
    assert (request.state, request.amount, request.movement_id) == ("paid", D("6000.00"), None)


# --- roles and states --------------------------------------------------------------------------


def test_each_step_belongs_to_its_role(promoter, agreement, team):
    advance = payments.create_tranches(agreement, None)[0]
    with pytest.raises(payments.PaymentRefused) as refused:
        _request(advance, team["instructor"])
    assert refused.value.status == 403
    with pytest.raises(payments.PaymentRefused):
        _request(advance, outsider_promoter())
    request = _request(advance, promoter)
    for step, actor in (
        (payments.check_request, team["decider"]),
        (payments.check_request, promoter),
        (payments.approve_request, team["instructor"]),
        (payments.pay_request, team["instructor"]),
    ):
        with pytest.raises(payments.PaymentRefused) as refused:
            step(request, actor)
        assert refused.value.status == 403
    with pytest.raises(payments.PaymentRefused) as refused:
        payments.pay_request(request, team["decider"])
    assert refused.value.status == 422  # not approved yet


def test_a_rejected_request_can_be_made_again_and_one_request_at_a_time(promoter, agreement, team):
    advance, interim, _balance_tranche = payments.create_tranches(agreement, None)
    request = _request(advance, promoter)
    with pytest.raises(payments.PaymentRefused) as refused:
        _request(interim, promoter, "500000")
    assert refused.value.status == 409
    with pytest.raises(payments.PaymentRefused) as refused:
        payments.reject_request(request, team["instructor"], "  ")
    assert refused.value.errors == [("reason", refused.value.message)]
    payments.reject_request(request, team["instructor"], "RIB illisible")
    assert (request.state, request.rejection_reason) == ("rejected", "RIB illisible")
    again = _request(advance, promoter)
    assert again.state == "requested"
    _through(again, team)
    with pytest.raises(payments.PaymentRefused) as refused:
        _request(advance, promoter)
    assert "déjà été versée" in refused.value.message


def test_a_stale_version_is_refused(promoter, agreement, team):
    advance = payments.create_tranches(agreement, None)[0]
    request = _request(advance, promoter)
    seen = request.lock_version
    payments.check_request(request, team["instructor"], seen)
    with pytest.raises(payments.PaymentRefused) as refused:
        payments.approve_request(request, team["decider"], seen)
    assert refused.value.status == 409


# --- suspension --------------------------------------------------------------------------------


def test_a_suspended_tranche_is_neither_requested_nor_paid(promoter, agreement, team):
    advance = payments.create_tranches(agreement, None)[0]
    with pytest.raises(payments.PaymentRefused):
        payments.suspend_tranche(advance, " ", team["decider"])
    payments.suspend_tranche(advance, "Rapport annuel en retard", team["decider"])
    with pytest.raises(payments.PaymentRefused) as refused:
        _request(advance, promoter)
    assert "suspendue (Rapport annuel en retard)" in refused.value.message
    payments.resume_tranche(advance, team["decider"])
    request = _request(advance, promoter)
    payments.check_request(request, team["instructor"])
    payments.approve_request(request, team["decider"])
    payments.suspend_tranche(advance, "Médecin parti", team["decider"])
    with pytest.raises(payments.PaymentRefused) as refused:
        payments.pay_request(request, team["decider"])
    assert "ne peut pas être payée" in refused.value.message
    payments.resume_tranche(advance, team["decider"])
    assert payments.pay_request(request, team["decider"]).state == "paid"
    actions = _actions(agreement)
    assert actions.count("payment.tranche_suspended") == 2
    assert actions.count("payment.tranche_resumed") == 2


# --- recovery ----------------------------------------------------------------------------------


def test_a_recovery_order_never_exceeds_what_was_paid_and_recovering_is_a_movement(
    promoter, agreement, team
):
    advance = payments.create_tranches(agreement, None)[0]
    _through(_request(advance, promoter), team)
    with pytest.raises(payments.PaymentRefused) as refused:
        payments.order_recovery(agreement, D("90000.01"), "Engagement rompu", {}, team["decider"])
    assert "dépasse ce qui a été versé" in refused.value.message
    order = payments.order_recovery(
        agreement, D("30000.00"), "Départ de deux médecins", {"prorata": "1/3"}, team["decider"]
    )
    assert (order.state, order.amount, order.computation) == (
        "ordered",
        D("30000.00"),
        {"prorata": "1/3"},
    )
    with pytest.raises(payments.PaymentRefused):
        payments.order_recovery(agreement, D("60000.01"), "Encore", {}, team["decider"])
    with pytest.raises(payments.PaymentRefused) as refused:
        payments.record_recovery(order, team["instructor"])
    assert refused.value.status == 403
    payments.record_recovery(order, team["decider"])
    assert order.state == "recovered" and order.recovered_at is not None
    movement = db.session.get(EnvelopeMovement, order.movement_id)
    assert (movement.kind, movement.amount) == ("recovered", D("30000.00"))
    held = _balance(agreement)
    assert (held.paid, held.committed) == (D("60000.00"), D("270000.00"))
    with pytest.raises(payments.PaymentRefused) as refused:
        payments.record_recovery(order, team["decider"])
    assert refused.value.status == 409
    assert _actions(agreement)[-2:] == ["payment.recovery_ordered", "payment.recovered"]


def test_tranches_take_the_dates_negotiated_in_the_agreement(agreement):
    from grants.models import AgreementVersion

    schedule = [{"planned_on": "2026-03-15"}, {"planned_on": None}, {"planned_on": "2028-06-30"}]
    db.session.add(
        AgreementVersion(
            agreement_id=agreement.id,
            number=1,
            data={"financial": {"schedule": schedule}},
            data_sha256="0" * 64,
        )
    )
    db.session.flush()
    db.session.expire(agreement, ["versions"])
    tranches = payments.create_tranches(agreement, None)
    assert [t.planned_on for t in tranches] == [
        date(2026, 3, 15),
        date(2028, 7, 1),
        date(2028, 6, 30),
    ]


def test_a_computed_recovery_is_cut_to_the_cent(promoter, agreement, team):
    advance = payments.create_tranches(agreement, None)[0]
    _through(_request(advance, promoter), team)
    order = payments.order_recovery(
        agreement, D("12345.678"), "Résiliation", {"amount": "12345.678"}, team["decider"]
    )
    assert order.amount == D("12345.67")
