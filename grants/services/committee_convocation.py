"""The convocation sent when a session's agenda is frozen.

Members and guests with an account get it through the notification outbox (email and in-app,
written in the freezing transaction, delivered after its commit). People named without an account
but with an email address get the same email sent directly by ``grants.mail`` once the transaction
has committed (best effort: a failure is logged, the secretary can forward the convocation by
hand; the audit event lists who was convoked and how). People with neither get nothing.
"""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import Any

from grants import after_commit
from grants.links import absolute_url
from grants.models import CommitteeSession, User
from grants.notifications.outbox import enqueue
from grants.templating import french_date

log = logging.getLogger("grants.committee")

TEMPLATE = "convocation"
PENDING_KEY = "grants_committee_mail"


def context_of(session: CommitteeSession, actor: User | None) -> dict[str, Any]:
    """What the convocation says (JSON: it is stored on the outbox rows)."""
    when = french_date(session.meets_at)
    where = session.place or "visioconférence"
    count = len(session.items)
    return {
        "session_title": session.title,
        "kind_label": session.kind_label,
        "when": when,
        "place": session.place,
        "video_link": session.video_link,
        "agenda": [
            {
                "position": item.position,
                "reference": item.dossier.reference or "",
                "title": item.dossier.title,
                "organisation": item.dossier.organisation.legal_name,
            }
            for item in session.items
        ],
        "actor": actor.full_name if actor is not None else "",
        "message": (
            f"Séance du {when} (heure de Paris) — {where}. "
            f"{count} dossier{'s' if count > 1 else ''} à l'ordre du jour."
        ),
        "link": absolute_url("committee.session", session_id=session.id),
    }


def send_convocation(session: CommitteeSession, actor: User | None) -> list[dict[str, str]]:
    """Queue the convocation for everyone named; return who gets it and through which way."""
    context = context_of(session, actor)
    subject = f"Convocation — {session.title} du {context['when']}"[:200]
    users = [m.user for m in session.members if m.user is not None]
    enqueue(
        event_key=f"committee:{session.id}:convocation",
        event="committee.convocation",
        recipients=users,
        template=TEMPLATE,
        subject=subject,
        context=context,
    )
    sent = [{"name": m.full_name, "way": "compte"} for m in session.members if m.user is not None]
    for member in session.members:
        if member.user is None and member.email:
            _queue_direct(member.email, member.full_name, subject, {**context, "link": ""})
            sent.append({"name": member.full_name, "way": "courriel"})
    return sent


def _queue_direct(to: str, name: str, subject: str, context: dict[str, Any]) -> None:
    after_commit.defer(PENDING_KEY, (to, name, subject, context))


def send_direct(pending: list[tuple[str, str, str, dict[str, Any]]]) -> None:
    """Email people who have no account, once the freeze has committed."""
    from grants import mail

    for to, name, subject, context in pending:
        try:
            recipient = SimpleNamespace(full_name=name)
            mail.send_template(to, subject, TEMPLATE, recipient=recipient, **context)
        except Exception:  # the freeze is committed; the secretary can forward it by hand
            log.exception("convocation to a guest without an account could not be sent")


after_commit.register(PENDING_KEY, send_direct)
