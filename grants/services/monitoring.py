"""Who follows which agreement, and the monitor's actions on an alert: open a management
dialogue (alert → in_dialogue), close it with its outcome, suspend a payment tranche.

Staff see the agreements of the financers they act for (a délégation départementale only those
of its département); anything else answers 404. The dashboard is for the monitors (and the
ARS's instructors and deciders); reports are validated by the délégation or head office.
"""

from __future__ import annotations

from flask import abort
from sqlalchemy import and_, false, select

from grants.extensions import db
from grants.models import (
    Agreement,
    Alert,
    Dossier,
    ManagementDialogue,
    PaymentTranche,
    User,
)
from grants.models.base import utcnow
from grants.permissions import STAFF_ROLES, financer_ids
from grants.services.monitoring_checks import audit_alert

MONITOR_ROLES = frozenset({"monitor", "ars_instructor", "ars_decider"})
REVIEW_ROLES = frozenset({"dd_instructor", "ars_instructor", "financer_instructor"})
ACTION_ROLES = frozenset({"monitor", "ars_decider"})


class MonitoringRefused(Exception):  # noqa: N818 (a refusal, shown to the user)
    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def agreement_filter(user: User):  # type: ignore[no-untyped-def]
    """WHERE clause of the agreements ``user`` may follow (joins Dossier)."""
    ids = financer_ids(user)
    if user.role not in STAFF_ROLES or not ids:
        return false()
    clauses = [Agreement.financer_id.in_(ids)]
    if user.role == "dd_instructor":
        clauses.append(Dossier.departement_code == user.departement_code)
    return and_(*clauses)


def staff_agreement_or_404(user: User, agreement_id: int) -> Agreement:
    agreement = db.session.scalar(
        select(Agreement)
        .join(Dossier, Dossier.id == Agreement.dossier_id)
        .where(Agreement.id == agreement_id, agreement_filter(user))
    )
    if agreement is None or agreement.state == "drafted":
        abort(404)
    return agreement


def may_see_dashboard(user: User) -> bool:
    return user.is_authenticated and user.role in MONITOR_ROLES


def may_review(user: User) -> bool:
    return user.role in REVIEW_ROLES


def may_act(user: User) -> bool:
    return user.role in ACTION_ROLES


# --- Actions ------------------------------------------------------------------------------------


def open_dialogue(alert: Alert, *, actor: User, subject: str, notes: str) -> ManagementDialogue:
    """A dialogue de gestion about ``alert``: the alert waits in_dialogue meanwhile."""
    if alert.state == "closed":
        raise MonitoringRefused("Cette alerte est close : il n'y a plus de dialogue à ouvrir.", 409)
    if alert.state == "in_dialogue":
        raise MonitoringRefused("Un dialogue de gestion est déjà ouvert sur cette alerte.", 409)
    subject = (subject or "").strip()
    if not subject:
        raise MonitoringRefused("Indiquez l'objet du dialogue de gestion.")
    dialogue = ManagementDialogue(
        agreement_id=alert.agreement_id,
        alert_id=alert.id,
        subject=subject[:300],
        notes=(notes or "").strip(),
        opened_by_id=actor.id,
    )
    db.session.add(dialogue)
    alert.state = "in_dialogue"
    db.session.flush()
    audit_alert(alert, "dialogue.opened", actor, dialogue_id=dialogue.id, subject=dialogue.subject)
    return dialogue


def close_dialogue(dialogue: ManagementDialogue, *, actor: User, outcome: str) -> None:
    """Record the outcome; the alert it was about closes with it."""
    if dialogue.closed_at is not None:
        raise MonitoringRefused("Ce dialogue de gestion est déjà clos.", 409)
    outcome = (outcome or "").strip()
    if not outcome:
        raise MonitoringRefused("Indiquez l'issue du dialogue de gestion.")
    now = utcnow()
    dialogue.outcome, dialogue.closed_at = outcome, now
    alert = db.session.get(Alert, dialogue.alert_id) if dialogue.alert_id else None
    if alert is not None and alert.state != "closed":
        alert.state, alert.closed_at = "closed", now
    db.session.flush()
    if alert is not None:
        audit_alert(alert, "dialogue.closed", actor, dialogue_id=dialogue.id, outcome=outcome)


def suspend_tranche(tranche: PaymentTranche, *, actor: User, reason: str) -> None:
    """Delegates to the payments service, which writes the tranche and its audit event."""
    reason = (reason or "").strip()
    if not reason:
        raise MonitoringRefused("Indiquez le motif de la suspension.")
    if tranche.suspended:
        raise MonitoringRefused("Cette tranche est déjà suspendue.", 409)
    from grants.services import payments

    try:
        payments.suspend_tranche(tranche, reason, actor)
    except payments.PaymentRefused as refused:
        raise MonitoringRefused(refused.message, refused.status) from refused
