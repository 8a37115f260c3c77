"""People and the promoter organisations they belong to."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.models.base import Base, UTCDateTime, check_in, utcnow
from grants.models.choices import (
    INSTRUCTION_ROLES,
    LEGAL_FORMS,
    MEMBERSHIP_ROLES,
    NOTIFICATION_MODES,
    PROMOTER_CATEGORIES,
    USER_ROLES,
)

if TYPE_CHECKING:
    from grants.models.reference import Financer


class User(UserMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        check_in("role", USER_ROLES),
        check_in("notification_mode", NOTIFICATION_MODES),
        CheckConstraint(
            "role <> 'dd_instructor' OR departement_code IS NOT NULL", name="dd_has_departement"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(160))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(30), default="promoter")
    # Instructors: the financers they act for, and for a délégation départementale its département.
    departement_code: Mapped[str | None] = mapped_column(ForeignKey("departements.code"))
    notification_mode: Mapped[str] = mapped_column(String(20), default="immediate")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    memberships: Mapped[list[Membership]] = relationship(back_populates="user")
    financers: Mapped[list[Financer]] = relationship(secondary="user_financers")

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    @property
    def is_instructor(self) -> bool:
        return self.role in INSTRUCTION_ROLES


class UserFinancer(Base):
    """The financers an instructor, decider or committee member acts for."""

    __tablename__ = "user_financers"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    financer_id: Mapped[int] = mapped_column(ForeignKey("financers.id"), primary_key=True)


class Organisation(Base):
    """A promoter: commune, association of professionals, social landlord…"""

    __tablename__ = "organisations"
    __table_args__ = (
        check_in("category", PROMOTER_CATEGORIES),
        check_in("legal_form", LEGAL_FORMS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    legal_name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(30))
    legal_form: Mapped[str] = mapped_column(String(40))
    siret: Mapped[str] = mapped_column(String(14), index=True)
    representative_name: Mapped[str] = mapped_column(String(160))
    representative_function: Mapped[str] = mapped_column(String(160))
    contact_name: Mapped[str] = mapped_column(String(160))
    contact_email: Mapped[str] = mapped_column(String(254))
    contact_phone: Mapped[str] = mapped_column(String(30))
    address: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(back_populates="organisation")


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("user_id", "organisation_id"),
        check_in("role", MEMBERSHIP_ROLES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    role: Mapped[str] = mapped_column(String(10), default="member")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation] = relationship(back_populates="memberships")


class Invitation(Base):
    """An invitation for a colleague to join an organisation; only the token's hash is stored."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship()
