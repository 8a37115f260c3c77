"""Agreements with granted financers (DOMAIN §3.7, §5): the ARS's CPOM and the other financers'
conventions, their versions (each edit, each amendment) with the generated documents and their
hashes, the indicators with baselines and yearly targets, and the signatures."""

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

from grants.models.base import Base, Money, UTCDateTime, check_in, sql_in, utcnow
from grants.models.choices import (
    AGREEMENT_KINDS,
    AGREEMENT_STATES,
    AMENDMENT_STATES,
    SIGNATURE_METHODS,
)

if TYPE_CHECKING:
    from grants.models.decision import FinancerDecision
    from grants.models.dossier import Dossier
    from grants.models.instruction import FinancerTrack
    from grants.models.reference import Financer
    from grants.models.user import User

_SIGNED = sql_in("state", ["signed_by_promoter", "active", "ended", "terminated"])
_COUNTERSIGNED = sql_in("state", ["active", "ended", "terminated"])


class Agreement(Base):
    """One agreement per granted financer track: a CPOM for the ARS, a convention otherwise."""

    __tablename__ = "agreements"
    __table_args__ = (
        UniqueConstraint("track_id"),
        UniqueConstraint("reference"),
        check_in("kind", AGREEMENT_KINDS),
        check_in("state", AGREEMENT_STATES),
        CheckConstraint("ends_on > starts_on", name="ends_after_start"),
        CheckConstraint(
            f"promoter_signed_at IS NOT NULL OR NOT ({_SIGNED})", name="signed_by_promoter"
        ),
        CheckConstraint(
            f"countersigned_at IS NOT NULL OR NOT ({_COUNTERSIGNED})", name="countersigned"
        ),
        CheckConstraint(
            "promoter_signature_method IS NULL OR "
            + sql_in("promoter_signature_method", SIGNATURE_METHODS),
            name="signature_method",
        ),
        CheckConstraint(
            "state <> 'terminated' OR termination_reason <> ''", name="termination_has_reason"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40))
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("financer_tracks.id"))
    financer_id: Mapped[int] = mapped_column(ForeignKey("financers.id"), index=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("financer_decisions.id"))
    kind: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(30), default="drafted", index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    # Negotiable commitments of the structure (article 4 of the CPOM outline).
    min_physicians: Mapped[int | None] = mapped_column(Integer)
    min_physician_etp: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    rent_ceiling_m2_year: Mapped[Decimal | None] = mapped_column(Money)
    commitments_survive_years: Mapped[int | None] = mapped_column(Integer)
    specific_clauses: Mapped[str] = mapped_column(Text, default="")
    financer_signatory: Mapped[str] = mapped_column(String(200), default="")
    promoter_signatory: Mapped[str] = mapped_column(String(200), default="")
    # Signatures: the promoter's (a signed copy uploaded, or a typed name confirmed in the app,
    # with time and IP), then the financer's countersignature, which makes it active.
    promoter_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    promoter_signature_method: Mapped[str | None] = mapped_column(String(20))
    promoter_signed_name: Mapped[str | None] = mapped_column(String(200))
    promoter_signed_ip: Mapped[str | None] = mapped_column(String(64))
    promoter_signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_copy_key: Mapped[str | None] = mapped_column(String(200))
    signed_copy_sha256: Mapped[str | None] = mapped_column(String(64))
    countersigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    countersigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    terminated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    termination_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    dossier: Mapped[Dossier] = relationship()
    track: Mapped[FinancerTrack] = relationship()
    financer: Mapped[Financer] = relationship()
    decision: Mapped[FinancerDecision] = relationship()
    versions: Mapped[list[AgreementVersion]] = relationship(
        back_populates="agreement", order_by="AgreementVersion.number"
    )
    indicators: Mapped[list[AgreementIndicator]] = relationship(
        back_populates="agreement",
        order_by="AgreementIndicator.position",
        cascade="all, delete-orphan",
    )
    amendments: Mapped[list[Amendment]] = relationship(
        back_populates="agreement", order_by="Amendment.number"
    )

    __mapper_args__ = {"version_id_col": lock_version}

    @property
    def state_label(self) -> str:
        return AGREEMENT_STATES[self.state]

    @property
    def kind_label(self) -> str:
        return AGREEMENT_KINDS[self.kind]


class AgreementVersion(Base):
    """An immutable version of an agreement's document: every edit and every amendment makes
    one; the PDF and the DOCX come from the same ``data`` and are stored with their hashes."""

    __tablename__ = "agreement_versions"
    __table_args__ = (UniqueConstraint("agreement_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")
    amendment_id: Mapped[int | None] = mapped_column(ForeignKey("amendments.id"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    data_sha256: Mapped[str] = mapped_column(String(64))
    pdf_key: Mapped[str | None] = mapped_column(String(200))
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    docx_key: Mapped[str | None] = mapped_column(String(200))
    docx_sha256: Mapped[str | None] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agreement: Mapped[Agreement] = relationship(back_populates="versions")
    created_by: Mapped[User | None] = relationship()


class AgreementIndicator(Base):
    """An objective's indicator (DOMAIN §5.3 catalogue) with its baseline and yearly targets."""

    __tablename__ = "agreement_indicators"
    __table_args__ = (
        UniqueConstraint("agreement_id", "code"),
        CheckConstraint("direction IN ('at_least', 'at_most')", name="direction_allowed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    code: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(40), default="")
    direction: Mapped[str] = mapped_column(String(10), default="at_least")
    baseline: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    # {"2027": "4", "2028": "5", ...}: one target per calendar year of the agreement.
    targets: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    source: Mapped[str] = mapped_column(String(200), default="")

    agreement: Mapped[Agreement] = relationship(back_populates="indicators")


class Amendment(Base):
    """An avenant: follows the agreement's signature path and ends as a new version."""

    __tablename__ = "amendments"
    __table_args__ = (
        UniqueConstraint("agreement_id", "number"),
        check_in("state", AMENDMENT_STATES),
        CheckConstraint("reason <> ''", name="reason_given"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    # What the amendment changes, applied to the agreement when it becomes active.
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(30), default="drafted")
    promoter_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    promoter_signature_method: Mapped[str | None] = mapped_column(String(20))
    promoter_signed_name: Mapped[str | None] = mapped_column(String(200))
    promoter_signed_ip: Mapped[str | None] = mapped_column(String(64))
    signed_copy_key: Mapped[str | None] = mapped_column(String(200))
    countersigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    countersigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agreement: Mapped[Agreement] = relationship(back_populates="amendments")
