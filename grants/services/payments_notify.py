"""The audit event of each payment step and the notifications it sends (outbox rows written in
the same transaction, delivered after the commit)."""

from __future__ import annotations

from typing import Any

from grants.extensions import db
from grants.links import absolute_url
from grants.models import Agreement, AuditEvent, User
from grants.notifications.notices import notice_context, send_notice
from grants.notifications.outbox import promoter_members, staff_of
from grants.services import audit


def record(
    action: str, agreement: Agreement, actor: User | None, data: dict[str, Any]
) -> AuditEvent:
    event = audit.record(
        action,
        actor=actor,
        dossier_id=agreement.dossier_id,
        data={"agreement": agreement.id, "financer": agreement.financer.code, **data},
    )
    db.session.flush()
    return event


def notify(
    event: AuditEvent,
    agreement: Agreement,
    actor: User | None,
    label: str,
    message: str,
    *,
    audience: str = "promoter",
) -> None:
    """Tell the promoter's members (or the financer's staff) what happened, with a link to the
    agreement's payments."""
    dossier = agreement.dossier
    if audience == "promoter":
        users = promoter_members(dossier)
    else:
        users = staff_of(dossier, [agreement.financer_id])
    link = absolute_url("payments.agreement_payments", agreement_id=agreement.id)
    context = notice_context(dossier, label, link, audience=audience, actor=actor, message=message)
    send_notice(f"audit:{event.id}:{audience}", event.action, dossier, users, context, actor=actor)
