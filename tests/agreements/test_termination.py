"""Terminating an agreement: the pro-rata recovery (paid × remaining days / total days) is
ordered through the payments service, what was committed and never paid is released on the
envelope, and a dossier whose agreements are all terminated is terminated (T16)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from grants.extensions import db
from grants.models import AuditEvent, PaymentRequest, PaymentTranche, RecoveryOrder
from grants.models.base import utcnow
from grants.services import ledger
from grants.services.agreement_termination import recovery_computation
from grants.services.decisions import envelope_of
from tests.agreements import support

D = Decimal


def paid(agreement, amount: Decimal, actor) -> None:  # type: ignore[no-untyped-def]
    """The advance paid (built directly, with its movement on the envelope)."""
    tranche = db.session.scalars(
        select(PaymentTranche)
        .where(PaymentTranche.agreement_id == agreement.id)
        .order_by(PaymentTranche.position)
    ).first()
    envelope = envelope_of(agreement.track)
    movement = ledger.pay(envelope, agreement.dossier, amount, actor, "Avance")
    db.session.add(
        PaymentRequest(
            agreement_id=agreement.id,
            tranche_id=tranche.id,
            state="paid",
            amount=amount,
            requested_by_id=actor.id,
            paid_at=utcnow(),
            movement_id=movement.id,
        )
    )
    db.session.flush()


def in_force_since(agreement, days: int) -> None:  # type: ignore[no-untyped-def]
    agreement.starts_on = date.today() - timedelta(days=days)
    agreement.ends_on = agreement.starts_on + timedelta(days=999)  # 1 000 days in all
    db.session.flush()


def test_the_recovery_is_paid_times_remaining_over_total_days(promoter, staff):
    dossier = support.decided(promoter, grants={"ARS_IMMO": support.GRANTS["ARS_IMMO"]})
    cpom = support.agreement_of(dossier, "ARS_IMMO")
    support.activate(cpom, promoter, staff["ars_instructor"], staff["ars_decider"])
    paid(cpom, D("36500.00"), staff["ars_decider"])
    cpom.starts_on, cpom.ends_on = date(2026, 1, 1), date(2026, 12, 31)
    db.session.flush()
    computed = recovery_computation(cpom, date(2026, 7, 1))
    assert (computed["total_days"], computed["remaining_days"]) == (365, 183)
    assert computed["amount"] == "18300.00"  # 36 500 × 183 / 365
    assert recovery_computation(cpom, date(2025, 6, 1))["amount"] == "36500.00"  # before start
    assert recovery_computation(cpom, date(2027, 1, 1))["amount"] == "0.00"  # after the end


def test_terminating_orders_the_recovery_and_releases_the_unpaid_commitment(
    promoter, staff, client_for
):
    dossier = support.decided(promoter, grants={"ARS_IMMO": support.GRANTS["ARS_IMMO"]})
    cpom = support.agreement_of(dossier, "ARS_IMMO")
    support.activate(cpom, promoter, staff["ars_instructor"], staff["ars_decider"])
    assert dossier.state == "in_execution"
    paid(cpom, D("370370.37"), staff["ars_decider"])
    in_force_since(cpom, 400)
    decider = client_for(staff["ars_decider"])
    page = decider.get(f"/conventions/{cpom.id}/resiliation")
    assert page.status_code == 200
    assert "Reversement au prorata du temps restant à courir" in page.get_data(as_text=True)
    assert (
        client_for(staff["ars_instructor"]).get(f"/conventions/{cpom.id}/resiliation").status_code
        == 403
    )
    response = decider.post(
        f"/conventions/{cpom.id}/resiliation",
        data={
            "reason": "Fermeture de la maison de santé",
            "terminated_on": date.today().isoformat(),
            "lock_version": str(cpom.lock_version),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    assert cpom.state == "terminated"
    assert cpom.termination_reason == "Fermeture de la maison de santé"
    remaining = (cpom.ends_on - date.today()).days  # 599 of 1 000 days
    expected = (D("370370.37") * remaining / 1000).quantize(D("0.01"))
    order = db.session.scalar(select(RecoveryOrder).where(RecoveryOrder.agreement_id == cpom.id))
    assert order.amount == expected
    assert order.computation["remaining_days"] == remaining
    assert order.computation["total_days"] == 1000
    held = ledger.dossier_balance(envelope_of(cpom.track), dossier)
    assert held.committed == held.paid == D("370370.37")  # the unpaid commitment released
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "agreement.terminate"))
    assert event.data["recovery"]["amount"] == str(expected)
    assert dossier.state == "terminated"  # T16: its only agreement is terminated
    assert (
        "dossier.terminate"
        in db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.dossier_id == dossier.id)
        ).all()
    )


def test_a_future_termination_date_is_refused(promoter, staff, client_for):
    dossier = support.decided(promoter, grants={"ARS_IMMO": support.GRANTS["ARS_IMMO"]})
    cpom = support.agreement_of(dossier, "ARS_IMMO")
    support.activate(cpom, promoter, staff["ars_instructor"], staff["ars_decider"])
    response = client_for(staff["ars_decider"]).post(
        f"/conventions/{cpom.id}/resiliation",
        data={"reason": "Motif", "terminated_on": (date.today() + timedelta(days=3)).isoformat()},
    )
    assert response.status_code == 422
    assert "ne peut pas être dans le futur" in response.get_data(as_text=True)
    db.session.expire_all()
    assert cpom.state == "active"
