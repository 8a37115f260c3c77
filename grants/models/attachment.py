"""Pieces: the kinds the dossier may need, the configurable rules that require them, the files."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.models.base import Base, UTCDateTime, check_in, utcnow
from grants.models.choices import ATTACHMENT_STATUSES

if TYPE_CHECKING:
    from grants.models.dossier import Dossier
    from grants.models.instruction import PieceReview
    from grants.models.reference import Financer
    from grants.models.user import User


class PieceKind(Base):
    __tablename__ = "piece_kinds"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    help_text: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


class PieceRequirement(Base):
    """One rule of the requirement table: a piece is required when every non-empty filter matches.

    Empty filters mean "any". ``financer_kinds``/``financer_codes`` scope the piece to the targeted
    financers concerned; with neither, every targeted financer needs it.
    """

    __tablename__ = "piece_requirements"

    id: Mapped[int] = mapped_column(primary_key=True)
    piece_code: Mapped[str] = mapped_column(ForeignKey("piece_kinds.code"), index=True)
    structure_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    aid_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    promoter_categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    financer_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    financer_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    mandatory: Mapped[bool] = mapped_column(default=True)

    piece: Mapped[PieceKind] = relationship(lazy="joined")


class Attachment(Base):
    """An uploaded file. Keys come from UUIDs; the original name is only kept, sanitised."""

    __tablename__ = "attachments"
    __table_args__ = (check_in("status", ATTACHMENT_STATUSES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    piece_code: Mapped[str] = mapped_column(ForeignKey("piece_kinds.code"))
    financer_id: Mapped[int | None] = mapped_column(ForeignKey("financers.id"))
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default="uploaded")
    reason: Mapped[str | None] = mapped_column(Text)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    dossier: Mapped[Dossier] = relationship(back_populates="attachments")
    piece: Mapped[PieceKind] = relationship(lazy="joined")
    financer: Mapped[Financer | None] = relationship()
    uploaded_by: Mapped[User] = relationship()
    reviews: Mapped[list[PieceReview]] = relationship(order_by="PieceReview.id", viewonly=True)
