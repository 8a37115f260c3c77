"""The audit event of each payment step and the notifications it sends (outbox rows written in
the same transaction, delivered after the commit)."""

from __future__ import annotations

from typing import Any

from grants.extensions import db
from grants.links import absolute_url
from grants.models import Agreement, AuditEvent, User
from grants.notifications.outbox import enqueue, promoter_members, staff_of
from grants.services import audit


def record(
    action: str, agreement: Agreement, actor: User | None, data: dict[str, Any]
) -> AuditEvent:
    event = audit.record(
        action,
        stream=f"dossier:{agreement.dossier_id}",
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
    enqueue(
        event_key=f"audit:{event.id}:{audience}",
        event=event.action,
        recipients=[u for u in users if actor is None or u.id != actor.id],
        template="transition",
        subject=f"{label} — {dossier.reference or dossier.title}"[:200],
        context={
            "audience": audience,
            "event_label": label,
            "dossier_title": dossier.title,
            "reference": dossier.reference or "",
            "link": absolute_url("payments.agreement_payments", agreement_id=agreement.id),
            "actor": actor.full_name if actor is not None else "",
            "message": message,
            "due_on": "",
            "items": [],
        },
        dossier=dossier,
    )
