"""Each co-financer's formal decision on its own track (DOMAIN §3.5): outcome, amounts per aid
type, conditions, the decision act and its signatory, and the notification letter kept on the
dossier. A financer that defers decides again later: every decision is kept."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.models.base import Base, Money, UTCDateTime, check_in, utcnow
from grants.models.choices import AID_TYPES, DECISION_OUTCOMES, PLAN_REVISION_STATES

if TYPE_CHECKING:
    from grants.models.dossier import Dossier
    from grants.models.instruction import FinancerTrack
    from grants.models.reference import Financer
    from grants.models.user import User


class FinancerDecision(Base):
    """One decision act of one financer on one dossier."""

    __tablename__ = "financer_decisions"
    __table_args__ = (
        check_in("outcome", DECISION_OUTCOMES),
        CheckConstraint("act_reference <> ''", name="act_reference_given"),
        CheckConstraint("signatory <> ''", name="signatory_given"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("financer_tracks.id"), index=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    financer_id: Mapped[int] = mapped_column(ForeignKey("financers.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(30))
    conditions: Mapped[str] = mapped_column(Text, default="")
    motivation: Mapped[str] = mapped_column(Text, default="")
    act_reference: Mapped[str] = mapped_column(String(120))
    act_date: Mapped[date] = mapped_column(Date)
    signatory: Mapped[str] = mapped_column(String(200))
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The notification letter (PDF), stored like any file and kept on the dossier.
    letter_key: Mapped[str | None] = mapped_column(String(200))
    letter_sha256: Mapped[str | None] = mapped_column(String(64))

    track: Mapped[FinancerTrack] = relationship()
    dossier: Mapped[Dossier] = relationship()
    financer: Mapped[Financer] = relationship()
    decided_by: Mapped[User] = relationship()
    amounts: Mapped[list[DecisionAmount]] = relationship(
        back_populates="decision", order_by="DecisionAmount.id", cascade="all, delete-orphan"
    )

    @property
    def outcome_label(self) -> str:
        return DECISION_OUTCOMES[self.outcome]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.amounts), Decimal("0"))


class DecisionAmount(Base):
    """The amount one decision grants for one aid type."""

    __tablename__ = "decision_amounts"
    __table_args__ = (
        UniqueConstraint("decision_id", "aid_type"),
        check_in("aid_type", AID_TYPES),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("financer_decisions.id"), index=True)
    aid_type: Mapped[str] = mapped_column(String(30))
    amount: Mapped[Decimal] = mapped_column(Money)

    decision: Mapped[FinancerDecision] = relationship(back_populates="amounts")


class PlanRevisionRequest(Base):
    """The promoter is asked for a revised financing plan: granted amounts fall short of the
    plan by more than the configured threshold."""

    __tablename__ = "plan_revision_requests"
    __table_args__ = (
        check_in("state", PLAN_REVISION_STATES),
        CheckConstraint("(state = 'answered') = (answered_at IS NOT NULL)", name="answered_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    gap: Mapped[Decimal] = mapped_column(Money)
    message: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version_number: Mapped[int | None] = mapped_column()  # the frozen version that answered it
