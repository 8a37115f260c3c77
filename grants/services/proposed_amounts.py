"""The amounts each financer's instructors propose per aid type (upsert with a lock version,
audited), the real-estate envelope aid computed line by line, and the financing plan with its
flags (proposed amounts against costs, financing rules)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select

from grants.extensions import db
from grants.models import Dossier, Financer, FinancerTrack, User
from grants.models.choices import AID_TYPES, INSTRUCTION_ROLES
from grants.models.ledger import Envelope
from grants.models.scoring import ProposedAmount
from grants.permissions import financer_ids
from grants.scoring import aid, financing
from grants.scoring.inputs import ScoringInputs
from grants.services import audit, config_versions

MAX_AMOUNT = Decimal("100000000")
STALE_MESSAGE = (
    "Un collègue a modifié ce montant entre-temps : rechargez la page pour voir sa proposition."
)


class AmountRefusedError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def may_propose(user: User, track: FinancerTrack) -> bool:
    """Instructors (and deciders) of the track's financer."""
    return user.role in INSTRUCTION_ROLES and track.financer_id in financer_ids(user)


def amounts_of(dossier: Dossier) -> list[ProposedAmount]:
    track_ids = [t.id for t in dossier.tracks]
    if not track_ids:
        return []
    return list(
        db.session.scalars(
            select(ProposedAmount)
            .where(ProposedAmount.track_id.in_(track_ids))
            .order_by(ProposedAmount.track_id, ProposedAmount.aid_type)
        )
    )


def propose_amount(
    track: FinancerTrack,
    *,
    aid_type: str,
    amount: str,
    expected_version: int | None,
    actor: User,
    computation: dict[str, Any] | None = None,
) -> ProposedAmount:
    """Create or update the track's amount for ``aid_type``; a stale form answers 409."""
    if not may_propose(actor, track):
        raise AmountRefusedError(
            403, "Seuls les instructeurs de ce financeur proposent son montant."
        )
    if aid_type not in AID_TYPES:
        raise AmountRefusedError(422, "Choisissez un type d'aide.")
    value = _parse_amount(amount)
    row = db.session.scalar(
        select(ProposedAmount).where(
            ProposedAmount.track_id == track.id, ProposedAmount.aid_type == aid_type
        )
    )
    previous = None if row is None else str(row.amount)
    if row is None:
        if expected_version not in (None, 0):
            raise AmountRefusedError(409, STALE_MESSAGE)
        row = ProposedAmount(track_id=track.id, aid_type=aid_type, amount=value)
        db.session.add(row)
    elif expected_version != row.lock_version:
        raise AmountRefusedError(409, STALE_MESSAGE)
    row.amount = value
    row.updated_by_id = actor.id
    row.computation = computation or {}
    db.session.flush()
    audit.record(
        "amount.proposed",
        actor=actor,
        dossier_id=track.dossier_id,
        data={
            "track": track.id,
            "financer": track.financer.code,
            "aid_type": aid_type,
            "from": previous,
            "to": str(value),
        },
    )
    return row


def _parse_amount(text: str) -> Decimal:
    cleaned = (text or "").replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    cleaned = cleaned.replace("€", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise AmountRefusedError(
            422, "Indiquez un montant en euros, par exemple 120000,00."
        ) from None
    if not value.is_finite() or value < 0 or value > MAX_AMOUNT:
        raise AmountRefusedError(422, "Le montant doit être positif et inférieur à 100 M€.")
    if value != value.quantize(Decimal("0.01")):
        raise AmountRefusedError(422, "Le montant a au plus deux décimales.")
    return value.quantize(Decimal("0.01"))


# --- read models for the instructors' page -------------------------------------------------------


@dataclass(frozen=True)
class PlanView:
    costs: dict[str, Decimal]
    proposed_total: Decimal
    requested_total: Decimal
    flags: list[financing.Flag]
    rows: list[dict[str, Any]]  # per (financer, aid type): requested, proposed

    @property
    def total_costs(self) -> Decimal:
        return sum(self.costs.values(), Decimal("0"))


def financing_view(dossier: Dossier, inputs: ScoringInputs) -> PlanView:
    proposals = amounts_of(dossier)
    tracks = {t.id: t for t in dossier.tracks}
    lines = [
        financing.PlanLine(
            aid_type=r.aid_type,
            amount=r.amount,
            kind=r.kind,
            financer_code=r.financer_code,
            financer_kind=r.financer_kind,
            financer_name=r.financer_name,
        )
        for r in inputs.resources
    ]
    for p in proposals:
        financer = tracks[p.track_id].financer
        lines.append(
            financing.PlanLine(
                aid_type=p.aid_type,
                amount=p.amount,
                financer_code=financer.code,
                financer_kind=financer.kind,
                financer_name=financer.name,
                source="proposed",
            )
        )
    costs = dict(inputs.costs)
    plan = financing.FinancingPlan(costs=costs, lines=tuple(lines))
    rules = config_versions.active("financing_rules").payload
    return PlanView(
        costs=costs,
        proposed_total=sum((p.amount for p in proposals), Decimal("0")),
        requested_total=sum(
            (r.amount for r in inputs.resources if r.kind == "financer"), Decimal("0")
        ),
        flags=financing.check(plan, rules),
        rows=_rows(inputs, proposals, tracks),
    )


def _rows(inputs: ScoringInputs, proposals: list[ProposedAmount], tracks: dict) -> list[dict]:  # type: ignore[type-arg]
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for r in inputs.resources:
        if r.kind == "financer" and r.financer_code:
            row = rows.setdefault(
                (r.financer_code, r.aid_type),
                {
                    "financer": r.financer_name,
                    "aid_type": r.aid_type,
                    "requested": Decimal("0"),
                    "proposed": None,
                },
            )
            row["requested"] += r.amount
    for p in proposals:
        financer = tracks[p.track_id].financer
        row = rows.setdefault(
            (financer.code, p.aid_type),
            {
                "financer": financer.name,
                "aid_type": p.aid_type,
                "requested": Decimal("0"),
                "proposed": None,
            },
        )
        row["proposed"] = p.amount
    return list(rows.values())


def envelope_aid(inputs: ScoringInputs, score_total: Decimal | None) -> aid.AidComputation:
    """The 55 M€ aid for this dossier; the envelope's remaining amount when the ledger has it."""
    formula = config_versions.active("aid_formula").payload
    return aid.compute(inputs, formula, _envelope_remaining(), score_total)


def _envelope_remaining() -> Decimal | None:
    """What remains on the open ARS real-estate envelope, if the ledger holds one."""
    today = date.today()
    envelope = db.session.scalar(
        select(Envelope)
        .join(Financer, Financer.id == Envelope.financer_id)
        .where(
            Financer.kind == "ars_envelope",
            Envelope.opens_on <= today,
            Envelope.closes_on >= today,
        )
        .order_by(Envelope.opens_on.desc())
        .limit(1)
    )
    return None if envelope is None else envelope.remaining
