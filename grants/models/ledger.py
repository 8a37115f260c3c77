"""Envelopes and their append-only ledger of movements.

Running totals live on the envelope row and only move through guarded UPDATEs
(``SET reserved = reserved + :x WHERE reserved + committed + :x <= amount``), backed by CHECK
constraints: an envelope can never be over-committed, whatever the concurrency.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.models.base import Base, Money, UTCDateTime, check_in, utcnow
from grants.models.choices import MOVEMENT_KINDS

if TYPE_CHECKING:
    from grants.models.reference import Financer


class Envelope(Base):
    __tablename__ = "envelopes"
    __table_args__ = (
        CheckConstraint("amount >= 0", name="amount_positive"),
        CheckConstraint("reserved >= 0 AND committed >= 0 AND paid >= 0", name="totals_positive"),
        CheckConstraint("reserved + committed <= amount", name="never_over_committed"),
        CheckConstraint("paid <= committed", name="paid_within_committed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    financer_id: Mapped[int] = mapped_column(ForeignKey("financers.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    opens_on: Mapped[date] = mapped_column(Date)
    evaluation_due_on: Mapped[date | None] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    reserved: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    committed: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    paid: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))

    financer: Mapped[Financer] = relationship()

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.reserved - self.committed


class EnvelopeMovement(Base):
    """One movement; ``released_from`` says if a release frees a reservation or a commitment."""

    __tablename__ = "envelope_movements"
    __table_args__ = (
        check_in("kind", MOVEMENT_KINDS),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint(
            "(kind = 'released') = (released_from IS NOT NULL)", name="release_names_its_source"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    envelope_id: Mapped[int] = mapped_column(ForeignKey("envelopes.id"), index=True)
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    released_from: Mapped[str | None] = mapped_column(String(20))
    amount: Mapped[Decimal] = mapped_column(Money)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
