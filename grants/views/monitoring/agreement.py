"""One agreement's follow-up for staff, and the monitor's actions: a management dialogue on an
alert (opened, then closed with its outcome) and the suspension of a payment tranche."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from grants.extensions import db
from grants.forms.reporting import CloseDialogueForm, DialogueForm, SuspendForm
from grants.models import Agreement, Alert, ManagementDialogue, PaymentTranche
from grants.services import monitoring
from grants.services.document_requests import paris_today
from grants.services.monitoring_agreement import TREND_SERIES, agreement_monitoring
from grants.views.monitoring import bp


@bp.app_template_global()
def has_endpoint(name: str) -> bool:
    """Whether a page exists (links to pages other parts of the product may not offer yet)."""
    return name in current_app.view_functions


def _page(agreement: Agreement, status: int = 200, **forms: object):  # type: ignore[no-untyped-def]
    return render_template(
        "monitoring/agreement.html",
        view=agreement_monitoring(agreement, paris_today()),
        agreement=agreement,
        may_act=monitoring.may_act(current_user),
        trend_series=TREND_SERIES,
        dialogue_form=forms.get("dialogue_form") or DialogueForm(formdata=None),
        close_form=forms.get("close_form") or CloseDialogueForm(formdata=None),
        suspend_form=forms.get("suspend_form") or SuspendForm(formdata=None),
        failed=forms.get("failed"),
    ), status


@bp.get("/cpom/<int:agreement_id>")
def agreement(agreement_id: int):  # type: ignore[no-untyped-def]
    return _page(monitoring.staff_agreement_or_404(current_user, agreement_id))


def _actor_or_403() -> None:
    if not monitoring.may_act(current_user):
        abort(403)


@bp.post("/alertes/<int:alert_id>/dialogue")
def open_dialogue(alert_id: int):  # type: ignore[no-untyped-def]
    alert = db.session.get(Alert, alert_id)
    if alert is None:
        abort(404)
    agreement = monitoring.staff_agreement_or_404(current_user, alert.agreement_id)
    _actor_or_403()
    form = DialogueForm()
    if not form.validate():
        return _page(agreement, 422, dialogue_form=form, failed=("alert", alert_id))
    try:
        monitoring.open_dialogue(
            alert, actor=current_user, subject=form.subject.data, notes=form.notes.data or ""
        )
    except monitoring.MonitoringRefused as refused:
        db.session.rollback()
        form.subject.errors = [refused.message]
        return _page(agreement, refused.status, dialogue_form=form, failed=("alert", alert_id))
    db.session.commit()
    flash("Dialogue de gestion ouvert.", "success")
    return redirect(url_for("monitoring.agreement", agreement_id=agreement.id, _anchor="alertes"))


@bp.post("/dialogues/<int:dialogue_id>/cloture")
def close_dialogue(dialogue_id: int):  # type: ignore[no-untyped-def]
    dialogue = db.session.get(ManagementDialogue, dialogue_id)
    if dialogue is None:
        abort(404)
    agreement = monitoring.staff_agreement_or_404(current_user, dialogue.agreement_id)
    _actor_or_403()
    form = CloseDialogueForm()
    if not form.validate():
        return _page(agreement, 422, close_form=form, failed=("dialogue", dialogue_id))
    try:
        monitoring.close_dialogue(dialogue, actor=current_user, outcome=form.outcome.data)
    except monitoring.MonitoringRefused as refused:
        db.session.rollback()
        form.outcome.errors = [refused.message]
        return _page(agreement, refused.status, close_form=form, failed=("dialogue", dialogue_id))
    db.session.commit()
    flash("Dialogue de gestion clos.", "success")
    return redirect(url_for("monitoring.agreement", agreement_id=agreement.id, _anchor="alertes"))


@bp.post("/tranches/<int:tranche_id>/suspension")
def suspend_tranche(tranche_id: int):  # type: ignore[no-untyped-def]
    tranche = db.session.get(PaymentTranche, tranche_id)
    if tranche is None:
        abort(404)
    agreement = monitoring.staff_agreement_or_404(current_user, tranche.agreement_id)
    _actor_or_403()
    form = SuspendForm()
    if not form.validate():
        return _page(agreement, 422, suspend_form=form, failed=("tranche", tranche_id))
    try:
        monitoring.suspend_tranche(tranche, actor=current_user, reason=form.reason.data)
    except monitoring.MonitoringRefused as refused:
        db.session.rollback()
        form.reason.errors = [refused.message]
        return _page(agreement, refused.status, suspend_form=form, failed=("tranche", tranche_id))
    db.session.commit()
    flash("Tranche suspendue : aucun versement ne sera fait avant sa reprise.", "success")
    return redirect(url_for("monitoring.agreement", agreement_id=agreement.id, _anchor="paiements"))
