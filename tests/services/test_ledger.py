"""The ledger service: each movement kind, each refusal, per-dossier limits, audit, append-only."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from grants.extensions import db
from grants.models import AuditEvent, Envelope, EnvelopeMovement, Financer
from grants.services import ledger
from grants.services.ledger import LedgerRefused
from grants.templating import money
from tests import factories

D = Decimal


@pytest.fixture
def envelope(app):  # type: ignore[no-untyped-def]
    financer = db.session.scalar(select(Financer).where(Financer.code == "ARS_IMMO"))
    result = Envelope(
        code="TEST_ENVELOPE",
        name="Enveloppe de test",
        financer=financer,
        amount=D("1000000.00"),
        opens_on=date(2023, 1, 1),
        closes_on=date(2027, 12, 31),
        reserved=D("0"),
        committed=D("0"),
        paid=D("0"),
    )
    db.session.add(result)
    db.session.flush()
    return result


@pytest.fixture
def actor(app):  # type: ignore[no-untyped-def]
    return factories.make_staff("ars_decider", factories.ARS_FINANCERS)


def totals(envelope: Envelope) -> tuple[Decimal, Decimal, Decimal]:
    db.session.refresh(envelope)
    return envelope.reserved, envelope.committed, envelope.paid


def test_reserve_moves_the_total_writes_a_movement_and_an_audit_event(envelope, dossier, actor):
    movement = ledger.reserve(envelope, dossier, D("300000"), actor, "Proposition du comité")
    assert (movement.kind, movement.amount, movement.sequence) == ("reserved", D("300000.00"), 1)
    assert (movement.dossier_id, movement.actor_id) == (dossier.id, actor.id)
    assert totals(envelope) == (D("300000.00"), D("0.00"), D("0.00"))
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.stream == f"envelope:{envelope.id}")
    )
    assert event.action == "envelope.reserved" and event.dossier_id == dossier.id
    assert event.data["reason"] == "Proposition du comité"


def test_over_commitment_is_refused_with_what_remains(envelope, dossier, actor):
    ledger.reserve(envelope, dossier, D("880000"), actor, "Proposition")
    with pytest.raises(LedgerRefused) as refused:
        ledger.reserve(envelope, dossier, D("300000"), actor, "Proposition")
    assert refused.value.message == (
        f"Il reste {money(D('120000'))} sur l'enveloppe, {money(D('300000'))} demandés."
    )
    assert "120\u202f000,00\xa0€" in refused.value.message
    assert totals(envelope)[0] == D("880000.00")
    ledger.reserve(envelope, dossier, D("120000"), actor, "Le reste exactement")
    assert envelope.remaining == 0


@pytest.mark.parametrize("amount", ["0", "-5", "abc"])
def test_bad_amounts_are_refused(envelope, dossier, actor, amount):
    with pytest.raises(LedgerRefused):
        ledger.reserve(envelope, dossier, amount, actor, "x")


def test_commit_turns_the_reservation_into_a_commitment(envelope, dossier, actor):
    ledger.reserve(envelope, dossier, D("400000"), actor, "Proposition")
    ledger.commit(envelope, dossier, D("300000"), actor, "Décision")
    assert totals(envelope) == (D("100000.00"), D("300000.00"), D("0.00"))
    balance = ledger.dossier_balance(envelope, dossier)
    assert (balance.reserved, balance.committed) == (D("100000.00"), D("300000.00"))


def test_commit_beyond_the_reservation_needs_a_direct_commitment(envelope, dossier, actor):
    ledger.reserve(envelope, dossier, D("100000"), actor, "Proposition")
    with pytest.raises(LedgerRefused, match="engagement direct"):
        ledger.commit(envelope, dossier, D("150000"), actor, "Décision")
    ledger.commit(envelope, dossier, D("150000"), actor, "Décision", allow_direct=True)
    assert totals(envelope) == (D("0.00"), D("150000.00"), D("0.00"))
    with pytest.raises(LedgerRefused, match="Il reste 850"):
        ledger.commit(envelope, dossier, D("900000"), actor, "Décision", allow_direct=True)


def test_release_of_a_reservation_is_bounded_by_what_the_dossier_reserved(
    envelope, dossier, actor, promoter
):
    other = factories.DossierFactory(organisation=dossier.organisation, created_by=promoter)
    db.session.flush()
    ledger.reserve(envelope, dossier, D("100000"), actor, "Proposition")
    ledger.reserve(envelope, other, D("500000"), actor, "Proposition")
    with pytest.raises(LedgerRefused) as refused:
        ledger.release(envelope, dossier, D("200000"), actor, "Refus")
    assert refused.value.message == (
        f"Le dossier n'a que {money(D('100000'))} réservés sur l'enveloppe, "
        f"{money(D('200000'))} à libérer."
    )
    movement = ledger.release(envelope, dossier, D("100000"), actor, "Refus")
    assert (movement.kind, movement.released_from) == ("released", "reserved")
    assert totals(envelope)[0] == D("500000.00")


def test_release_of_a_commitment_never_frees_what_was_paid(envelope, dossier, actor):
    ledger.commit(envelope, dossier, D("200000"), actor, "Décision", allow_direct=True)
    ledger.pay(envelope, dossier, D("150000"), actor, "Acompte")
    with pytest.raises(LedgerRefused, match="engagés et non payés"):
        ledger.release(
            envelope, dossier, D("60000"), actor, "Sous-consommation", source="committed"
        )
    ledger.release(envelope, dossier, D("50000"), actor, "Sous-consommation", source="committed")
    assert totals(envelope) == (D("0.00"), D("150000.00"), D("150000.00"))


def test_payment_above_the_commitment_is_refused(envelope, dossier, actor):
    ledger.reserve(envelope, dossier, D("100000"), actor, "Proposition")
    with pytest.raises(LedgerRefused, match="Il reste 0,00\xa0€ engagés non payés"):
        ledger.pay(envelope, dossier, D("1"), actor, "Paiement sans engagement")
    ledger.commit(envelope, dossier, D("100000"), actor, "Décision")
    ledger.pay(envelope, dossier, D("60000"), actor, "Acompte")
    with pytest.raises(LedgerRefused):
        ledger.pay(envelope, dossier, D("40000.01"), actor, "Solde")
    ledger.pay(envelope, dossier, D("40000"), actor, "Solde")
    assert totals(envelope) == (D("0.00"), D("100000.00"), D("100000.00"))


def test_recovery_lowers_paid_and_committed(envelope, dossier, actor):
    ledger.commit(envelope, dossier, D("100000"), actor, "Décision", allow_direct=True)
    ledger.pay(envelope, dossier, D("80000"), actor, "Paiement")
    with pytest.raises(LedgerRefused, match="n'a reçu que"):
        ledger.recover(envelope, dossier, D("90000"), actor, "Titre de recette")
    ledger.recover(envelope, dossier, D("30000"), actor, "Titre de recette")
    assert totals(envelope) == (D("0.00"), D("70000.00"), D("50000.00"))


def test_release_all_for_dossier_frees_reservations_and_unpaid_commitments(
    envelope, dossier, actor
):
    fir = db.session.scalar(select(Envelope).where(Envelope.code == "ARS_FIR_2025"))
    ledger.reserve(envelope, dossier, D("100000"), actor, "Proposition")
    ledger.commit(envelope, dossier, D("60000"), actor, "Décision")
    ledger.pay(envelope, dossier, D("10000"), actor, "Acompte")
    ledger.reserve(fir, dossier, D("20000"), actor, "Proposition FIR")
    movements = ledger.release_all_for_dossier(dossier, actor, "Abandon du projet")
    assert sorted((m.released_from, m.amount) for m in movements) == [
        ("committed", D("50000.00")),
        ("reserved", D("20000.00")),
        ("reserved", D("40000.00")),
    ]
    assert totals(envelope) == (D("0.00"), D("10000.00"), D("10000.00"))
    assert totals(fir)[0] == D("0.00")
    assert ledger.release_all_for_dossier(dossier, actor, "Encore") == []


def test_a_reason_is_required(envelope, dossier, actor):
    with pytest.raises(ValueError):
        ledger.reserve(envelope, dossier, D("1"), actor, "  ")


def test_totals_equal_the_replayed_movements(envelope, dossier, actor):
    ledger.reserve(envelope, dossier, D("500000"), actor, "a")
    ledger.commit(envelope, dossier, D("300000"), actor, "b")
    ledger.release(envelope, dossier, D("50000"), actor, "c")
    ledger.pay(envelope, dossier, D("100000"), actor, "d")
    ledger.recover(envelope, dossier, D("20000"), actor, "e")
    balance = ledger.dossier_balance(envelope, dossier)
    assert totals(envelope) == (balance.reserved, balance.committed, balance.paid)
    sequences = db.session.scalars(
        select(EnvelopeMovement.sequence).where(EnvelopeMovement.envelope_id == envelope.id)
    )
    assert sorted(sequences) == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    "statement",
    ["UPDATE envelope_movements SET amount = 1", "DELETE FROM envelope_movements"],
)
def test_movements_are_append_only_in_the_database(envelope, dossier, actor, statement):
    ledger.reserve(envelope, dossier, D("10"), actor, "Proposition")
    with pytest.raises(DBAPIError), db.session.begin_nested():
        db.session.execute(text(statement))


def test_the_database_refuses_an_over_committed_envelope(envelope):
    with pytest.raises(DBAPIError), db.session.begin_nested():
        db.session.execute(
            text("UPDATE envelopes SET reserved = amount + 1 WHERE id = :id"), {"id": envelope.id}
        )


def test_seeded_envelopes(app):
    immo = db.session.scalar(select(Envelope).where(Envelope.code == "ARS_IMMO_2023_2027"))
    assert immo.amount == D("55000000.00") and immo.financer.code == "ARS_IMMO"
    assert (immo.opens_on, immo.evaluation_due_on, immo.closes_on) == (
        date(2023, 1, 1),
        date(2025, 6, 30),
        date(2027, 12, 31),
    )
    codes = set(db.session.scalars(select(Envelope.code)))
    assert {"ARS_FIR_2024", "ARS_FIR_2027", "REGION_IDF_2023_2027", "DEP_93_2023_2027"} <= codes


def test_demo_has_a_living_envelope_and_stays_idempotent(app):
    from grants.demo import seed_demo

    seed_demo()
    seed_demo()
    from grants.demo_cpom import STORIES
    from grants.models import PaymentRequest

    immo = db.session.scalar(select(Envelope).where(Envelope.code == "ARS_IMMO_2023_2027"))
    db.session.refresh(immo)
    # Only the real flows move it: the committees' reservations, the ARS decisions' commitments
    # (Drancy, then the three CPOM dossiers) and the CPOM advances paid.
    assert immo.reserved == 0
    assert immo.committed == D("440000.00") + sum(story.proposed for story in STORIES)
    paid = db.session.scalars(select(PaymentRequest.amount).where(PaymentRequest.state == "paid"))
    assert immo.paid == sum(paid, D("0")) > 0
    kinds = set(
        db.session.scalars(
            select(EnvelopeMovement.kind).where(EnvelopeMovement.envelope_id == immo.id)
        )
    )
    assert kinds == {"reserved", "committed", "paid"}
