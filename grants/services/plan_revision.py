"""The financing plan recomputed with the granted amounts (DOMAIN T11) and, when every financer has
decided and the grants fall short of the plan by more than the configured share of the costs, the
promoter's revised plan: asked for (outbox), answered by editing section I, which freezes a new
version of the dossier."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from grants.extensions import db
from grants.links import absolute_url
from grants.models import (
    Dossier,
    DossierVersion,
    Financer,
    FinancerDecision,
    PlanRevisionRequest,
    User,
)
from grants.models.base import utcnow
from grants.models.choices import AID_TYPES
from grants.notifications.notices import notice_context, send_notice
from grants.notifications.outbox import promoter_members, staff_of
from grants.scoring import financing
from grants.services import audit, config_versions
from grants.templating import money
from grants.workflow.states import GRANTED_TRACK_STATES

ZERO = Decimal("0")
DEFAULT_THRESHOLD = Decimal("0.10")  # as shipped in grants/data/config/financing_rules.json
# Track states in which the financer's share is known for good (a deferral is not).
SETTLED_TRACK_STATES = frozenset({"granted", "partially_granted", "refused", "not_concerned"})


class PlanRevisionRefused(Exception):  # noqa: N818 (as LedgerRefused)
    def __init__(self, status: int, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.problems = problems or []


@dataclass(frozen=True)
class FinancerShare:
    """One financer in the recomputed plan: asked for, granted (None: not settled yet)."""

    financer: Financer
    state: str
    requested: dict[str, Decimal]
    granted: dict[str, Decimal] | None

    @property
    def requested_total(self) -> Decimal:
        return sum(self.requested.values(), ZERO)

    @property
    def granted_total(self) -> Decimal:
        return sum((self.granted or {}).values(), ZERO)

    @property
    def in_plan(self) -> dict[str, Decimal]:
        """The amounts the plan now counts on: granted once settled, requested until then."""
        return self.requested if self.granted is None else self.granted


@dataclass(frozen=True)
class AidTypeRow:
    aid_type: str
    label: str
    costs: Decimal
    other_resources: Decimal
    requested: Decimal
    in_plan: Decimal

    @property
    def missing(self) -> Decimal:
        """What the plan now lacks for this aid type (negative: more than the costs)."""
        return self.costs - self.other_resources - self.in_plan


@dataclass(frozen=True)
class RecomputedPlan:
    shares: list[FinancerShare]
    rows: list[AidTypeRow]
    flags: list[financing.Flag]
    threshold_share: Decimal
    total_costs: Decimal
    settled: bool  # every financer has decided for good
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def requested_total(self) -> Decimal:
        return sum((s.requested_total for s in self.shares), ZERO)

    @property
    def granted_total(self) -> Decimal:
        return sum((s.granted_total for s in self.shares if s.granted is not None), ZERO)

    @property
    def gap(self) -> Decimal:
        """What the settled financers granted below what the plan asked them for."""
        return sum(
            (s.requested_total - s.granted_total for s in self.shares if s.granted is not None),
            ZERO,
        )

    @property
    def threshold_amount(self) -> Decimal:
        return (self.threshold_share * self.total_costs).quantize(Decimal("0.01"))

    @property
    def needs_revision(self) -> bool:
        return self.settled and self.gap > self.threshold_amount


def threshold_share() -> Decimal:
    rules = config_versions.active("financing_rules").payload
    return Decimal(str(rules.get("revision_gap_threshold", DEFAULT_THRESHOLD)))


def recompute(
    dossier: Dossier, decisions: Sequence[FinancerDecision] | None = None
) -> RecomputedPlan:
    """The plan with each settled financer's granted amounts in place of its request."""
    if decisions is None:
        decisions = list(
            db.session.scalars(
                select(FinancerDecision)
                .where(FinancerDecision.dossier_id == dossier.id)
                .order_by(FinancerDecision.id)
            )
        )
    latest = {d.track_id: d for d in decisions}  # in id order: the last one wins
    shares = []
    for track in dossier.tracks:
        requested = _sum_by_aid_type(
            (line.aid_type, line.amount)
            for line in dossier.resource_lines
            if line.kind == "financer" and line.financer_id == track.financer_id
        )
        granted: dict[str, Decimal] | None = None
        if track.state in SETTLED_TRACK_STATES:
            decision = latest.get(track.id)
            granted = {}
            if track.state in GRANTED_TRACK_STATES and decision is not None:
                granted = {line.aid_type: line.amount for line in decision.amounts}
        shares.append(FinancerShare(track.financer, track.state, requested, granted))
    costs = _sum_by_aid_type((line.aid_type, line.amount) for line in dossier.cost_lines)
    others = _sum_by_aid_type(
        (line.aid_type, line.amount) for line in dossier.resource_lines if line.kind != "financer"
    )
    lines = [
        financing.PlanLine(aid_type=line.aid_type, amount=line.amount, kind=line.kind)
        for line in dossier.resource_lines
        if line.kind != "financer"
    ]
    for share in shares:
        lines += [
            financing.PlanLine(
                aid_type=aid_type,
                amount=amount,
                financer_code=share.financer.code,
                financer_kind=share.financer.kind,
                financer_name=share.financer.name,
            )
            for aid_type, amount in share.in_plan.items()
        ]
    rules = config_versions.active("financing_rules").payload
    plan = financing.FinancingPlan(costs=costs, lines=tuple(lines))
    rows = [
        AidTypeRow(
            code,
            label,
            costs.get(code, ZERO),
            others.get(code, ZERO),
            sum((s.requested.get(code, ZERO) for s in shares), ZERO),
            sum((s.in_plan.get(code, ZERO) for s in shares), ZERO),
        )
        for code, label in AID_TYPES.items()
        if code in costs or any(code in s.requested or code in s.in_plan for s in shares)
    ]
    return RecomputedPlan(
        shares=shares,
        rows=rows,
        flags=financing.check(plan, rules),
        threshold_share=Decimal(str(rules.get("revision_gap_threshold", DEFAULT_THRESHOLD))),
        total_costs=plan.total_costs,
        settled=bool(shares) and all(s.granted is not None for s in shares),
    )


def _sum_by_aid_type(pairs: Any) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for aid_type, amount in pairs:
        totals[aid_type] = totals.get(aid_type, ZERO) + amount
    return totals


# --- after each decision ------------------------------------------------------------------------


def open_request(dossier_id: int) -> PlanRevisionRequest | None:
    return db.session.scalar(
        select(PlanRevisionRequest)
        .where(PlanRevisionRequest.dossier_id == dossier_id, PlanRevisionRequest.state == "open")
        .order_by(PlanRevisionRequest.id.desc())
        .limit(1)
    )


def after_decision(dossier: Dossier, actor: User) -> PlanRevisionRequest | None:
    """Recompute the plan (audited); once every financer decided and at least one granted, ask
    for a revised plan when the gap exceeds the threshold (and none is already asked for)."""
    plan = recompute(dossier)
    audit.record(
        "dossier.plan_recomputed",
        actor=actor,
        dossier_id=dossier.id,
        data={
            "requested": str(plan.requested_total),
            "granted": str(plan.granted_total),
            "gap": str(plan.gap),
            "threshold": str(plan.threshold_amount),
            "settled": plan.settled,
            "flags": [flag.code for flag in plan.flags],
        },
    )
    # Every financer decided and the dossier concluded (decided, or already past it when the
    # agreements are drafted in the same step); a rejected dossier has nothing to revise.
    concluded = dossier.state not in ("decisions_pending", "rejected")
    if not concluded or not plan.needs_revision or open_request(dossier.id):
        return None
    return _ask(dossier, plan, actor)


def _ask(dossier: Dossier, plan: RecomputedPlan, actor: User) -> PlanRevisionRequest:
    share = f"{(plan.threshold_share * 100).normalize():f}".replace(".", ",")
    message = (
        f"Les aides accordées ({money(plan.granted_total)}) sont inférieures de {money(plan.gap)} "
        f"aux financements demandés ({money(plan.requested_total)}), soit plus de {share} % des "
        "dépenses du projet. Transmettez un plan de financement révisé (rubrique I) tenant compte "
        "des montants accordés : d'autres ressources, ou des dépenses revues."
    )
    request = PlanRevisionRequest(dossier_id=dossier.id, gap=plan.gap, message=message)
    db.session.add(request)
    db.session.flush()
    event = audit.record(
        "plan_revision.requested",
        actor=actor,
        dossier_id=dossier.id,
        data={"request": request.id, "gap": str(plan.gap), "threshold": str(plan.threshold_amount)},
    )
    db.session.flush()
    context = notice_context(
        dossier,
        "Plan de financement révisé demandé",
        absolute_url("promoter.revise_plan", dossier_id=dossier.id),
        audience="promoter",
        message=message,
    )
    send_notice(
        f"audit:{event.id}:promoter",
        "plan_revision.requested",
        dossier,
        promoter_members(dossier),
        context,
    )
    return request


# --- the promoter's answer ----------------------------------------------------------------------


def unbalanced(rows: Mapping[str, Sequence[Mapping[str, Any]]]) -> list[str]:
    """The aid types whose resources do not equal their costs, as French sentences."""
    costs = _sum_by_aid_type((r["aid_type"], Decimal(r["amount"])) for r in rows.get("costs", ()))
    resources = _sum_by_aid_type(
        (r["aid_type"], Decimal(r["amount"])) for r in rows.get("resources", ())
    )
    problems = []
    for code, label in AID_TYPES.items():
        cost, resource = costs.get(code, ZERO), resources.get(code, ZERO)
        if cost != resource:
            problems.append(
                f"« {label} » : {money(resource)} de ressources pour {money(cost)} de dépenses."
            )
    if not costs:
        problems.append("Le plan révisé ne comporte aucune dépense.")
    return problems


def answer(
    dossier: Dossier, *, actor: User, rows: Mapping[str, Sequence[Mapping[str, Any]]]
) -> DossierVersion:
    """Replace section I by the revised plan, freeze a new version, close the request, tell the
    financers' staff. Raises PlanRevisionRefused (409 nothing asked, 422 unbalanced)."""
    from grants.services.rows import replace_rows
    from grants.services.submission import freeze_version

    request = open_request(dossier.id)
    if request is None:
        raise PlanRevisionRefused(409, "Aucun plan de financement révisé ne vous est demandé.")
    problems = unbalanced(rows)
    if problems:
        raise PlanRevisionRefused(
            422, "Le plan révisé doit être équilibré pour chaque type d'aide.", problems
        )
    replace_rows(dossier, actor=actor, section="financing", rows=rows)
    version = freeze_version(dossier, actor=actor, reason="plan_revision")
    request.state = "answered"
    request.answered_at = utcnow()
    request.version_number = version.number
    event = audit.record(
        "plan_revision.answered",
        actor=actor,
        dossier_id=dossier.id,
        data={"request": request.id, "version": version.number, "sha256": version.payload_sha256},
    )
    db.session.flush()
    context = notice_context(
        dossier,
        "Plan de financement révisé transmis par le porteur",
        absolute_url("instruction.project", dossier_id=dossier.id),
        audience="staff",
        actor=actor,
        message=f"Version {version.number} du dossier figée.",
    )
    send_notice(
        f"audit:{event.id}:staff", "plan_revision.answered", dossier, staff_of(dossier), context
    )
    return version
