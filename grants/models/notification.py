"""The transactional outbox and the in-app notifications it produces."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.models.base import Base, UTCDateTime, check_in, utcnow
from grants.models.choices import OUTBOX_CHANNELS, OUTBOX_STATUSES

if TYPE_CHECKING:
    from grants.models.user import User


class OutboxMessage(Base):
    """One message to deliver to one recipient on one channel, written with the change itself.

    ``dedupe_key`` (event, recipient, channel) is unique: a retried transition or a duplicate
    task can never produce a second message.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        check_in("channel", OUTBOX_CHANNELS),
        check_in("status", OUTBOX_STATUSES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    event: Mapped[str] = mapped_column(String(60))
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id"), index=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    template: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(200))
    context: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    recipient: Mapped[User] = relationship()


class Notification(Base):
    """An in-app notification; at most one per outbox message."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox_messages.id"), unique=True)
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
