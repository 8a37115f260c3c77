"""SQLAlchemy 2.0 typed models, one module per domain noun."""

from grants.models.agreement import Agreement, AgreementIndicator, AgreementVersion, Amendment
from grants.models.attachment import Attachment, PieceKind, PieceRequirement
from grants.models.audit import AuditEvent
from grants.models.base import Base
from grants.models.committee import (
    CommitteeItem,
    CommitteeItemAmount,
    CommitteeMember,
    CommitteeMinutes,
    CommitteeSession,
    ConflictOfInterest,
)
from grants.models.decision import DecisionAmount, FinancerDecision, PlanRevisionRequest
from grants.models.dossier import Dossier, DossierFinancer, DossierVersion
from grants.models.instruction import (
    Annotation,
    DocumentRequest,
    DossierFollower,
    EditPresence,
    FinancerTrack,
    Opinion,
    PieceReview,
)
from grants.models.job import BackgroundJob
from grants.models.ledger import Envelope, EnvelopeMovement
from grants.models.messaging import Message, MessageAttachment
from grants.models.monitoring import (
    Alert,
    IndicatorValue,
    ManagementDialogue,
    RegisterEntry,
    ReportingPeriod,
)
from grants.models.notification import Notification, OutboxMessage
from grants.models.payment import PaymentRequest, PaymentTranche, RecoveryOrder
from grants.models.reference import Commune, Departement, Financer
from grants.models.rows import (
    CostLine,
    DossierCommune,
    HealthObjective,
    OperatingLine,
    Professional,
    ResourceLine,
)
from grants.models.scoring import ConfigVersion, ProposedAmount, ScoreAdjustment, ScoreCard
from grants.models.user import Invitation, Membership, Organisation, User, UserFinancer
from grants.models.zoning import DossierZoning, ZoningScheme, ZoningUnit, ZoningUnitCommune

__all__ = [
    "Agreement",
    "AgreementIndicator",
    "AgreementVersion",
    "Alert",
    "Amendment",
    "IndicatorValue",
    "ManagementDialogue",
    "PaymentRequest",
    "PaymentTranche",
    "RecoveryOrder",
    "RegisterEntry",
    "ReportingPeriod",
    "CommitteeItem",
    "CommitteeItemAmount",
    "CommitteeMember",
    "CommitteeMinutes",
    "CommitteeSession",
    "ConflictOfInterest",
    "DecisionAmount",
    "FinancerDecision",
    "PlanRevisionRequest",
    "BackgroundJob",
    "ConfigVersion",
    "DossierZoning",
    "Envelope",
    "EnvelopeMovement",
    "ProposedAmount",
    "ScoreAdjustment",
    "ScoreCard",
    "ZoningScheme",
    "ZoningUnit",
    "ZoningUnitCommune",
    "Annotation",
    "DocumentRequest",
    "DossierFollower",
    "EditPresence",
    "FinancerTrack",
    "Message",
    "MessageAttachment",
    "Notification",
    "Opinion",
    "OutboxMessage",
    "PieceReview",
    "UserFinancer",
    "Attachment",
    "AuditEvent",
    "Base",
    "Commune",
    "CostLine",
    "Departement",
    "Dossier",
    "DossierCommune",
    "DossierFinancer",
    "DossierVersion",
    "Financer",
    "HealthObjective",
    "Invitation",
    "Membership",
    "OperatingLine",
    "Organisation",
    "PieceKind",
    "PieceRequirement",
    "Professional",
    "ResourceLine",
    "User",
]
