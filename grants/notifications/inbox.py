"""In-app notifications of one user: list, unread count, mark read; and their preference."""

from __future__ import annotations

from sqlalchemy import func, select, update

from grants.extensions import db
from grants.models import Notification, User
from grants.models.base import utcnow

PAGE_SIZE = 100


def latest(user: User, limit: int = PAGE_SIZE) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def unread_count(user_id: int) -> int:
    query = select(func.count(Notification.id)).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )
    return db.session.scalar(query) or 0


def mark_read(user: User, notification_id: int | None = None) -> int:
    """Mark one (or every) unread notification of ``user`` read; returns how many changed."""
    query = update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    result = db.session.execute(query.values(read_at=utcnow()))
    db.session.flush()
    return result.rowcount or 0


def set_mode(user: User, mode: str) -> None:
    user.notification_mode = mode
    db.session.flush()
