"""A notice about a dossier (the ``transition`` email and in-app template): what happened, the
dossier, a link, who did it and an optional message, due date or list of items. Every service that
tells people about a step writes it through ``send_notice``, in the step's own transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from grants.models import Dossier, User
from grants.notifications.outbox import enqueue

TEMPLATE = "transition"


def notice_context(
    dossier: Dossier,
    label: str,
    link: str,
    *,
    audience: str | None = None,
    actor: User | None = None,
    message: str = "",
    due_on: str = "",
    items: Iterable[str] = (),
) -> dict[str, Any]:
    context: dict[str, Any] = {"audience": audience} if audience is not None else {}
    context.update(
        event_label=label,
        dossier_title=dossier.title,
        reference=dossier.reference or "",
        link=link,
        actor=actor.full_name if actor is not None else "",
        message=message,
        due_on=due_on,
        items=list(items),
    )
    return context


def send_notice(
    key: str,
    event: str,
    dossier: Dossier,
    users: Iterable[User],
    context: dict[str, Any],
    *,
    actor: User | None = None,
) -> None:
    """Queue the notice for ``users`` (never to the ``actor`` who did it)."""
    enqueue(
        event_key=key,
        event=event,
        recipients=[u for u in users if actor is None or u.id != actor.id],
        template=TEMPLATE,
        subject=f"{context['event_label']} — {dossier.reference or dossier.title}"[:200],
        context=context,
        dossier=dossier,
    )
