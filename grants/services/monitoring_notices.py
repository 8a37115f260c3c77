"""Notifications of the monitoring of commitments, written to the outbox in the caller's
transaction: reminders and overdue notices to the promoter, a filed report to the délégation
départementale, validation or return to the promoter, new alerts to the monitors."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from grants.extensions import db
from grants.links import absolute_url
from grants.models import Agreement, Alert, ReportingPeriod, User, UserFinancer
from grants.models.choices import REPORTING_KINDS
from grants.notifications.notices import notice_context, send_notice
from grants.notifications.outbox import promoter_members
from grants.templating import french_date

REVIEWER_ROLES = ("dd_instructor", "ars_instructor")


def period_title(period: ReportingPeriod) -> str:
    return f"{REPORTING_KINDS[period.kind]} {period.label}"


def _send(
    key: str,
    event: str,
    period: ReportingPeriod,
    users: list[User],
    context: dict[str, Any],
    actor: User | None = None,
) -> None:
    send_notice(key, event, period.agreement.dossier, users, context, actor=actor)


def staff_following(agreement: Agreement, roles: tuple[str, ...]) -> list[User]:
    """Active staff with one of ``roles`` acting for the agreement's financer (a délégation
    départementale only for its own département)."""
    departement = agreement.dossier.departement_code
    users = db.session.scalars(
        select(User)
        .join(UserFinancer, UserFinancer.user_id == User.id)
        .where(UserFinancer.financer_id == agreement.financer_id, User.role.in_(roles))
        .distinct()
        .order_by(User.id)
    )
    return [u for u in users if u.role != "dd_instructor" or u.departement_code == departement]


def notify_reminder(period: ReportingPeriod, kind: str, days_left: int) -> None:
    dossier = period.agreement.dossier
    if kind == "overdue":
        label = f"Rapport en retard : {period_title(period)}"
    elif days_left <= 1:
        label = f"Rappel : {period_title(period)} à remettre demain"
    else:
        label = f"Rappel : {period_title(period)} à remettre dans {days_left} jours"
    context = notice_context(
        dossier,
        label,
        absolute_url("reporting.report", period_id=period.id),
        due_on=french_date(period.due_on),
        message=(
            "Le rapport de suivi de votre contrat est attendu. Déposez-le depuis votre espace : "
            "valeurs des indicateurs, registre des professionnels, loyer et objectifs."
        ),
    )
    _send(
        f"report:{period.id}:{kind}", "report.reminder", period, promoter_members(dossier), context
    )


def notify_submitted(period: ReportingPeriod, actor: User) -> None:
    dossier = period.agreement.dossier
    context = notice_context(
        dossier,
        f"Rapport de suivi remis : {period_title(period)}",
        absolute_url("monitoring.report", period_id=period.id),
        actor=actor,
    )
    users = staff_following(period.agreement, REVIEWER_ROLES)
    _send(_key(period, "submitted"), "report.submitted", period, users, context, actor)


def notify_decision(period: ReportingPeriod, actor: User) -> None:
    dossier = period.agreement.dossier
    if period.state == "validated":
        label = f"Rapport de suivi validé : {period_title(period)}"
        message = ""
    else:
        label = f"Rapport de suivi à compléter : {period_title(period)}"
        message = period.return_reason
    context = notice_context(
        dossier,
        label,
        absolute_url("reporting.report", period_id=period.id),
        actor=actor,
        message=message,
    )
    _send(
        _key(period, period.state), f"report.{period.state}", period,
        promoter_members(dossier), context, actor,
    )  # fmt: skip


def notify_alert(period: ReportingPeriod, alert: Alert) -> None:
    dossier = period.agreement.dossier
    context = notice_context(
        dossier,
        f"Alerte {alert.level_label.lower()} : {period_title(period)}",
        absolute_url("monitoring.agreement", agreement_id=period.agreement_id),
        message=alert.message,
    )
    users = staff_following(period.agreement, ("monitor",))
    key = f"alert:{alert.id}:{alert.level}:{period.lock_version}"
    _send(key, "alert.raised", period, users, context)


def _key(period: ReportingPeriod, what: str) -> str:
    # A report can be submitted, returned and submitted again: each occurrence is its own.
    return f"report:{period.id}:{what}:{period.lock_version}"
