"""The engine: the only code that changes the state of a dossier, a financer's track, a granted
financer's agreement (CPOM or convention) or an amendment to it.

``fire`` checks the object's state, the actor's role on that object (403), the compare-and-set
version (409), the guards (422, with their reasons), then runs the actions, writes the state,
appends the audit event and the notifications in the same transaction, and lets automatic
(``system``) transitions follow — e.g. the dossier becomes admissible when its last track is
checked. Nothing is committed here: the caller commits once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm.exc import StaleDataError

from grants.extensions import db
from grants.models import Agreement, Amendment, Dossier, FinancerTrack, User
from grants.models.base import utcnow
from grants.permissions import financer_ids, membership_of, staff_can_see
from grants.services import audit
from grants.workflow.guards import Context
from grants.workflow.table import BY_EVENT, TRANSITIONS, Transition

STALE_MESSAGE = "Ce dossier a été modifié entre-temps : rechargez la page."
NOT_AVAILABLE_MESSAGE = "Cette action n'est pas possible dans l'état actuel du dossier."
MAX_AUTOMATIC_STEPS = 10

Workflowable = Dossier | FinancerTrack | Agreement | Amendment


class TransitionError(Exception):
    """A refused transition; ``status`` is the HTTP status to answer (403, 409, 422)."""

    def __init__(self, status: int, message: str, reasons: list[str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.reasons = reasons or []


@dataclass(frozen=True)
class Available:
    """A transition the actor may fire from the current state, and what still stands in its way."""

    transition: Transition
    reasons: list[str]

    @property
    def ready(self) -> bool:
        return not self.reasons


def machine_of(obj: Workflowable) -> str:
    if isinstance(obj, FinancerTrack):
        return "track"
    if isinstance(obj, Agreement):
        return "agreement"
    if isinstance(obj, Amendment):
        return "amendment"
    return "dossier"


def dossier_of(obj: Workflowable) -> Dossier:
    if isinstance(obj, FinancerTrack | Agreement):
        return obj.dossier
    if isinstance(obj, Amendment):
        return obj.agreement.dossier
    return obj


def financer_id_of(obj: Workflowable) -> int | None:
    """The financer a track, an agreement or an amendment belongs to (None: the dossier)."""
    if isinstance(obj, FinancerTrack | Agreement):
        return obj.financer_id
    if isinstance(obj, Amendment):
        return obj.agreement.financer_id
    return None


def actor_roles(obj: Workflowable, actor: User | None) -> frozenset[str]:
    """The roles ``actor`` holds on this very object (empty when it may not act on it)."""
    if actor is None:
        return frozenset({"system"})
    dossier = dossier_of(obj)
    roles: set[str] = set()
    membership = membership_of(actor, dossier.organisation_id)
    if membership is not None:
        roles.add("promoter_member")
        if membership.role == "owner":
            roles.add("promoter_owner")
    financer_id = financer_id_of(obj)
    if staff_can_see(actor, dossier) and (
        financer_id is None or financer_id in financer_ids(actor)
    ):
        roles.add(actor.role)
    return frozenset(roles)


def transition(obj: Workflowable, event: str) -> Transition:
    try:
        return BY_EVENT[(machine_of(obj), event)]
    except KeyError as exc:
        raise TransitionError(422, NOT_AVAILABLE_MESSAGE) from exc


def check(
    obj: Workflowable,
    event: str,
    actor: User | None,
    data: dict[str, Any] | None = None,
    expected_version: int | None = None,
) -> Context:
    """Raise TransitionError if ``actor`` may not fire ``event`` now; return the context."""
    t = transition(obj, event)
    ctx = Context(actor=actor, now=utcnow(), data=dict(data or {}))
    stale = expected_version is not None and expected_version != getattr(obj, "lock_version", None)
    if obj.state not in t.sources:
        raise TransitionError(
            409 if stale else 422, STALE_MESSAGE if stale else NOT_AVAILABLE_MESSAGE
        )
    if not (actor_roles(obj, actor) & t.roles):
        raise TransitionError(403, t.forbidden_message)
    if stale:
        raise TransitionError(409, STALE_MESSAGE)
    reasons = [reason for guard in t.guards for reason in guard(obj, ctx)]
    if reasons:
        raise TransitionError(422, "Cette action n'est pas encore possible.", reasons)
    return ctx


def can(
    obj: Workflowable, event: str, actor: User | None, data: dict[str, Any] | None = None
) -> bool:
    try:
        check(obj, event, actor, data)
    except TransitionError:
        return False
    return True


def available_transitions(obj: Workflowable, actor: User | None) -> list[Available]:
    """What ``actor`` could fire from the current state, with the reasons not yet met.

    Transitions with a form are listed with no reasons: their guards read the form's data.
    """
    roles = actor_roles(obj, actor)
    result = []
    for t in TRANSITIONS:
        if t.machine != machine_of(obj) or t.automatic or obj.state not in t.sources:
            continue
        if not roles & t.roles:
            continue
        ctx = Context(actor=actor, now=utcnow())
        reasons = [] if t.form else [r for guard in t.guards for r in guard(obj, ctx)]
        result.append(Available(t, reasons))
    return result


def fire(
    obj: Workflowable,
    event: str,
    actor: User | None,
    *,
    data: dict[str, Any] | None = None,
    expected_version: int | None = None,
) -> Workflowable:
    """Fire ``event`` on ``obj`` for ``actor`` (None: the system); see the module docstring."""
    ctx = check(obj, event, actor, data, expected_version)
    _apply(obj, transition(obj, event), ctx)
    advance(dossier_of(obj))
    return obj


def advance(dossier: Dossier) -> None:
    """Fire the automatic transitions whose guards now pass, until none does."""
    for _ in range(MAX_AUTOMATIC_STEPS):
        for t in TRANSITIONS:
            if t.machine == "dossier" and t.automatic and dossier.state in t.sources:
                ctx = Context(actor=None, now=utcnow())
                if not any(guard(dossier, ctx) for guard in t.guards):
                    _apply(dossier, t, ctx)
                    break
        else:
            return


def _apply(obj: Workflowable, t: Transition, ctx: Context) -> None:
    source = obj.state
    target = t.target or _computed_target(obj)
    for action in t.actions:
        action(obj, ctx)
    obj.state = target
    if not isinstance(obj, Dossier):
        # Touch the dossier too: its version then serialises concurrent track (or agreement)
        # transitions, so two financers completing their checklists (or countersigning) at once
        # cannot both miss being the last.
        dossier_of(obj).updated_at = ctx.now
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise TransitionError(409, STALE_MESSAGE) from exc
    dossier = dossier_of(obj)
    event = audit.record(
        f"{t.machine}.{t.event}",
        actor=ctx.actor,
        dossier_id=dossier.id,
        data={
            "from": source,
            "to": target,
            **({"financer": obj.financer.code} if isinstance(obj, FinancerTrack) else {}),
            **_agreement_audit(obj),
            **ctx.audit,
        },
    )
    db.session.flush()
    for effect in t.effects:
        effect(obj, ctx, event, t)


def _agreement_audit(obj: Workflowable) -> dict[str, Any]:
    if isinstance(obj, Agreement):
        return {"agreement": obj.id, "reference": obj.reference, "financer": obj.financer.code}
    if isinstance(obj, Amendment):
        agreement = obj.agreement
        return {"agreement": agreement.id, "amendment": obj.id, "number": obj.number}
    return {}


def _computed_target(obj: Workflowable) -> str:
    if isinstance(obj, Dossier) and obj.held_from_state:
        return obj.held_from_state
    raise TransitionError(422, NOT_AVAILABLE_MESSAGE)
