"""Versioned configuration (scoring grid, aid formula, financing rules), score cards with their
adjustments, and the amounts each financer's instructors propose."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.models.base import Base, Money, UTCDateTime, check_in, utcnow
from grants.models.choices import AID_TYPES, CONFIG_KINDS

if TYPE_CHECKING:
    from grants.models.user import User


class ConfigVersion(Base):
    """An immutable version of a piece of configuration; the newest active one applies."""

    __tablename__ = "config_versions"
    __table_args__ = (UniqueConstraint("kind", "version"), check_in("kind", CONFIG_KINDS))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    version: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    comment: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ScoreCard(Base):
    """A dossier's score under one grid version: points and a sentence per criterion."""

    __tablename__ = "score_cards"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("config_versions.id"))
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    # [{"code", "label", "points", "max", "explanation"}, ...]
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    total: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    trigger: Mapped[str] = mapped_column(String(40), default="")
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    current: Mapped[bool] = mapped_column(default=True, index=True)

    grid: Mapped[ConfigVersion] = relationship()
    adjustments: Mapped[list[ScoreAdjustment]] = relationship(order_by="ScoreAdjustment.id")


class ScoreAdjustment(Base):
    """An instructor's change to one criterion, never without a written justification."""

    __tablename__ = "score_adjustments"

    id: Mapped[int] = mapped_column(primary_key=True)
    score_card_id: Mapped[int] = mapped_column(ForeignKey("score_cards.id"), index=True)
    criterion: Mapped[str] = mapped_column(String(20))
    points: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    justification: Mapped[str] = mapped_column(Text)
    adjusted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    adjusted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    adjusted_by: Mapped[User] = relationship()


class ProposedAmount(Base):
    """The amount a financer's instructors propose for one aid type of a dossier."""

    __tablename__ = "proposed_amounts"
    __table_args__ = (UniqueConstraint("track_id", "aid_type"), check_in("aid_type", AID_TYPES))

    id: Mapped[int] = mapped_column(primary_key=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("financer_tracks.id"), index=True)
    aid_type: Mapped[str] = mapped_column(String(30))
    amount: Mapped[Decimal] = mapped_column(Money)
    computation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": lock_version}
