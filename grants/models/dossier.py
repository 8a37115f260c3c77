"""The single dossier and its immutable, numbered snapshots."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.models.base import Base, UTCDateTime, check_in, utcnow
from grants.models.choices import DOSSIER_STATES
from grants.models.dossier_sections import (
    CommitmentsSection,
    FeasibilitySection,
    HealthProjectSection,
    IdentitySection,
    OwnerSection,
    RealEstateSection,
    TerritorySection,
)

if TYPE_CHECKING:
    from grants.models.attachment import Attachment
    from grants.models.committee import CommitteeItem
    from grants.models.instruction import DocumentRequest, FinancerTrack, Opinion
    from grants.models.reference import Financer
    from grants.models.rows import (
        CostLine,
        DossierCommune,
        HealthObjective,
        OperatingLine,
        Professional,
        ResourceLine,
    )
    from grants.models.user import Organisation, User


class Dossier(
    IdentitySection,
    OwnerSection,
    TerritorySection,
    HealthProjectSection,
    FeasibilitySection,
    RealEstateSection,
    CommitmentsSection,
    Base,
):
    __tablename__ = "dossiers"
    __table_args__ = (
        check_in("state", DOSSIER_STATES),
        # A dossier that left the draft state has a reference and a submission time.
        CheckConstraint(
            "state = 'draft' OR (reference IS NOT NULL AND submitted_at IS NOT NULL)",
            name="submitted_has_reference",
        ),
        CheckConstraint(
            "(state = 'on_hold') = (held_from_state IS NOT NULL)", name="held_from_state_iff_held"
        ),
        CheckConstraint(
            "state <> 'awaiting_documents' OR clock_paused_at IS NOT NULL",
            name="awaiting_documents_pauses_clock",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(30), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    state: Mapped[str] = mapped_column(String(30), default="draft", index=True)
    lock_version: Mapped[int] = mapped_column(Integer, default=1)
    departement_code: Mapped[str | None] = mapped_column(ForeignKey("departements.code"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Instruction: who handles it, where it was when put on hold, the instruction clock.
    assigned_instructor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    held_from_state: Mapped[str | None] = mapped_column(String(30))
    hold_reason: Mapped[str | None] = mapped_column(Text)
    admissible_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    clock_paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    clock_paused_seconds: Mapped[int] = mapped_column(Integer, default=0)
    # Denormalised text of the last snapshot, for the instructors' full-text search.
    search_text: Mapped[str] = mapped_column(Text, default="")

    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    assigned_instructor: Mapped[User | None] = relationship(foreign_keys=[assigned_instructor_id])
    tracks: Mapped[list[FinancerTrack]] = relationship(
        back_populates="dossier", order_by="FinancerTrack.id"
    )
    document_requests: Mapped[list[DocumentRequest]] = relationship(
        order_by="DocumentRequest.id", viewonly=True
    )
    opinions: Mapped[list[Opinion]] = relationship(order_by="Opinion.id", viewonly=True)
    committee_items: Mapped[list[CommitteeItem]] = relationship(
        order_by="CommitteeItem.id", viewonly=True
    )
    financers: Mapped[list[Financer]] = relationship(
        secondary="dossier_financers", order_by="Financer.position"
    )
    communes: Mapped[list[DossierCommune]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan", order_by="DossierCommune.position"
    )
    professionals: Mapped[list[Professional]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan", order_by="Professional.position"
    )
    objectives: Mapped[list[HealthObjective]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan", order_by="HealthObjective.position"
    )
    operating_lines: Mapped[list[OperatingLine]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan", order_by="OperatingLine.position"
    )
    cost_lines: Mapped[list[CostLine]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan", order_by="CostLine.position"
    )
    resource_lines: Mapped[list[ResourceLine]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan", order_by="ResourceLine.position"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="dossier", order_by="Attachment.uploaded_at"
    )
    versions: Mapped[list[DossierVersion]] = relationship(
        back_populates="dossier", order_by="DossierVersion.number"
    )

    __mapper_args__ = {"version_id_col": lock_version}

    @property
    def state_label(self) -> str:
        """The state as staff read it."""
        return DOSSIER_STATES[self.state]

    @property
    def promoter_state_label(self) -> str:
        """The state as the promoter reads it."""
        from grants.workflow.states import PROMOTER_DOSSIER_LABELS

        return PROMOTER_DOSSIER_LABELS[self.state]

    @property
    def display_reference(self) -> str:
        return self.reference or f"Brouillon n° {self.id}"

    @property
    def is_editable(self) -> bool:
        return self.state == "draft"

    @property
    def flagged_items(self) -> dict[str, frozenset[str]]:
        """What the open requests for documents ask for: ``{"section": codes, "piece": codes}``.

        Only these stay editable while the dossier awaits documents (DOMAIN T3–T4).
        """
        if self.state != "awaiting_documents":
            return {"section": frozenset(), "piece": frozenset()}
        items = [
            item
            for request in self.document_requests
            if request.state == "open"
            for item in request.items or []
        ]
        return {
            kind: frozenset(str(i.get("code")) for i in items if i.get("kind") == kind)
            for kind in ("section", "piece")
        }


class DossierFinancer(Base):
    """A co-financer targeted by the dossier (its financer track hangs off this pair later)."""

    __tablename__ = "dossier_financers"

    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), primary_key=True)
    financer_id: Mapped[int] = mapped_column(ForeignKey("financers.id"), primary_key=True)


class DossierVersion(Base):
    """An immutable, numbered snapshot of the whole dossier frozen at submission or resubmission."""

    __tablename__ = "dossier_versions"
    __table_args__ = (UniqueConstraint("dossier_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    payload_sha256: Mapped[str] = mapped_column(String(64))
    frozen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    frozen_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(40), default="submit")

    dossier: Mapped[Dossier] = relationship(back_populates="versions")
