"""Reminders of open requests for documents: seven days and one day before the due date, then
once overdue (DOMAIN T3). ``send_due_reminders`` is the periodic job's whole logic: the worker's
beat schedule (and ``grants reminders``) call it, then commit.

Each (request, kind) is sent at most once: the kinds already sent are kept in
``DocumentRequest.reminded_at`` and the outbox dedupe key is built from them, so running the job
twice, or two workers at once, never writes a second reminder.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from grants.extensions import db
from grants.links import absolute_url
from grants.models import DocumentRequest, Dossier
from grants.notifications.outbox import enqueue, promoter_members
from grants.services import audit
from grants.services.document_requests import paris_today
from grants.templating import french_date

# (kind, the most days left for which it applies): the most urgent applicable kind is sent.
REMINDER_KINDS: tuple[tuple[str, int], ...] = (("overdue", -1), ("d1", 1), ("d7", 7))
SUBJECTS = {
    "d7": "Rappel : réponse attendue dans 7 jours",
    "d1": "Rappel : réponse attendue demain",
    "overdue": "Date limite dépassée : votre réponse est attendue",
}


def reminder_kind(due_on: date, today: date) -> str | None:
    days_left = (due_on - today).days
    for kind, most in REMINDER_KINDS:
        if days_left <= most:
            return kind
    return None


def send_due_reminders(now: datetime) -> int:
    """Enqueue the reminders due at ``now`` (email + in-app to the promoter's members).

    Returns how many (request, kind) reminders were written. Flushes; the caller commits.
    """
    today = paris_today(now)
    sent = 0
    requests = db.session.scalars(
        select(DocumentRequest)
        .join(Dossier, Dossier.id == DocumentRequest.dossier_id)
        .where(DocumentRequest.state == "open", Dossier.state == "awaiting_documents")
        .options(selectinload(DocumentRequest.financer))
        .order_by(DocumentRequest.id)
    ).all()
    for document_request in requests:
        kind = reminder_kind(document_request.due_on, today)
        if kind is None or kind in (document_request.reminded_at or {}):
            continue
        try:
            with db.session.begin_nested():
                _remind(document_request, kind, now)
        except IntegrityError:  # another run wrote it first: nothing more to do
            continue
        sent += 1
    return sent


def _remind(document_request: DocumentRequest, kind: str, now: datetime) -> None:
    dossier = db.session.get(Dossier, document_request.dossier_id)
    assert dossier is not None
    due_label = french_date(document_request.due_on)
    subject = f"{SUBJECTS[kind]} — {dossier.reference or dossier.title}"
    enqueue(
        event_key=f"reminder:{document_request.id}:{kind}",
        event="document_request.reminder",
        recipients=promoter_members(dossier),
        template="reminder",
        subject=subject[:200],
        context={
            "audience": "promoter",
            "event_label": SUBJECTS[kind],
            "kind": kind,
            "dossier_title": dossier.title,
            "reference": dossier.reference or "",
            "link": absolute_url("promoter.respond", dossier_id=dossier.id),
            "actor": "",
            "message": document_request.message or "",
            "due_on": document_request.due_on.isoformat(),
            "due_on_label": due_label,
            "financer": document_request.financer.name if document_request.financer else "",
            "items": [str(item.get("label", "")) for item in document_request.items or []],
        },
        dossier=dossier,
    )
    document_request.reminded_at = {**(document_request.reminded_at or {}), kind: now.isoformat()}
    audit.record(
        "document_request.reminded",
        actor=None,
        dossier_id=dossier.id,
        data={"request_id": document_request.id, "kind": kind, "due_on": due_label},
    )
    db.session.flush()
