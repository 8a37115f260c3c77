"""Write outbox rows in the caller's transaction; they are dispatched once it commits."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from grants import after_commit
from grants.extensions import db
from grants.models import Dossier, Membership, OutboxMessage, User
from grants.permissions import staff_can_see

PENDING_KEY = "grants_outbox_pending"


def enqueue(
    *,
    event_key: str,
    event: str,
    recipients: Iterable[User],
    template: str,
    subject: str,
    context: dict[str, Any],
    dossier: Dossier | None = None,
    channels: tuple[str, ...] = ("email", "inapp"),
) -> list[OutboxMessage]:
    """One row per recipient and channel. ``event_key`` identifies the occurrence (e.g. the audit
    event id): the unique dedupe key makes a replay of the same occurrence write nothing new."""
    rows = []
    seen: set[int] = set()
    for user in recipients:
        if user.id in seen or not user.active:
            continue
        seen.add(user.id)
        for channel in channels:
            row = OutboxMessage(
                dedupe_key=f"{event_key}:{user.id}:{channel}",
                event=event,
                dossier_id=dossier.id if dossier is not None else None,
                recipient_id=user.id,
                channel=channel,
                template=template,
                subject=subject,
                context=context,
                status="pending",
            )
            db.session.add(row)
            rows.append(row)
    db.session.flush()
    after_commit.defer(PENDING_KEY, *(row.id for row in rows))
    return rows


def promoter_members(dossier: Dossier) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.organisation_id == dossier.organisation_id)
            .order_by(User.id)
        )
    )


def staff_of(dossier: Dossier, financer_ids: Iterable[int] | None = None) -> list[User]:
    """Instructors who see the dossier, optionally only those acting for ``financer_ids``."""
    from grants.models import UserFinancer

    wanted = set(financer_ids) if financer_ids is not None else {f.id for f in dossier.financers}
    if not wanted:
        return []
    candidates = db.session.scalars(
        select(User)
        .join(UserFinancer, UserFinancer.user_id == User.id)
        .where(UserFinancer.financer_id.in_(wanted))
        .distinct()
        .order_by(User.id)
    )
    return [user for user in candidates if staff_can_see(user, dossier)]
