"""Payment tranches of an agreement, payment requests (checked → approved → paid, each paid one
a movement on the envelope) and recovery orders when commitments are broken."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.models.base import Base, Money, UTCDateTime, check_in, utcnow
from grants.models.choices import PAYMENT_REQUEST_STATES, RECOVERY_STATES, TRANCHE_KINDS

if TYPE_CHECKING:
    from grants.models.agreement import Agreement


class PaymentTranche(Base):
    """A planned tranche: its share of the granted amount and the evidence it requires."""

    __tablename__ = "payment_tranches"
    __table_args__ = (
        check_in("kind", TRANCHE_KINDS),
        CheckConstraint("share > 0 AND share <= 1", name="share_range"),
        CheckConstraint("NOT suspended OR suspension_reason <> ''", name="suspension_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    share: Mapped[Decimal] = mapped_column(Numeric(5, 4))
    amount: Mapped[Decimal] = mapped_column(Money)
    planned_on: Mapped[date | None] = mapped_column(Date)
    # ["rib", "start_order", ...]: codes with their French labels in the tranche configuration.
    evidence: Mapped[list[str]] = mapped_column(JSON, default=list)
    suspended: Mapped[bool] = mapped_column(default=False)
    suspension_reason: Mapped[str] = mapped_column(Text, default="")

    agreement: Mapped[Agreement] = relationship()
    requests: Mapped[list[PaymentRequest]] = relationship(
        back_populates="tranche", order_by="PaymentRequest.id"
    )

    @property
    def kind_label(self) -> str:
        return TRANCHE_KINDS[self.kind]


class PaymentRequest(Base):
    """A request for one tranche: requested by the promoter (with evidence), checked by the
    instructor, approved by the decider, then paid (a ``paid`` movement on the envelope)."""

    __tablename__ = "payment_requests"
    __table_args__ = (
        check_in("state", PAYMENT_REQUEST_STATES),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("(state = 'paid') = (paid_at IS NOT NULL)", name="paid_at_iff_paid"),
        CheckConstraint("state <> 'rejected' OR rejection_reason <> ''", name="rejection_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), index=True)
    tranche_id: Mapped[int] = mapped_column(ForeignKey("payment_tranches.id"), index=True)
    state: Mapped[str] = mapped_column(String(20), default="requested", index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    # Actual eligible costs declared with the request (pro-rata rule of DOMAIN §3.7).
    actual_eligible_cost: Mapped[Decimal | None] = mapped_column(Money)
    # [{"code": ..., "storage_key": ..., "name": ..., "sha256": ...}]
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    movement_id: Mapped[int | None] = mapped_column(ForeignKey("envelope_movements.id"))
    rejection_reason: Mapped[str] = mapped_column(Text, default="")
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    tranche: Mapped[PaymentTranche] = relationship(back_populates="requests")
    agreement: Mapped[Agreement] = relationship()

    __mapper_args__ = {"version_id_col": lock_version}

    @property
    def state_label(self) -> str:
        return PAYMENT_REQUEST_STATES[self.state]


class RecoveryOrder(Base):
    """An order to pay money back (titre de recette) when commitments are broken."""

    __tablename__ = "recovery_orders"
    __table_args__ = (
        check_in("state", RECOVERY_STATES),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("reason <> ''", name="reason_given"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    reason: Mapped[str] = mapped_column(Text)
    computation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(20), default="ordered")
    ordered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    ordered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recovered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    movement_id: Mapped[int | None] = mapped_column(ForeignKey("envelope_movements.id"))

    agreement: Mapped[Agreement] = relationship()
