"""Every decision path through ``services.decisions.decide``: granted, partial grant, refusal after
a favourable opinion, deferral decided later, refusal by all, above the envelope, wrong actor,
validation — with the money on the envelopes, the audit trail, the letter and the outbox."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from flask import current_app
from sqlalchemy import func, select

from grants.extensions import db
from grants.models import (
    AuditEvent,
    EnvelopeMovement,
    FinancerDecision,
    OutboxMessage,
    PlanRevisionRequest,
)
from grants.services import decisions
from grants.services.decisions import DecisionRefused
from grants.services.envelopes import envelope_for
from tests import factories
from tests.decisions.support import (
    CONCLUDED,
    OP,
    RE,
    YESTERDAY,
    balance,
    financer,
    track_of,
)

D = Decimal


def decide(dossier, code, actor, outcome, amounts=None, **overrides):  # type: ignore[no-untyped-def]
    track = track_of(dossier, code)
    values = {
        "conditions": "",
        "motivation": "",
        "act_reference": f"DEC-{code}-2026-001",
        "act_date": YESTERDAY,
        "signatory": "Mme Anne Dupont, directrice générale",
        "expected_version": track.lock_version,
    }
    values.update(overrides)
    return decisions.decide(
        track, actor, outcome, {k: str(v) for k, v in (amounts or {}).items()}, **values
    )


def actions(dossier) -> list[str]:  # type: ignore[no-untyped-def]
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.dossier_id == dossier.id)
            .order_by(AuditEvent.id)
        )
    )


def decision_count(dossier) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(
        select(func.count(FinancerDecision.id)).where(FinancerDecision.dossier_id == dossier.id)
    )


def test_granting_commits_the_reservation_and_notifies_with_the_letter(pending, deciders, promoter):
    before = len(actions(pending))
    decision = decide(
        pending,
        "ARS_IMMO",
        deciders["ARS_IMMO"],
        "granted",
        {RE: "300 000,00"},
        conditions="Ouverture avant fin 2027.",
    )
    assert decision.outcome == "granted" and decision.total == D("300000.00")
    assert [(a.aid_type, a.amount) for a in decision.amounts] == [(RE, D("300000.00"))]
    track = track_of(pending, "ARS_IMMO")
    assert track.state == "granted" and track.decided_at is not None
    assert pending.state == "decisions_pending"  # the Région and the Département still decide
    held = balance(pending, "ARS_IMMO")
    assert (held.reserved, held.committed) == (D("0"), D("300000.00"))
    new = actions(pending)[before:]
    assert new[0] == "track.grant"
    assert {"envelope.committed", "decision.recorded", "dossier.plan_recomputed"} <= set(new)
    # The letter is stored with its hash.
    stored = current_app.extensions["grants_storage"].get(decision.letter_key)
    assert stored.startswith(b"%PDF")
    import hashlib

    assert hashlib.sha256(stored).hexdigest() == decision.letter_sha256
    outbox = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.event == "decision.notified")
    ).all()
    assert {(o.recipient_id, o.channel) for o in outbox} == {
        (promoter.id, "email"),
        (promoter.id, "inapp"),
    }
    assert outbox[0].template == "decision"
    assert (
        outbox[0]
        .context["letter_link"]
        .endswith(f"/espace/dossiers/{pending.id}/decisions/{decision.id}/lettre.pdf")
    )


def test_granting_more_than_reserved_commits_the_excess_directly(pending, deciders):
    decide(pending, "ARS_IMMO", deciders["ARS_IMMO"], "granted", {RE: "308641.97"})
    held = balance(pending, "ARS_IMMO")
    assert (held.reserved, held.committed) == (D("0"), D("308641.97"))


def test_a_partial_grant_commits_what_is_granted_and_releases_the_rest(pending, deciders):
    decision = decide(
        pending,
        "REGION_IDF",
        deciders["REGION_IDF"],
        "partially_granted",
        {RE: "200000", OP: "40000"},
        motivation="Le coût des travaux est surévalué.",
    )
    assert track_of(pending, "REGION_IDF").state == "partially_granted"
    held = balance(pending, "REGION_IDF")
    assert (held.reserved, held.committed) == (D("0"), D("240000.00"))
    envelope = envelope_for(financer("REGION_IDF").id)
    movements = db.session.execute(
        select(EnvelopeMovement.kind, EnvelopeMovement.amount, EnvelopeMovement.released_from)
        .where(
            EnvelopeMovement.envelope_id == envelope.id,
            EnvelopeMovement.dossier_id == pending.id,
        )
        .order_by(EnvelopeMovement.id)
    ).all()
    assert movements == [
        ("reserved", D("290000.00"), None),
        ("committed", D("240000.00"), None),
        ("released", D("50000.00"), "reserved"),
    ]
    assert decision.total == D("240000.00")


def test_a_refusal_after_a_favourable_opinion_releases_the_reservation(pending, deciders):
    assert pending.committee_items[-1].opinion == "favourable"
    decide(
        pending,
        "DEP_77",
        deciders["DEP_77"],
        "refused",
        motivation="Le projet ne relève pas des priorités départementales 2026.",
    )
    assert track_of(pending, "DEP_77").state == "refused"
    held = balance(pending, "DEP_77")
    assert (held.reserved, held.committed) == (D("0"), D("0"))


def test_a_deferred_decision_keeps_the_reservation_and_is_decided_later(pending, deciders):
    decide(pending, "ARS_IMMO", deciders["ARS_IMMO"], "granted", {RE: "300000"})
    decide(pending, "REGION_IDF", deciders["REGION_IDF"], "granted", {RE: "250000", OP: "40000"})
    decide(
        pending,
        "DEP_77",
        deciders["DEP_77"],
        "deferred",
        motivation="En attente du vote de la commission permanente de janvier.",
        act_reference="CP-77-2026-12",
    )
    assert track_of(pending, "DEP_77").state == "deferred"
    assert balance(pending, "DEP_77").reserved == D("100000.00")
    assert pending.state == "decisions_pending"  # a deferral is not a decision for good
    later = decide(
        pending,
        "DEP_77",
        deciders["DEP_77"],
        "granted",
        {RE: "100000"},
        act_reference="CP-77-2027-01",
    )
    assert later.outcome == "granted"
    assert pending.state in CONCLUDED
    held = balance(pending, "DEP_77")
    assert (held.reserved, held.committed) == (D("0"), D("100000.00"))
    outcomes = db.session.scalars(
        select(FinancerDecision.outcome)
        .where(
            FinancerDecision.dossier_id == pending.id,
            FinancerDecision.financer_id == later.financer_id,
        )
        .order_by(FinancerDecision.id)
    ).all()
    assert outcomes == ["deferred", "granted"]  # every decision is kept
    assert "dossier.conclude" in actions(pending)


def test_refusal_by_every_financer_rejects_the_dossier(pending, deciders):
    for code in ("ARS_IMMO", "REGION_IDF", "DEP_77"):
        decide(pending, code, deciders[code], "refused", motivation="Hors priorités.")
    assert pending.state == "rejected"
    assert "dossier.reject" in actions(pending)
    for code in ("ARS_IMMO", "REGION_IDF", "DEP_77"):
        held = balance(pending, code)
        assert (held.reserved, held.committed) == (D("0"), D("0"))
    # Nothing granted: no revised plan to ask for.
    assert db.session.scalar(select(func.count(PlanRevisionRequest.id))) == 0


def test_a_decision_above_what_the_envelope_allows_is_refused_and_nothing_is_kept(
    pending, deciders
):
    envelope = envelope_for(financer("DEP_77").id)
    db.session.refresh(envelope)
    totals = (envelope.reserved, envelope.committed)
    events = len(actions(pending))
    # What remains plus the dossier's own reservation is the most it could commit: 1 000 € more.
    too_much = envelope.remaining + D("100000.00") + D("1000.00")
    with pytest.raises(DecisionRefused) as refused:
        decide(pending, "DEP_77", deciders["DEP_77"], "granted", {RE: too_much})
    assert refused.value.status == 422
    assert refused.value.message.startswith("Il reste ")
    assert "à engager au-delà de la réservation" in refused.value.message
    db.session.expire_all()
    assert decision_count(pending) == 0
    assert track_of(pending, "DEP_77").state == "awaiting_decision"
    db.session.refresh(envelope)
    assert (envelope.reserved, envelope.committed) == totals
    assert balance(pending, "DEP_77").reserved == D("100000.00")
    assert len(actions(pending)) == events
    assert (
        db.session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.event == "decision.notified")
        )
        == 0
    )


def test_only_the_financers_own_decider_decides(pending, deciders):
    with pytest.raises(DecisionRefused) as refused:
        decide(pending, "ARS_IMMO", deciders["REGION_IDF"], "granted", {RE: "1000"})
    assert refused.value.status == 403
    assert "Seul un décideur de ARS Île-de-France" in refused.value.message
    instructor = factories.make_staff("financer_instructor", ("REGION_IDF",))
    with pytest.raises(DecisionRefused) as refused:
        decide(pending, "REGION_IDF", instructor, "granted", {RE: "1000"})
    assert refused.value.status == 403
    assert decision_count(pending) == 0


def test_a_decision_waits_for_the_committee(promoter, deciders):
    from tests.workflow import support as workflow

    dossier = workflow.make_dossier(
        promoter, "under_instruction", track_states={"ARS_IMMO": "awaiting_decision"}
    )
    with pytest.raises(DecisionRefused) as refused:
        decide(dossier, "ARS_IMMO", deciders["ARS_IMMO"], "granted", {RE: "1000"})
    assert refused.value.status == 422
    assert "après l'avis du comité" in refused.value.message


def test_a_stale_form_is_refused_with_409(pending, deciders):
    track = track_of(pending, "ARS_IMMO")
    with pytest.raises(DecisionRefused) as refused:
        decide(
            pending,
            "ARS_IMMO",
            deciders["ARS_IMMO"],
            "granted",
            {RE: "1000"},
            expected_version=track.lock_version + 1,
        )
    assert refused.value.status == 409


def test_a_track_decides_once(pending, deciders):
    decide(pending, "ARS_IMMO", deciders["ARS_IMMO"], "granted", {RE: "300000"})
    with pytest.raises(DecisionRefused) as refused:
        decide(pending, "ARS_IMMO", deciders["ARS_IMMO"], "refused", motivation="Non.")
    assert refused.value.status == 422
    assert "état « Accordé »" in refused.value.message


@pytest.mark.parametrize(
    ("outcome", "amounts", "overrides", "field", "message"),
    [
        ("granted", {}, {}, "amounts", "Indiquez le montant accordé"),
        ("partially_granted", {RE: "0"}, {}, "amounts", "Indiquez le montant accordé"),
        ("refused", {RE: "1000"}, {"motivation": "Non."}, "amounts", "aucun montant"),
        ("deferred", {RE: "1000"}, {}, "amounts", "aucun montant"),
        ("refused", {}, {}, "motivation", "Motivez le refus"),
        ("granted", {RE: "12,345"}, {}, f"amount_{RE}", "au plus deux décimales"),
        ("granted", {RE: "-5"}, {}, f"amount_{RE}", "montant en euros positif"),
        ("granted", {RE: "abc"}, {}, f"amount_{RE}", "montant en euros positif"),
        ("granted", {OP: "1000"}, {}, f"amount_{OP}", "n'a pas été sollicité pour l'aide"),
        ("granted", {RE: "1000"}, {"act_reference": " "}, "act_reference", "référence"),
        ("granted", {RE: "1000"}, {"signatory": ""}, "signatory", "signataire"),
        ("granted", {RE: "1000"}, {"act_date": None}, "act_date", "date de l'acte"),
        (
            "granted",
            {RE: "1000"},
            {"act_date": YESTERDAY + timedelta(days=5)},
            "act_date",
            "dans le futur",
        ),
        ("granted", {RE: "1000"}, {"act_date": "2026-13-45"}, "act_date", "pas une date valide"),
        ("maybe", {RE: "1000"}, {}, "outcome", "Choisissez la décision"),
    ],
)
def test_validation_explains_each_problem_in_french(
    pending, deciders, outcome, amounts, overrides, field, message
):
    with pytest.raises(DecisionRefused) as refused:
        decide(pending, "ARS_IMMO", deciders["ARS_IMMO"], outcome, amounts, **overrides)
    assert refused.value.status == 422
    fields = dict(refused.value.errors)
    assert field in fields, refused.value.errors
    assert message in fields[field]
    assert decision_count(pending) == 0
    assert track_of(pending, "ARS_IMMO").state == "awaiting_decision"


def test_the_envelope_holding_the_reservation_is_used_even_once_closed(
    promoter, secretary, deciders
):
    from tests.decisions.support import decisions_pending

    dossier = decisions_pending(promoter, secretary)
    envelope = envelope_for(financer("DEP_77").id)
    envelope.closes_on = envelope.opens_on  # closed: DEP_77 manages no open envelope today
    db.session.flush()
    assert envelope_for(financer("DEP_77").id) is None
    # The reservation made at the committee lives on that envelope: it is still the one used.
    decide(dossier, "DEP_77", deciders["DEP_77"], "granted", {RE: "100000"})
    assert balance_on(envelope, dossier).committed == D("100000.00")


def balance_on(envelope, dossier):  # type: ignore[no-untyped-def]
    from grants.services.ledger import dossier_balance

    return dossier_balance(envelope, dossier)


def test_a_financer_with_no_envelope_at_all_decides_without_ledger(promoter, secretary):
    from tests.decisions.support import decisions_pending

    proposed = {("ARS_IMMO", RE): D("300000.00")}
    dossier = decisions_pending(promoter, secretary, proposed=proposed)
    # CPAM_77 manages no envelope in the product: add it to the dossier and decide for it.
    from grants.models import FinancerTrack
    from grants.models.base import utcnow

    cpam = financer("CPAM_77")
    dossier.financers.append(cpam)
    dossier.tracks.append(
        FinancerTrack(
            financer=cpam,
            state="awaiting_decision",
            opened_at=utcnow(),
            checklist_completed_at=utcnow(),
        )
    )
    db.session.flush()
    decider = factories.make_staff("financer_decider", ("CPAM_77",))
    assert envelope_for(cpam.id) is None
    movements = db.session.scalar(select(func.count(EnvelopeMovement.id)))
    decision = decide(dossier, "CPAM_77", decider, "granted", {RE: "5000"})
    assert decision.outcome == "granted"
    assert db.session.scalar(select(func.count(EnvelopeMovement.id))) == movements
