"""Instruction across co-financers: one track per targeted financer, piece reviews, requests for
documents, private annotations, opinions, followers and edit presence."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.models.base import Base, UTCDateTime, check_in, utcnow
from grants.models.choices import (
    DECIDED_TRACK_STATES,
    DOCUMENT_REQUEST_STATES,
    OPINION_SOURCES,
    PIECE_REVIEW_STATUSES,
    RECOMMENDATIONS,
    TRACK_STATES,
)

if TYPE_CHECKING:
    from grants.models.dossier import Dossier
    from grants.models.reference import Financer
    from grants.models.user import User

_DECIDED = ", ".join(f"'{s}'" for s in sorted(DECIDED_TRACK_STATES))


class FinancerTrack(Base):
    """One co-financer's own instruction of a dossier (DOMAIN §3.5)."""

    __tablename__ = "financer_tracks"
    __table_args__ = (
        UniqueConstraint("dossier_id", "financer_id"),
        check_in("state", TRACK_STATES),
        CheckConstraint(
            f"(state IN ({_DECIDED})) = (decided_at IS NOT NULL)", name="decided_at_iff_decided"
        ),
        CheckConstraint(
            "state = 'checking' OR checklist_completed_at IS NOT NULL OR state = 'not_concerned'",
            name="checked_before_instruction",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    financer_id: Mapped[int] = mapped_column(ForeignKey("financers.id"), index=True)
    state: Mapped[str] = mapped_column(String(30), default="checking", index=True)
    lock_version: Mapped[int] = mapped_column(Integer, default=1)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    checklist_completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    dossier: Mapped[Dossier] = relationship(back_populates="tracks")
    financer: Mapped[Financer] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": lock_version}

    @property
    def state_label(self) -> str:
        return TRACK_STATES[self.state]


class PieceReview(Base):
    """A financer's verdict on one uploaded piece."""

    __tablename__ = "piece_reviews"
    __table_args__ = (
        UniqueConstraint("attachment_id", "financer_id"),
        check_in("status", PIECE_REVIEW_STATUSES),
        CheckConstraint("status <> 'rejected' OR reason IS NOT NULL", name="rejection_has_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachments.id"), index=True)
    financer_id: Mapped[int] = mapped_column(ForeignKey("financers.id"))
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    reviewed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    reviewed_by: Mapped[User] = relationship()


class DocumentRequest(Base):
    """A request for documents or clarifications: listed items, a due date, the clock paused."""

    __tablename__ = "document_requests"
    __table_args__ = (
        check_in("state", DOCUMENT_REQUEST_STATES),
        CheckConstraint("(state = 'answered') = (answered_at IS NOT NULL)", name="answered_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    financer_id: Mapped[int | None] = mapped_column(ForeignKey("financers.id"))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # [{"kind": "section" | "piece", "code": ..., "label": ..., "reason": ...}, ...]
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    message: Mapped[str] = mapped_column(Text, default="")
    due_on: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(20), default="open", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)

    requested_by: Mapped[User] = relationship()
    financer: Mapped[Financer | None] = relationship()


class Annotation(Base):
    """A financer's private note on a dossier; shared ones are visible to the other financers."""

    __tablename__ = "annotations"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    financer_id: Mapped[int] = mapped_column(ForeignKey("financers.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    shared: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    author: Mapped[User] = relationship()
    financer: Mapped[Financer] = relationship()

    __mapper_args__ = {"version_id_col": lock_version}


class Opinion(Base):
    """An opinion (avis) from the DD ARS, the URPS or a co-financer, with its recommendation."""

    __tablename__ = "opinions"
    __table_args__ = (
        check_in("source", OPINION_SOURCES),
        check_in("recommendation", RECOMMENDATIONS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    financer_id: Mapped[int | None] = mapped_column(ForeignKey("financers.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    source: Mapped[str] = mapped_column(String(20))
    recommendation: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User] = relationship()
    financer: Mapped[Financer | None] = relationship()


class DossierFollower(Base):
    """An instructor following a dossier (the "suivis" tab of the work list)."""

    __tablename__ = "dossier_followers"

    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EditPresence(Base):
    """Who has an item of a dossier open for editing, to warn a second instructor."""

    __tablename__ = "edit_presences"
    __table_args__ = (UniqueConstraint("dossier_id", "item", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    item: Mapped[str] = mapped_column(String(80))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
