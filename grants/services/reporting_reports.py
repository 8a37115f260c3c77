"""A report filed for a reporting period: the promoter saves drafts and submits (due/returned →
submitted, complete or refused with French messages); the délégation départementale validates
(→ validated) or returns it with a reason (→ returned). Every step is audited, notified and
followed by the automatic checks.

Indicators K1–K5 are computed, never typed: K1 turnover and K2 new professionals from the
register, K3 the share of objectives reached, K4 the physicians present at the period's end,
K5 the rent charged. Every other indicator of the agreement is typed in the report.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from grants.extensions import db
from grants.models import AgreementIndicator, IndicatorValue, ReportingPeriod, User
from grants.models.base import utcnow
from grants.services import audit, uploads
from grants.services.monitoring_checks import close_alerts, run_checks
from grants.services.monitoring_notices import notify_decision, notify_submitted, period_title
from grants.services.reporting_register import PeriodFigures, period_figures
from grants.storage import Storage
from grants.templating import number

EDITABLE_STATES = frozenset({"due", "returned"})
# code → (unit, how it is computed, shown next to the value)
COMPUTED_INDICATORS: dict[str, tuple[str, str]] = {
    "K1": ("%", "départs de la période / effectif moyen (registre)"),
    "K2": ("professionnels", "arrivées de la période (registre)"),
    "K3": ("%", "objectifs atteints / objectifs dus"),
    "K4": ("médecins", "médecins présents en fin de période (registre)"),
    "K5": ("€/m²/an", "loyer appliqué déclaré"),
}
STORED_BY_KIND = {"annual": ("K1", "K2", "K3", "K4", "K5"), "semiannual": ("K1", "K2", "K4")}
CONFLICT = "Ce rapport a été modifié entre-temps : rechargez la page avant de recommencer."
CENT = Decimal("0.01")


class ReportRefused(Exception):  # noqa: N818 (a refusal, shown to the user)
    """``errors`` maps a form field (or "" for the whole report) to a French message."""

    def __init__(self, status: int, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.status = status
        self.errors = errors

    @property
    def message(self) -> str:
        return " ".join(self.errors.values())


@dataclass
class ReportInput:
    rent_m2_year: Decimal | None = None
    objectives_due: int | None = None
    objectives_met: int | None = None
    comments: str = ""
    values: dict[str, Decimal | None] = field(default_factory=dict)


def typed_indicators(period: ReportingPeriod) -> list[AgreementIndicator]:
    """The indicators the promoter types (yearly reports only)."""
    if period.kind != "annual":
        return []
    return [i for i in period.agreement.indicators if i.code not in COMPUTED_INDICATORS]


def is_editable(period: ReportingPeriod) -> bool:
    return period.state in EDITABLE_STATES and period.agreement.state == "active"


def require_editable(period: ReportingPeriod, expected_lock_version: int | None = None) -> None:
    _require(period, is_editable(period), "il ne peut plus être modifié.", expected_lock_version)


def _require(
    period: ReportingPeriod, allowed: bool, why: str, expected_lock_version: int | None
) -> None:
    """409 unless ``allowed`` (``why`` says what the state forbids) and the form is current."""
    if not allowed:
        state = period.state_label.lower()
        raise ReportRefused(409, {"": f"Le rapport « {period_title(period)} » est {state} : {why}"})
    if expected_lock_version is not None and expected_lock_version != period.lock_version:
        raise ReportRefused(409, {"": CONFLICT})


# --- The promoter's side -----------------------------------------------------------------------


def save_draft(
    period: ReportingPeriod, data: ReportInput, *, actor: User, expected_lock_version: int | None
) -> None:
    """Keep what was typed, complete or not."""
    require_editable(period, expected_lock_version)
    _apply(period, data)
    audit.record(
        "report.draft_saved",
        stream=_stream(period),
        actor=actor,
        dossier_id=period.agreement.dossier_id,
        data={"period_id": period.id, "period": period_title(period)},
    )


def completeness_errors(period: ReportingPeriod, data: ReportInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if period.kind != "annual":
        return errors
    for indicator in typed_indicators(period):
        if data.values.get(indicator.code) is None:
            errors[f"ind_{indicator.code}"] = (
                f"Indiquez la valeur de l'indicateur {indicator.code} pour {period.label}."
            )
    if data.rent_m2_year is None:
        errors["rent_m2_year"] = (
            "Indiquez le loyer appliqué aux professionnels en €/m²/an (0 si les locaux sont "
            "mis à disposition gratuitement)."
        )
    if data.objectives_due is None:
        errors["objectives_due"] = "Indiquez le nombre d'objectifs du projet de santé dus."
    if data.objectives_met is None:
        errors["objectives_met"] = "Indiquez le nombre d'objectifs atteints."
    elif data.objectives_due is not None and data.objectives_met > data.objectives_due:
        errors["objectives_met"] = (
            "Le nombre d'objectifs atteints ne peut pas dépasser le nombre d'objectifs dus."
        )
    return errors


def submit_report(
    period: ReportingPeriod, data: ReportInput, *, actor: User, expected_lock_version: int | None
) -> None:
    """due/returned → submitted: complete, computed indicators stored, checks run, DD notified."""
    require_editable(period, expected_lock_version)
    errors = completeness_errors(period, data)
    if errors:
        raise ReportRefused(422, errors)
    _apply(period, data)
    figures = period_figures(period)
    _store_computed(period, figures)
    resubmitted = period.state == "returned"
    period.state = "submitted"
    period.submitted_at = utcnow()
    period.submitted_by_id = actor.id
    db.session.flush()
    audit.record(
        "report.submitted",
        stream=_stream(period),
        actor=actor,
        dossier_id=period.agreement.dossier_id,
        data={
            "period_id": period.id,
            "period": period_title(period),
            "resubmitted": resubmitted,
            "turnover_percent": figures.turnover_percent,
            "arrivals": figures.arrivals,
            "physician_arrivals": figures.physician_arrivals,
            "departures": figures.departures,
        },
    )
    close_alerts(period, "overdue", actor, earlier=False, reason="Rapport remis.")
    run_checks(period, actor)
    notify_submitted(period, actor)


# --- The délégation départementale's side --------------------------------------------------------


def validate_report(
    period: ReportingPeriod, *, actor: User, expected_lock_version: int | None
) -> None:
    _require_submitted(period, expected_lock_version)
    period.state = "validated"
    period.validated_at = utcnow()
    period.validated_by_id = actor.id
    db.session.flush()
    audit.record(
        "report.validated",
        stream=_stream(period),
        actor=actor,
        dossier_id=period.agreement.dossier_id,
        data={"period_id": period.id, "period": period_title(period)},
    )
    run_checks(period, actor)
    notify_decision(period, actor)


def return_report(
    period: ReportingPeriod, reason: str, *, actor: User, expected_lock_version: int | None
) -> None:
    _require_submitted(period, expected_lock_version)
    reason = (reason or "").strip()
    if not reason:
        raise ReportRefused(
            422, {"reason": "Indiquez au porteur ce qu'il doit corriger ou compléter."}
        )
    period.state = "returned"
    period.return_reason = reason
    db.session.flush()
    audit.record(
        "report.returned",
        stream=_stream(period),
        actor=actor,
        dossier_id=period.agreement.dossier_id,
        data={"period_id": period.id, "period": period_title(period), "reason": reason},
    )
    notify_decision(period, actor)


def _require_submitted(period: ReportingPeriod, expected_lock_version: int | None) -> None:
    why = "seul un rapport remis peut être validé ou renvoyé."
    _require(period, period.state == "submitted", why, expected_lock_version)


# --- Pieces -----------------------------------------------------------------------------------


def add_piece(
    period: ReportingPeriod,
    upload: uploads.Upload,
    *,
    actor: User,
    storage: Storage,
    max_bytes: int,
) -> dict[str, object]:
    """A piece joined to the report (size cap, type sniffed from the bytes, UUID key)."""
    require_editable(period)
    data = uploads.read_limited(upload, max_bytes)
    content_type = uploads.sniff_content_type(data)
    if content_type is None:
        raise uploads.UploadRejectedError(
            "Ce type de fichier n'est pas accepté (le contenu du fichier a été vérifié, pas "
            f"seulement son nom). Formats acceptés : {uploads.ALLOWED_LABEL}."
        )
    key = f"reports/{period.agreement_id}/{period.id}/{uuid.uuid4().hex}"
    storage.put(key, data, content_type)
    name = uploads.sanitise_filename(upload.filename)
    extensions = uploads.ALLOWED_TYPES[content_type]
    if not name.lower().endswith(extensions):
        name = name[: uploads.MAX_NAME_LENGTH - len(extensions[0])] + extensions[0]
    piece: dict[str, object] = {
        "storage_key": key,
        "name": name,
        "sha256": hashlib.sha256(data).hexdigest(),
        "content_type": content_type,
        "size": len(data),
        "uploaded_at": utcnow().isoformat(),
        "uploaded_by_id": actor.id,
    }
    period.pieces = [*(period.pieces or []), piece]
    db.session.flush()
    audit.record(
        "report.piece_added",
        stream=_stream(period),
        actor=actor,
        dossier_id=period.agreement.dossier_id,
        data={"period_id": period.id, **{k: piece[k] for k in ("name", "sha256", "size")}},
    )
    return piece


@dataclass(frozen=True)
class StoredPiece:
    storage_key: str
    original_name: str
    content_type: str
    sha256: str


def stored_piece(period: ReportingPeriod, index: int) -> StoredPiece | None:
    pieces = period.pieces or []
    if not 0 <= index < len(pieces):
        return None
    piece = pieces[index]
    return StoredPiece(
        str(piece["storage_key"]),
        str(piece["name"]),
        str(piece["content_type"]),
        str(piece["sha256"]),
    )


# --- Plumbing -----------------------------------------------------------------------------------


def _stream(period: ReportingPeriod) -> str:
    return f"dossier:{period.agreement.dossier_id}"


def _apply(period: ReportingPeriod, data: ReportInput) -> None:
    period.rent_m2_year = data.rent_m2_year
    period.objectives_due = data.objectives_due
    period.objectives_met = data.objectives_met
    period.comments = (data.comments or "").strip()
    for indicator in typed_indicators(period):
        _set_value(period, indicator.code, data.values.get(indicator.code), computed=False)
    db.session.flush()


def computed_values(
    period: ReportingPeriod, figures: PeriodFigures
) -> dict[str, tuple[Decimal | None, str]]:
    """(value, comment) of each computed indicator, from the register and the report."""
    share = None
    if period.objectives_due and period.objectives_met is not None:
        share = (Decimal(period.objectives_met) * 100 / Decimal(period.objectives_due)).quantize(
            CENT, ROUND_HALF_UP
        )
    return {
        "K1": (
            figures.turnover_percent,
            f"{figures.departures} départ(s) pour un effectif moyen de "
            f"{number(figures.average_headcount)}",
        ),
        "K2": (
            Decimal(figures.arrivals),
            f"dont {figures.physician_arrivals} médecin(s), "
            f"{figures.newly_installed_arrivals} nouvellement installé(s)",
        ),
        "K3": (share, f"{period.objectives_met} sur {period.objectives_due}"),
        "K4": (
            Decimal(figures.physicians_end),
            f"{number(figures.physician_etp_end)} ETP de médecins",
        ),
        "K5": (period.rent_m2_year, ""),
    }


def _store_computed(period: ReportingPeriod, figures: PeriodFigures) -> None:
    """Stored for every report, whether or not the agreement targets them: the dashboard's
    trends and the protocol's evaluation read them."""
    wanted = STORED_BY_KIND[period.kind]
    for code, (value, comment) in computed_values(period, figures).items():
        if code in wanted:
            _set_value(period, code, value, computed=True, comment=comment)
    db.session.flush()


def _set_value(
    period: ReportingPeriod, code: str, value: Decimal | None, *, computed: bool, comment: str = ""
) -> None:
    row = db.session.scalar(
        select(IndicatorValue).where(
            IndicatorValue.period_id == period.id, IndicatorValue.code == code
        )
    )
    if row is None:
        row = IndicatorValue(period_id=period.id, code=code)
        db.session.add(row)
    row.value, row.computed, row.comment = value, computed, comment
