"""The whole project across financers, on one page (issue: « one page shows the whole project »):
who was asked for what, what the committee proposed, who decided what and when (with the acts and
letters), what is committed and paid on each envelope, and the committee history. A bounded
number of queries whatever the number of financers, decisions and sessions."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from grants.extensions import db
from grants.models import (
    CommitteeItem,
    CommitteeItemAmount,
    Dossier,
    Envelope,
    EnvelopeMovement,
    Financer,
    FinancerDecision,
    FinancerTrack,
    PlanRevisionRequest,
)
from grants.models.choices import AID_TYPES
from grants.services.decisions import decisions_of
from grants.services.ledger import DossierBalance
from grants.services.plan_revision import RecomputedPlan, recompute

ZERO = Decimal("0")
# Dossier states with nothing to tell yet (before the committee could have seen the dossier).
EARLY_STATES = frozenset(
    {"draft", "submitted", "completeness_check", "awaiting_documents", "admissible"}
)


@dataclass
class EnvelopeHolding:
    envelope: Envelope
    balance: DossierBalance


@dataclass
class FinancerRow:
    financer: Financer
    track: FinancerTrack | None
    requested: dict[str, Decimal] = field(default_factory=dict)
    proposed: dict[str, Decimal] = field(default_factory=dict)
    decisions: list[FinancerDecision] = field(default_factory=list)
    holdings: list[EnvelopeHolding] = field(default_factory=list)

    @property
    def requested_total(self) -> Decimal:
        return sum(self.requested.values(), ZERO)

    @property
    def proposed_total(self) -> Decimal:
        return sum(self.proposed.values(), ZERO)

    @property
    def aid_types(self) -> list[tuple[str, str]]:
        used = set(self.requested) | set(self.proposed)
        for decision in self.decisions:
            used |= {line.aid_type for line in decision.amounts}
        return [(code, label) for code, label in AID_TYPES.items() if code in used]

    @property
    def latest(self) -> FinancerDecision | None:
        return self.decisions[-1] if self.decisions else None

    @property
    def granted(self) -> dict[str, Decimal]:
        latest = self.latest
        if latest is None or latest.outcome not in ("granted", "partially_granted"):
            return {}
        return {line.aid_type: line.amount for line in latest.amounts}

    @property
    def committed(self) -> Decimal:
        return sum((h.balance.committed for h in self.holdings), ZERO)

    @property
    def paid(self) -> Decimal:
        return sum((h.balance.paid for h in self.holdings), ZERO)

    @property
    def reserved(self) -> Decimal:
        return sum((h.balance.reserved for h in self.holdings), ZERO)


@dataclass
class ProjectOverview:
    dossier: Dossier
    financers: list[FinancerRow]
    committee: list[CommitteeItem]
    decisions: list[FinancerDecision]
    plan: RecomputedPlan
    revisions: list[PlanRevisionRequest]

    @property
    def open_revision(self) -> PlanRevisionRequest | None:
        return next((r for r in self.revisions if r.state == "open"), None)

    @property
    def totals(self) -> dict[str, Decimal]:
        return {
            "requested": sum((f.requested_total for f in self.financers), ZERO),
            "proposed": sum((f.proposed_total for f in self.financers), ZERO),
            "granted": sum((sum(f.granted.values(), ZERO) for f in self.financers), ZERO),
            "committed": sum((f.committed for f in self.financers), ZERO),
            "paid": sum((f.paid for f in self.financers), ZERO),
        }


def project_overview(dossier: Dossier) -> ProjectOverview:
    committee = committee_history(dossier.id)
    decisions = decisions_of(dossier.id)
    rows: dict[int, FinancerRow] = {}
    for track in dossier.tracks:
        rows[track.financer_id] = FinancerRow(track.financer, track)
    for financer in dossier.financers:
        rows.setdefault(financer.id, FinancerRow(financer, None))
    for line in dossier.resource_lines:
        if line.kind == "financer" and line.financer_id in rows:
            requested = rows[line.financer_id].requested
            requested[line.aid_type] = requested.get(line.aid_type, ZERO) + line.amount
    examined = [item for item in committee if item.opinion is not None]
    if examined:
        for amount in examined[-1].amounts:
            if amount.financer_id in rows:
                rows[amount.financer_id].proposed[amount.aid_type] = amount.amount
    for decision in decisions:
        if decision.financer_id in rows:
            rows[decision.financer_id].decisions.append(decision)
    for holding, financer_id in _holdings(dossier):
        if financer_id in rows:
            rows[financer_id].holdings.append(holding)
    return ProjectOverview(
        dossier=dossier,
        financers=list(rows.values()),
        committee=committee,
        decisions=decisions,
        plan=recompute(dossier, decisions),
        revisions=list(
            db.session.scalars(
                select(PlanRevisionRequest)
                .where(PlanRevisionRequest.dossier_id == dossier.id)
                .order_by(PlanRevisionRequest.id)
            )
        ),
    )


def committee_history(dossier_id: int) -> list[CommitteeItem]:
    """Every agenda item of the dossier, oldest first, with its session and proposed amounts."""
    return list(
        db.session.scalars(
            select(CommitteeItem)
            .where(CommitteeItem.dossier_id == dossier_id)
            .options(
                selectinload(CommitteeItem.session),
                selectinload(CommitteeItem.amounts).joinedload(CommitteeItemAmount.financer),
            )
            .order_by(CommitteeItem.id)
        )
    )


def _holdings(dossier: Dossier) -> list[tuple[EnvelopeHolding, int]]:
    """What the dossier holds on each envelope, replayed from its movements (one query)."""
    rows = db.session.execute(
        select(EnvelopeMovement, Envelope)
        .join(Envelope, Envelope.id == EnvelopeMovement.envelope_id)
        .where(EnvelopeMovement.dossier_id == dossier.id)
        .order_by(EnvelopeMovement.envelope_id, EnvelopeMovement.id)
    )
    holdings: dict[int, EnvelopeHolding] = {}
    for movement, envelope in rows:
        holding = holdings.setdefault(envelope.id, EnvelopeHolding(envelope, DossierBalance()))
        holding.balance.apply(movement.kind, movement.amount, movement.released_from)
    return [(h, h.envelope.financer_id) for h in holdings.values()]
