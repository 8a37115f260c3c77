"""Notifications a transition sends: outbox rows written in the transition's transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from grants.links import absolute_url
from grants.models import AuditEvent, Dossier, FinancerTrack, User
from grants.notifications.notices import notice_context, send_notice
from grants.notifications.outbox import promoter_members, staff_of
from grants.workflow.guards import Context

Effect = Callable[[Any, Context, AuditEvent, "Transition"], None]  # type: ignore[name-defined]  # noqa: F821


def _dossier(obj: Dossier | FinancerTrack) -> Dossier:
    return obj.dossier if isinstance(obj, FinancerTrack) else obj


def _context(dossier: Dossier, ctx: Context, transition: Any, audience: str) -> dict[str, Any]:
    label = transition.promoter_label if audience == "promoter" else transition.staff_label
    if audience == "promoter":
        link = absolute_url("promoter.dossier", dossier_id=dossier.id)
    else:
        link = absolute_url("instruction.dossier", dossier_id=dossier.id)
    return notice_context(
        dossier,
        label,
        link,
        audience=audience,
        actor=ctx.actor,
        message=str(ctx.data.get("message") or ctx.data.get("reason") or ""),
        due_on=ctx.audit.get("due_on", ""),
        items=[item.get("label", "") for item in ctx.data.get("items", [])],
    )


def _send(
    obj: Any, ctx: Context, event: AuditEvent, transition: Any, audience: str, users: list[User]
) -> None:
    dossier = _dossier(obj)
    context = _context(dossier, ctx, transition, audience)
    send_notice(
        f"audit:{event.id}:{audience}", event.action, dossier, users, context, actor=ctx.actor
    )


def notify_promoter(obj: Any, ctx: Context, event: AuditEvent, transition: Any) -> None:
    _send(obj, ctx, event, transition, "promoter", promoter_members(_dossier(obj)))


def notify_staff(obj: Any, ctx: Context, event: AuditEvent, transition: Any) -> None:
    _send(obj, ctx, event, transition, "staff", staff_of(_dossier(obj)))


def notify_track_staff(obj: Any, ctx: Context, event: AuditEvent, transition: Any) -> None:
    dossier = _dossier(obj)
    financer_ids = [obj.financer_id] if isinstance(obj, FinancerTrack) else None
    _send(obj, ctx, event, transition, "staff", staff_of(dossier, financer_ids))


def notify_requesters(obj: Any, ctx: Context, event: AuditEvent, transition: Any) -> None:
    """The instructors of the financers whose requests the promoter just answered."""
    dossier = _dossier(obj)
    answered = set(ctx.audit.get("answered_requests", []))
    financer_ids = {
        r.financer_id for r in dossier.document_requests if r.id in answered and r.financer_id
    }
    users = staff_of(dossier, financer_ids or None)
    _send(obj, ctx, event, transition, "staff", users)


def schedule_score(obj: Any, ctx: Context, event: AuditEvent, transition: Any) -> None:
    """Score the dossier again once the transition commits (filing, answering a request)."""
    from grants.services.scoring import schedule_scoring

    schedule_scoring(_dossier(obj).id, transition.event)
