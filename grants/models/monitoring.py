"""Following commitments (DOMAIN §5.2): reporting periods and the reports filed for them, the
register of professionals (arrivals and departures: turnover is computed from it), indicator
values, alerts raised by the automatic checks, and management dialogues."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.models.base import Base, Money, UTCDateTime, check_in, utcnow
from grants.models.choices import (
    ALERT_LEVELS,
    ALERT_STATES,
    PROFESSIONS,
    REPORTING_KINDS,
    REPORTING_STATES,
)

if TYPE_CHECKING:
    from grants.models.agreement import Agreement
    from grants.models.user import User


class ReportingPeriod(Base):
    """A report due under an active agreement: yearly, or half-yearly data for the DD ARS."""

    __tablename__ = "reporting_periods"
    __table_args__ = (
        UniqueConstraint("agreement_id", "kind", "label"),
        check_in("kind", REPORTING_KINDS),
        check_in("state", REPORTING_STATES),
        CheckConstraint("ends_on > starts_on", name="ends_after_start"),
        CheckConstraint(
            "state NOT IN ('submitted', 'validated') OR submitted_at IS NOT NULL",
            name="submitted_at",
        ),
        CheckConstraint("state <> 'returned' OR return_reason <> ''", name="return_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(40))  # "2027", "2027-S1"
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    state: Mapped[str] = mapped_column(String(20), default="due", index=True)
    # What the promoter files (indicator values and register entries are rows of their own).
    rent_m2_year: Mapped[Decimal | None] = mapped_column(Money)
    objectives_due: Mapped[int | None] = mapped_column(Integer)
    objectives_met: Mapped[int | None] = mapped_column(Integer)
    comments: Mapped[str] = mapped_column(Text, default="")
    # [{"storage_key", "name", "sha256"}]
    pieces: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    validated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    validated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    return_reason: Mapped[str] = mapped_column(Text, default="")
    # {"d-15": iso time, "overdue": iso time}: reminders already sent (idempotent beat task).
    reminders: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    overdue_since: Mapped[date | None] = mapped_column(Date)
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    agreement: Mapped[Agreement] = relationship()
    values: Mapped[list[IndicatorValue]] = relationship(
        back_populates="period", order_by="IndicatorValue.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": lock_version}

    @property
    def state_label(self) -> str:
        return REPORTING_STATES[self.state]


class IndicatorValue(Base):
    """The value of one agreement indicator for one period, as filed (or computed)."""

    __tablename__ = "indicator_values"
    __table_args__ = (UniqueConstraint("period_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("reporting_periods.id"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    value: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    computed: Mapped[bool] = mapped_column(default=False)
    comment: Mapped[str] = mapped_column(Text, default="")

    period: Mapped[ReportingPeriod] = relationship(back_populates="values")


class RegisterEntry(Base):
    """A professional of the structure with arrival and departure dates: the membership history
    from which turnover (K1) and new professionals (K2) are computed."""

    __tablename__ = "register_entries"
    __table_args__ = (
        check_in("profession", PROFESSIONS),
        CheckConstraint("left_on IS NULL OR left_on >= arrived_on", name="left_after_arrival"),
        CheckConstraint("etp > 0 AND etp <= 1.5", name="etp_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), index=True)
    last_name: Mapped[str] = mapped_column(String(120))
    first_name: Mapped[str] = mapped_column(String(120))
    profession: Mapped[str] = mapped_column(String(40))
    etp: Mapped[Decimal] = mapped_column(Numeric(4, 2))
    arrived_on: Mapped[date] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)
    newly_installed: Mapped[bool] = mapped_column(default=False)
    # The report that declared the arrival / the departure (None: at signature).
    declared_in_period_id: Mapped[int | None] = mapped_column(ForeignKey("reporting_periods.id"))
    left_in_period_id: Mapped[int | None] = mapped_column(ForeignKey("reporting_periods.id"))


class Alert(Base):
    """What an automatic check (or a monitor) raised on an agreement for a period."""

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("agreement_id", "period_id", "rule"),
        check_in("level", ALERT_LEVELS),
        check_in("state", ALERT_STATES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), index=True)
    period_id: Mapped[int | None] = mapped_column(ForeignKey("reporting_periods.id"))
    rule: Mapped[str] = mapped_column(String(40))  # activity, rent, objectives, indicator:K1…
    level: Mapped[str] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(20), default="open", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    agreement: Mapped[Agreement] = relationship()

    @property
    def level_label(self) -> str:
        return ALERT_LEVELS[self.level]


class ManagementDialogue(Base):
    """A dialogue de gestion opened by the ARS monitor with the structure, and its outcome."""

    __tablename__ = "management_dialogues"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), index=True)
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id"))
    subject: Mapped[str] = mapped_column(String(300))
    notes: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(Text, default="")
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    opened_by: Mapped[User] = relationship()
