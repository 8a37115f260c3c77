"""The shared instruction committee (DOMAIN A13): sessions, members and guests, the agenda with
the joint opinion recorded per dossier, the amounts proposed per financer, declared conflicts
of interest, and the minutes (procès-verbal) frozen by a hash once approved."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.models.base import Base, Money, UTCDateTime, check_in, sql_in, utcnow
from grants.models.choices import (
    AID_TYPES,
    ATTENDANCE,
    COMMITTEE_KINDS,
    COMMITTEE_MEMBER_ROLES,
    COMMITTEE_SESSION_STATES,
    MINUTES_STATES,
    RECOMMENDATIONS,
)

if TYPE_CHECKING:
    from grants.models.dossier import Dossier
    from grants.models.job import BackgroundJob
    from grants.models.reference import Financer
    from grants.models.user import User


class CommitteeSession(Base):
    """One sitting of the committee; its agenda is editable until frozen."""

    __tablename__ = "committee_sessions"
    __table_args__ = (
        check_in("kind", COMMITTEE_KINDS),
        check_in("state", COMMITTEE_SESSION_STATES),
        CheckConstraint(
            "(state = 'preparing') = (frozen_at IS NULL)", name="frozen_at_iff_not_preparing"
        ),
        CheckConstraint("place <> '' OR video_link <> ''", name="place_or_link"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="instruction")
    meets_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    place: Mapped[str] = mapped_column(String(300), default="")
    video_link: Mapped[str] = mapped_column(String(500), default="")
    state: Mapped[str] = mapped_column(String(20), default="preparing", index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The committee pack: built in the background once the agenda is frozen.
    pack_job_id: Mapped[int | None] = mapped_column(ForeignKey("background_jobs.id"))
    pack_key: Mapped[str | None] = mapped_column(String(200))
    pack_sha256: Mapped[str | None] = mapped_column(String(64))
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    created_by: Mapped[User] = relationship()
    pack_job: Mapped[BackgroundJob | None] = relationship()
    members: Mapped[list[CommitteeMember]] = relationship(
        back_populates="session", order_by="CommitteeMember.id", cascade="all, delete-orphan"
    )
    items: Mapped[list[CommitteeItem]] = relationship(
        back_populates="session", order_by="CommitteeItem.position", cascade="all, delete-orphan"
    )
    minutes: Mapped[list[CommitteeMinutes]] = relationship(
        back_populates="session", order_by="CommitteeMinutes.version"
    )

    __mapper_args__ = {"version_id_col": lock_version}

    @property
    def state_label(self) -> str:
        return COMMITTEE_SESSION_STATES[self.state]

    @property
    def kind_label(self) -> str:
        return COMMITTEE_KINDS[self.kind]


class CommitteeMember(Base):
    """A member or guest named for a session, with an account or not, and their attendance."""

    __tablename__ = "committee_members"
    __table_args__ = (
        UniqueConstraint("session_id", "user_id"),
        check_in("role", COMMITTEE_MEMBER_ROLES),
        CheckConstraint(f"attendance IS NULL OR {sql_in('attendance', ATTENDANCE)}", name="attend"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("committee_sessions.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    institution: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), default="")
    role: Mapped[str] = mapped_column(String(20), default="member")
    attendance: Mapped[str | None] = mapped_column(String(20))

    session: Mapped[CommitteeSession] = relationship(back_populates="members")
    user: Mapped[User | None] = relationship()

    @property
    def role_label(self) -> str:
        return COMMITTEE_MEMBER_ROLES[self.role]


class CommitteeItem(Base):
    """A dossier on a session's agenda and, once examined, the committee's joint opinion."""

    __tablename__ = "committee_items"
    __table_args__ = (
        UniqueConstraint("session_id", "dossier_id"),
        CheckConstraint(
            f"opinion IS NULL OR {sql_in('opinion', RECOMMENDATIONS)}", name="opinion_known"
        ),
        CheckConstraint("(opinion IS NULL) = (recorded_at IS NULL)", name="recorded_iff_opinion"),
        CheckConstraint(
            "opinion IS NULL OR opinion <> 'deferred' OR deferral_reasons <> ''",
            name="deferral_has_reasons",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("committee_sessions.id"), index=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    # The score when the dossier was put on the agenda (the card stays readable by its id).
    score_card_id: Mapped[int | None] = mapped_column(ForeignKey("score_cards.id"))
    score_total: Mapped[Decimal | None] = mapped_column(Money)
    opinion: Mapped[str | None] = mapped_column(String(40))
    reservations: Mapped[str] = mapped_column(Text, default="")
    deferral_reasons: Mapped[str] = mapped_column(Text, default="")
    discussion: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    session: Mapped[CommitteeSession] = relationship(back_populates="items")
    dossier: Mapped[Dossier] = relationship()
    amounts: Mapped[list[CommitteeItemAmount]] = relationship(
        back_populates="item", order_by="CommitteeItemAmount.id", cascade="all, delete-orphan"
    )
    conflicts: Mapped[list[ConflictOfInterest]] = relationship(
        back_populates="item", order_by="ConflictOfInterest.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": lock_version}

    @property
    def opinion_label(self) -> str:
        return RECOMMENDATIONS[self.opinion] if self.opinion else "Non examiné"


class CommitteeItemAmount(Base):
    """The amount the committee proposes for one financer and aid type (reserved on its envelope
    when the financer has one)."""

    __tablename__ = "committee_item_amounts"
    __table_args__ = (
        UniqueConstraint("item_id", "financer_id", "aid_type"),
        check_in("aid_type", AID_TYPES),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("committee_items.id"), index=True)
    financer_id: Mapped[int] = mapped_column(ForeignKey("financers.id"))
    aid_type: Mapped[str] = mapped_column(String(30))
    amount: Mapped[Decimal] = mapped_column(Money)

    item: Mapped[CommitteeItem] = relationship(back_populates="amounts")
    financer: Mapped[Financer] = relationship()


class ConflictOfInterest(Base):
    """A member's declared conflict on one item: they take no part in it, the minutes say so."""

    __tablename__ = "conflicts_of_interest"
    __table_args__ = (UniqueConstraint("item_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("committee_items.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("committee_members.id"), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[CommitteeItem] = relationship(back_populates="conflicts")
    member: Mapped[CommitteeMember] = relationship()


class CommitteeMinutes(Base):
    """One version of a session's minutes. Approved versions are frozen (content hash); a
    correction is a new version with its reason."""

    __tablename__ = "committee_minutes"
    __table_args__ = (
        UniqueConstraint("session_id", "version"),
        check_in("state", MINUTES_STATES),
        CheckConstraint(
            "(state = 'approved') = (approved_at IS NOT NULL AND sha256 IS NOT NULL)",
            name="approved_is_frozen",
        ),
        CheckConstraint("version = 1 OR correction_reason <> ''", name="correction_has_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("committee_sessions.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20), default="draft")
    # What the PDF was generated from (attendance, items, opinions, amounts, conflicts).
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    correction_reason: Mapped[str] = mapped_column(Text, default="")
    storage_key: Mapped[str | None] = mapped_column(String(200))
    sha256: Mapped[str | None] = mapped_column(String(64))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    session: Mapped[CommitteeSession] = relationship(back_populates="minutes")
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
