"""One agreement's follow-up for staff, and the monitor's actions: a management dialogue on an
alert (opened, then closed with its outcome) and the suspension of a payment tranche."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from grants.extensions import db
from grants.forms.reporting import CloseDialogueForm, DialogueForm, SuspendForm
from grants.models import Agreement, Alert, ManagementDialogue, PaymentTranche
from grants.services import monitoring
from grants.services.document_requests import paris_today
from grants.services.monitoring_agreement import TREND_SERIES, agreement_monitoring
from grants.views.monitoring import bp

T = TypeVar("T")


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


def _act(  # type: ignore[no-untyped-def]
    agreement: Agreement,
    form: FlaskForm,
    *,
    form_name: str,
    field: str,
    failed: tuple[str, int],
    action: Callable[[], object],
    done: str,
    anchor: str,
):
    """Validate ``form`` and run ``action``; a refusal shows the page again with the message on
    ``field`` (what the monitor typed kept); success commits and returns to ``anchor``."""
    if not form.validate():
        return _page(agreement, 422, **{form_name: form}, failed=failed)
    try:
        action()
    except monitoring.MonitoringRefused as refused:
        db.session.rollback()
        getattr(form, field).errors = [refused.message]
        return _page(agreement, refused.status, **{form_name: form}, failed=failed)
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("monitoring.agreement", agreement_id=agreement.id, _anchor=anchor))


def _found_or_404(model: type[T], object_id: int) -> tuple[T, Agreement]:
    """The object, and its agreement when the current user may act on it."""
    found = db.session.get(model, object_id)
    if found is None:
        abort(404)
    agreement = monitoring.staff_agreement_or_404(current_user, found.agreement_id)  # type: ignore[attr-defined]
    _actor_or_403()
    return found, agreement


@bp.post("/alertes/<int:alert_id>/dialogue")
def open_dialogue(alert_id: int):  # type: ignore[no-untyped-def]
    alert, agreement = _found_or_404(Alert, alert_id)
    form = DialogueForm()
    return _act(
        agreement,
        form,
        form_name="dialogue_form",
        field="subject",
        failed=("alert", alert_id),
        action=lambda: monitoring.open_dialogue(
            alert, actor=current_user, subject=form.subject.data, notes=form.notes.data or ""
        ),
        done="Dialogue de gestion ouvert.",
        anchor="alertes",
    )


@bp.post("/dialogues/<int:dialogue_id>/cloture")
def close_dialogue(dialogue_id: int):  # type: ignore[no-untyped-def]
    dialogue, agreement = _found_or_404(ManagementDialogue, dialogue_id)
    form = CloseDialogueForm()
    return _act(
        agreement,
        form,
        form_name="close_form",
        field="outcome",
        failed=("dialogue", dialogue_id),
        action=lambda: monitoring.close_dialogue(
            dialogue, actor=current_user, outcome=form.outcome.data
        ),
        done="Dialogue de gestion clos.",
        anchor="alertes",
    )


@bp.post("/tranches/<int:tranche_id>/suspension")
def suspend_tranche(tranche_id: int):  # type: ignore[no-untyped-def]
    tranche, agreement = _found_or_404(PaymentTranche, tranche_id)
    form = SuspendForm()
    return _act(
        agreement,
        form,
        form_name="suspend_form",
        field="reason",
        failed=("tranche", tranche_id),
        action=lambda: monitoring.suspend_tranche(
            tranche, actor=current_user, reason=form.reason.data
        ),
        done="Tranche suspendue : aucun versement ne sera fait avant sa reprise.",
        anchor="paiements",
    )
