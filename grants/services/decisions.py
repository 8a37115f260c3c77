"""Each co-financer's formal decision on its own track (DOMAIN §3.5, T11): validated, serialised
per dossier, turned into envelope movements, audited, and notified with its letter.

Decisions on one dossier are serialised by a lock on the dossier row taken first, then everything
is read again: two financers deciding at the same moment are both kept, and the second one sees
the first when the engine decides whether the dossier is now decided or rejected.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import selectinload

from grants.extensions import db
from grants.models import (
    CommitteeItem,
    DecisionAmount,
    Dossier,
    Envelope,
    EnvelopeMovement,
    FinancerDecision,
    FinancerTrack,
    ResourceLine,
    User,
)
from grants.models.choices import AID_TYPES, DECISION_OUTCOMES
from grants.services import audit, ledger
from grants.services.document_requests import paris_today
from grants.services.envelopes import envelope_for
from grants.templating import french_date, money
from grants.workflow import engine
from grants.workflow.engine import STALE_MESSAGE, TransitionError

OUTCOME_EVENTS = {
    "granted": "grant",
    "partially_granted": "grant_partially",
    "refused": "refuse",
    "deferred": "defer_decision",
}
EVENT_OUTCOMES = {event: outcome for outcome, event in OUTCOME_EVENTS.items()}
GRANTING = frozenset({"granted", "partially_granted"})
MAX_AMOUNT = Decimal("100000000")
TEXT_MAX = 5000
REFUSED_MESSAGE = "La décision ne peut pas être enregistrée : corrigez les points signalés."
ZERO = Decimal("0")


class DecisionRefused(TransitionError):  # noqa: N818 (reads as the others: LedgerRefused)
    """The decision is not recorded; ``errors`` pairs a form field (or None) with its message."""

    def __init__(
        self, status: int, message: str, errors: list[tuple[str | None, str]] | None = None
    ) -> None:
        super().__init__(status, message, [text for _field, text in errors or []])
        self.errors = errors or []


@dataclass(frozen=True)
class DecisionValues:
    outcome: str
    amounts: dict[str, Decimal]
    conditions: str
    motivation: str
    act_reference: str
    act_date: date
    signatory: str

    @property
    def total(self) -> Decimal:
        return sum(self.amounts.values(), ZERO)


# --- what the dossier asked this financer for --------------------------------------------------


def requested_amounts(track: FinancerTrack) -> dict[str, Decimal]:
    """Aid type → amount the promoter's financing plan asks this financer for."""
    rows = db.session.execute(
        select(ResourceLine.aid_type, ResourceLine.amount).where(
            ResourceLine.dossier_id == track.dossier_id,
            ResourceLine.kind == "financer",
            ResourceLine.financer_id == track.financer_id,
        )
    )
    amounts: dict[str, Decimal] = {}
    for aid_type, amount in rows:
        amounts[aid_type] = amounts.get(aid_type, ZERO) + amount
    return amounts


def latest_opinion_item(dossier_id: int) -> CommitteeItem | None:
    """The dossier's last agenda item carrying the committee's opinion."""
    return db.session.scalar(
        select(CommitteeItem)
        .where(CommitteeItem.dossier_id == dossier_id, CommitteeItem.opinion.is_not(None))
        .options(selectinload(CommitteeItem.amounts), selectinload(CommitteeItem.session))
        .order_by(CommitteeItem.id.desc())
        .limit(1)
    )


def proposed_amounts(track: FinancerTrack) -> dict[str, Decimal]:
    """Aid type → amount the committee proposed for this financer (its latest opinion)."""
    item = latest_opinion_item(track.dossier_id)
    if item is None:
        return {}
    return {a.aid_type: a.amount for a in item.amounts if a.financer_id == track.financer_id}


def asked_aid_types(track: FinancerTrack) -> list[str]:
    """The aid types a decision of this financer may carry amounts for, in vocabulary order."""
    asked = set(requested_amounts(track)) | set(proposed_amounts(track))
    if not asked:
        asked = set(track.dossier.aid_types or ())
    return [code for code in AID_TYPES if code in asked]


def decisions_of(dossier_id: int) -> list[FinancerDecision]:
    return list(
        db.session.scalars(
            select(FinancerDecision)
            .where(FinancerDecision.dossier_id == dossier_id)
            .options(
                selectinload(FinancerDecision.amounts),
                selectinload(FinancerDecision.decided_by),
                selectinload(FinancerDecision.financer),
            )
            .order_by(FinancerDecision.id)
        )
    )


def envelope_of(track: FinancerTrack) -> Envelope | None:
    """The envelope this financer's money for the dossier lives on: the one already holding the
    dossier's reservation when there is one, else the financer's open envelope (None: the
    financer's money is not ledgered in the product)."""
    held = db.session.scalar(
        select(Envelope)
        .join(EnvelopeMovement, EnvelopeMovement.envelope_id == Envelope.id)
        .where(
            Envelope.financer_id == track.financer_id,
            EnvelopeMovement.dossier_id == track.dossier_id,
        )
        .order_by(EnvelopeMovement.id.desc())
        .limit(1)
    )
    return held if held is not None else envelope_for(track.financer_id)


# --- the decision ------------------------------------------------------------------------------


def decide(
    track: FinancerTrack,
    actor: User,
    outcome: str,
    amounts_by_aid_type: Mapping[str, Any],
    conditions: str,
    motivation: str,
    act_reference: str,
    act_date: date | str | None,
    signatory: str,
    expected_version: int | None,
) -> FinancerDecision:
    """Record ``track``'s decision: the act, its amounts, the money on the envelope, the track's
    transition (and the dossier's, when it was the last one), the letter and the notifications.
    Raises DecisionRefused (403, 409, 422, 503) and then leaves nothing behind. Never commits."""
    dossier = lock_dossier(track.dossier_id)
    track = next(t for t in dossier.tracks if t.id == track.id)  # the same row, read again
    event = OUTCOME_EVENTS.get(outcome)
    if event is None:
        raise DecisionRefused(422, REFUSED_MESSAGE, [("outcome", "Choisissez la décision.")])
    refused = refusal(track, actor, expected_version, event)
    if refused is not None:
        raise refused
    values = validate(
        track,
        outcome=outcome,
        amounts=amounts_by_aid_type,
        conditions=conditions,
        motivation=motivation,
        act_reference=act_reference,
        act_date=act_date,
        signatory=signatory,
    )
    try:
        with db.session.begin_nested():
            decision = _record(track, actor, values)
            engine.fire(
                track, event, actor, data={"decision": decision}, expected_version=expected_version
            )
            _move_money(track, decision, actor)
            _after_decision(decision, actor)
    except DecisionRefused:
        raise
    except ledger.LedgerRefused as refused:
        raise DecisionRefused(422, refused.message, [("amounts", refused.message)]) from refused
    except TransitionError as refused:
        errors: list[tuple[str | None, str]] = [(None, r) for r in refused.reasons]
        raise DecisionRefused(refused.status, refused.message, errors) from refused
    return decision


def lock_dossier(dossier_id: int) -> Dossier:
    """Hold the dossier row until the end of the transaction, then read it and its tracks again
    (``populate_existing``): what another financer committed meanwhile is seen."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            text("SELECT id FROM dossiers WHERE id = :id FOR UPDATE"), {"id": dossier_id}
        )
    else:
        # SQLite: a write takes the database's write lock; reads after it see the latest data.
        db.session.execute(text("UPDATE dossiers SET id = id WHERE id = :id"), {"id": dossier_id})
    dossier = db.session.scalars(
        select(Dossier)
        .where(Dossier.id == dossier_id)
        .options(selectinload(Dossier.tracks), selectinload(Dossier.committee_items))
        .execution_options(populate_existing=True)
    ).one()
    # The tracks again, whatever the loader options did with objects already in the session.
    db.session.scalars(
        select(FinancerTrack)
        .where(FinancerTrack.dossier_id == dossier_id)
        .execution_options(populate_existing=True)
    ).all()
    return dossier


def refusal(
    track: FinancerTrack,
    actor: User,
    expected_version: int | None = None,
    event: str = "grant",
) -> DecisionRefused | None:
    """Why ``actor`` may not decide on ``track`` now (None: they may), before the form's content
    is judged; the four decision events share their sources and roles. The engine checks again."""
    transition = engine.transition(track, event)
    stale = expected_version is not None and expected_version != track.lock_version
    if track.state not in transition.sources:
        if stale:
            return DecisionRefused(409, STALE_MESSAGE)
        return DecisionRefused(
            422,
            f"{track.financer.name} ne peut pas décider sur ce dossier : son instruction est "
            f"dans l'état « {track.state_label} ».",
        )
    if not engine.actor_roles(track, actor) & transition.roles:
        return DecisionRefused(
            403, f"Seul un décideur de {track.financer.name} peut enregistrer sa décision."
        )
    if stale:
        return DecisionRefused(409, STALE_MESSAGE)
    if track.dossier.state != "decisions_pending":
        return DecisionRefused(
            422, "Les financeurs décident après l'avis du comité d'instruction partagé."
        )
    return None


def validate(
    track: FinancerTrack,
    *,
    outcome: str,
    amounts: Mapping[str, Any],
    conditions: str,
    motivation: str,
    act_reference: str,
    act_date: date | str | None,
    signatory: str,
) -> DecisionValues:
    """The decision's values, or DecisionRefused (422) listing every problem at once."""
    errors: list[tuple[str | None, str]] = []
    parsed = _amounts(track, outcome, amounts, errors)
    conditions, motivation = (conditions or "").strip(), (motivation or "").strip()
    act_reference, signatory = (act_reference or "").strip(), (signatory or "").strip()
    if outcome == "refused" and not motivation:
        errors.append(("motivation", "Motivez le refus : le porteur doit en connaître les motifs."))
    for name, value in (("conditions", conditions), ("motivation", motivation)):
        if len(value) > TEXT_MAX:
            errors.append((name, "5 000 caractères au maximum."))
    if not act_reference:
        errors.append(("act_reference", "Indiquez la référence de l'acte de décision."))
    elif len(act_reference) > 120:
        errors.append(("act_reference", "La référence de l'acte tient en 120 caractères."))
    if not signatory:
        errors.append(("signatory", "Indiquez le signataire de la décision."))
    elif len(signatory) > 200:
        errors.append(("signatory", "Le signataire tient en 200 caractères."))
    day = _act_date(act_date, errors)
    if errors:
        raise DecisionRefused(422, REFUSED_MESSAGE, errors)
    assert day is not None
    return DecisionValues(outcome, parsed, conditions, motivation, act_reference, day, signatory)


def _amounts(
    track: FinancerTrack,
    outcome: str,
    raw: Mapping[str, Any],
    errors: list[tuple[str | None, str]],
) -> dict[str, Decimal]:
    asked = asked_aid_types(track)
    amounts: dict[str, Decimal] = {}
    for code, value in raw.items():
        text_value = str(value if value is not None else "").strip()
        if not text_value:
            continue
        label = AID_TYPES.get(code, code)
        amount = parse_amount(text_value)
        if amount is None:
            errors.append(
                (
                    f"amount_{code}",
                    f"Montant « {label} » : indiquez un montant en euros positif, avec au plus "
                    "deux décimales (par exemple 120000,00).",
                )
            )
            continue
        if amount == 0:
            continue
        if code not in asked:
            errors.append(
                (
                    f"amount_{code}",
                    f"{track.financer.name} n'a pas été sollicité pour l'aide « {label} ».",
                )
            )
            continue
        amounts[code] = amount
    if outcome in GRANTING and not amounts and not errors:
        errors.append(
            ("amounts", "Indiquez le montant accordé pour au moins un des types d'aide demandés.")
        )
    if outcome not in GRANTING and amounts:
        errors.append(
            (
                "amounts",
                "Une décision de refus ou d'ajournement ne porte aucun montant : videz les "
                "montants.",
            )
        )
    return amounts


def parse_amount(text_value: str) -> Decimal | None:
    """'1 234 567,89 €' → Decimal; None when it is not a positive amount with two decimals."""
    cleaned = text_value.replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    cleaned = cleaned.replace("€", "").replace(",", ".")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        return None
    if amount != amount.quantize(Decimal("0.01")):
        return None
    return amount.quantize(Decimal("0.01"))


def _act_date(value: date | str | None, errors: list[tuple[str | None, str]]) -> date | None:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip()) if value.strip() else None
        except ValueError:
            errors.append(("act_date", "La date de l'acte n'est pas une date valide."))
            return None
    if value is None:
        errors.append(("act_date", "Indiquez la date de l'acte de décision."))
        return None
    if value > paris_today():
        errors.append(("act_date", "La date de l'acte ne peut pas être dans le futur."))
        return None
    return value


def _record(track: FinancerTrack, actor: User, values: DecisionValues) -> FinancerDecision:
    decision = FinancerDecision(
        track_id=track.id,
        dossier_id=track.dossier_id,
        financer_id=track.financer_id,
        outcome=values.outcome,
        conditions=values.conditions,
        motivation=values.motivation,
        act_reference=values.act_reference,
        act_date=values.act_date,
        signatory=values.signatory,
        decided_by_id=actor.id,
        amounts=[
            DecisionAmount(aid_type=code, amount=amount)
            for code in AID_TYPES
            if (amount := values.amounts.get(code))
        ],
    )
    db.session.add(decision)
    db.session.flush()
    return decision


def _move_money(track: FinancerTrack, decision: FinancerDecision, actor: User) -> None:
    """Grant: commit (the reservation first, beyond it only within the envelope), release what
    the committee reserved above the grant. Refusal: release the reservation. Deferral: keep."""
    envelope = envelope_of(track)
    if envelope is None or decision.outcome == "deferred":
        return
    dossier = track.dossier
    held = ledger.dossier_balance(envelope, dossier)
    reason = (
        f"Décision {decision.act_reference} du {french_date(decision.act_date)} : "
        f"{DECISION_OUTCOMES[decision.outcome].lower()}"
    )
    if decision.outcome in GRANTING:
        total = decision.total
        ledger.commit(envelope, dossier, total, actor, reason, allow_direct=True)
        remainder = held.reserved - min(held.reserved, total)
        if remainder > 0:
            ledger.release(
                envelope, dossier, remainder, actor, f"{reason} — reliquat de la réservation"
            )
    elif held.reserved > 0:
        ledger.release(envelope, dossier, held.reserved, actor, reason)


def _after_decision(decision: FinancerDecision, actor: User) -> None:
    from grants.services import decision_letters, plan_revision

    decision_letters.attach_letter(decision)
    audit.record(
        "decision.recorded",
        actor=actor,
        dossier_id=decision.dossier_id,
        data={
            "decision": decision.id,
            "financer": decision.financer.code,
            "outcome": decision.outcome,
            "act_reference": decision.act_reference,
            "act_date": decision.act_date.isoformat(),
            "signatory": decision.signatory,
            "amounts": {line.aid_type: str(line.amount) for line in decision.amounts},
            "total": str(decision.total),
            "letter_sha256": decision.letter_sha256,
        },
    )
    decision_letters.notify_promoter(decision)
    plan_revision.after_decision(decision.dossier, actor)


def summary(decision: FinancerDecision) -> str:
    """« Accordé — 300 000,00 € » for lists and notifications."""
    label = DECISION_OUTCOMES[decision.outcome]
    return f"{label} — {money(decision.total)}" if decision.outcome in GRANTING else label
