"""What an agreement or amendment transition does once its new state is written, in the same
transaction: the work that needs the agreement active or terminated (tranches, reporting periods,
recovery orders, released commitments), then the notifications (outbox rows)."""

from __future__ import annotations

from typing import Any

from grants.links import absolute_url
from grants.models import Agreement, Amendment, AuditEvent, User
from grants.notifications.notices import notice_context, send_notice
from grants.notifications.outbox import promoter_members, staff_of
from grants.workflow.guards import Context


def _agreement(obj: Agreement | Amendment) -> Agreement:
    return obj.agreement if isinstance(obj, Amendment) else obj


def start_payments_and_reporting(
    agreement: Agreement, ctx: Context, event: AuditEvent, transition: Any
) -> None:
    """An agreement in force: its payment tranches and its reporting periods (payments and
    monitoring services)."""
    from grants.services import payments, reporting

    payments.create_tranches(agreement, ctx.actor)
    reporting.schedule_periods(agreement, ctx.actor)


def order_recovery(agreement: Agreement, ctx: Context, event: AuditEvent, transition: Any) -> None:
    from grants.services.agreement_termination import order_recovery_and_release

    order_recovery_and_release(
        agreement, agreement.termination_reason, ctx.data["recovery"], ctx.actor
    )


def _send(
    obj: Agreement | Amendment,
    ctx: Context,
    event: AuditEvent,
    transition: Any,
    audience: str,
    users: list[User],
) -> None:
    agreement = _agreement(obj)
    dossier = agreement.dossier
    label = transition.promoter_label if audience == "promoter" else transition.staff_label
    what = f"{agreement.kind_label} {agreement.reference}"
    if isinstance(obj, Amendment):
        what = f"avenant n° {obj.number} — {what}"
    context = notice_context(
        dossier,
        f"{label} ({what})",
        absolute_url("agreements.detail", agreement_id=agreement.id),
        audience=audience,
        actor=ctx.actor,
        message=str(ctx.data.get("reason") or ""),
    )
    send_notice(
        f"audit:{event.id}:{audience}", event.action, dossier, users, context, actor=ctx.actor
    )


def notify_promoter(obj: Any, ctx: Context, event: AuditEvent, transition: Any) -> None:
    _send(obj, ctx, event, transition, "promoter", promoter_members(_agreement(obj).dossier))


def notify_financer_staff(obj: Any, ctx: Context, event: AuditEvent, transition: Any) -> None:
    agreement = _agreement(obj)
    users = staff_of(agreement.dossier, [agreement.financer_id])
    _send(obj, ctx, event, transition, "staff", users)
