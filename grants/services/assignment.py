"""Who handles a dossier: assignment to a named instructor, followers, and edit presence (the
warning shown when two instructors have the same item open for editing)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from grants.extensions import db
from grants.links import absolute_url
from grants.models import Dossier, DossierFollower, EditPresence, User, UserFinancer
from grants.models.base import utcnow
from grants.models.choices import INSTRUCTION_ROLES
from grants.notifications.notices import notice_context, send_notice
from grants.services import audit

PRESENCE_WINDOW = timedelta(minutes=10)


class AssignmentRefusedError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def assignable_instructors(dossier: Dossier) -> list[User]:
    """Active instructors who see the dossier (one query): the candidates for assignment."""
    ids = [f.id for f in dossier.financers]
    if not ids:
        return []
    scoped = or_(User.role != "dd_instructor", User.departement_code == dossier.departement_code)
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.active.is_(True),
                User.role.in_(INSTRUCTION_ROLES),
                scoped,
                select(UserFinancer.user_id)
                .where(UserFinancer.user_id == User.id, UserFinancer.financer_id.in_(ids))
                .exists(),
            )
            .order_by(User.full_name, User.id)
        )
    )


def assign_dossier(dossier: Dossier, *, actor: User, assignee_id: int | None) -> User | None:
    """Give the dossier to a named instructor (None: nobody); audited, the assignee notified."""
    if actor.role not in INSTRUCTION_ROLES:
        raise AssignmentRefusedError(403, "Seul un instructeur peut attribuer un dossier.")
    assignee = None
    if assignee_id is not None:
        assignee = next((u for u in assignable_instructors(dossier) if u.id == assignee_id), None)
        if assignee is None:
            raise AssignmentRefusedError(422, "Choisissez un instructeur qui a accès à ce dossier.")
    previous = dossier.assigned_instructor_id
    dossier.assigned_instructor_id = assignee.id if assignee else None
    db.session.flush()
    event = audit.record(
        "dossier.assigned",
        actor=actor,
        dossier_id=dossier.id,
        data={"from": previous, "to": dossier.assigned_instructor_id},
    )
    db.session.flush()
    if assignee is not None and assignee.id != actor.id:
        link = absolute_url("instruction.dossier", dossier_id=dossier.id)
        context = notice_context(
            dossier, "Dossier qui vous est attribué", link, audience="staff", actor=actor
        )
        send_notice(f"audit:{event.id}:assigned", "dossier.assigned", dossier, [assignee], context)
    return assignee


def is_following(dossier: Dossier, user: User) -> bool:
    return db.session.get(DossierFollower, (dossier.id, user.id)) is not None


def follow(dossier: Dossier, user: User) -> None:
    if is_following(dossier, user):
        return
    try:
        with db.session.begin_nested():
            db.session.add(DossierFollower(dossier_id=dossier.id, user_id=user.id))
            db.session.flush()
    except IntegrityError:  # a double click: already following
        pass


def unfollow(dossier: Dossier, user: User) -> None:
    db.session.execute(
        delete(DossierFollower).where(
            DossierFollower.dossier_id == dossier.id, DossierFollower.user_id == user.id
        )
    )


def touch_presence(
    dossier_id: int, item: str, user: User, now: datetime | None = None
) -> list[EditPresence]:
    """Record that ``user`` has ``item`` open; return the others' recent presences on it.

    Presences older than the window are deleted on the way (opportunistic cleaning).
    """
    now = now or utcnow()
    cutoff = now - PRESENCE_WINDOW
    db.session.execute(delete(EditPresence).where(EditPresence.seen_at < cutoff))
    mine = db.session.scalar(
        select(EditPresence).where(
            EditPresence.dossier_id == dossier_id,
            EditPresence.item == item,
            EditPresence.user_id == user.id,
        )
    )
    if mine is None:
        try:
            with db.session.begin_nested():
                db.session.add(
                    EditPresence(dossier_id=dossier_id, item=item, user_id=user.id, seen_at=now)
                )
                db.session.flush()
        except IntegrityError:  # the same user opened it twice at once
            pass
    else:
        mine.seen_at = now
        db.session.flush()
    return others_present(dossier_id, item, user, now)


def others_present(
    dossier_id: int, item: str, user: User, now: datetime | None = None
) -> list[EditPresence]:
    cutoff = (now or utcnow()) - PRESENCE_WINDOW
    return list(
        db.session.scalars(
            select(EditPresence)
            .where(
                and_(
                    EditPresence.dossier_id == dossier_id,
                    EditPresence.item == item,
                    EditPresence.user_id != user.id,
                    EditPresence.seen_at >= cutoff,
                )
            )
            .options(joinedload(EditPresence.user))
            .order_by(EditPresence.seen_at)
        )
    )


def leave(dossier_id: int, item: str, user: User) -> None:
    """The user saved or left the item: no more warning for the others."""
    db.session.execute(
        delete(EditPresence).where(
            EditPresence.dossier_id == dossier_id,
            EditPresence.item == item,
            EditPresence.user_id == user.id,
        )
    )
