"""Amendments (avenants): the financer's instructor drafts one over an agreement in force (the
negotiable parts as they would become, and the reason); it is then sent, signed by the promoter
(``signature.sign_amendment``), countersigned, or abandoned, like the agreement itself."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from grants.extensions import db
from grants.forms.agreements import AmendmentForm, form_data, read_terms
from grants.models import Agreement
from grants.services.agreement_amendments import create_amendment
from grants.services.agreement_terms import agreement_terms
from grants.services.agreements import AgreementRefused, may_prepare, open_amendment
from grants.views.agreements import bp
from grants.views.agreements.edit import prepare_form, schedule_rows, with_added_indicator
from grants.views.agreements.helpers import (
    STAFF,
    amendment_or_404,
    load,
    refused,
)
from grants.workflow import engine
from grants.workflow.engine import TransitionError

FORBIDDEN = AgreementRefused(
    403, "Seuls les instructeurs du financeur signataire préparent un avenant."
)
NOT_IN_FORCE = AgreementRefused(422, "Un avenant ne se prépare que pour une convention en vigueur.")
ALREADY_OPEN = AgreementRefused(
    422, "Un avenant est déjà en cours : faites-le signer ou abandonnez-le d'abord."
)


def _refusal(agreement: Agreement, audience: str) -> AgreementRefused | None:
    if audience != STAFF or not may_prepare(agreement, current_user):
        return FORBIDDEN
    if agreement.state != "active":
        return NOT_IN_FORCE
    if open_amendment(agreement) is not None:
        return ALREADY_OPEN
    return None


@bp.route("/<int:agreement_id>/avenants/nouveau", methods=["GET", "POST"])
def new_amendment(agreement_id: int):  # type: ignore[no-untyped-def]
    agreement, audience = load(agreement_id)
    refusal = _refusal(agreement, audience)
    if refusal is not None:
        return refused(agreement, refusal)
    current = agreement_terms(agreement)
    rows = schedule_rows(agreement, current)
    if request.method == "GET":
        form = AmendmentForm(data=form_data(current, agreement.lock_version))
        prepare_form(form, agreement, current)
        return _page(agreement, form, rows)
    form = AmendmentForm()
    prepare_form(form, agreement, current)
    if not form.validate():
        return _page(agreement, form, rows, status=422)
    terms = with_added_indicator(form, agreement, read_terms(form, len(rows)))
    try:
        amendment = create_amendment(agreement, terms, form.reason.data or "", current_user)
    except AgreementRefused as error:
        db.session.rollback()
        if error.status != 422:
            return refused(agreement, error)
        agreement, _audience = load(agreement_id)
        prepare_form(form, agreement, current)
        return _page(agreement, form, rows, status=422, errors=error.errors)
    db.session.commit()
    flash(
        f"Avenant n° {amendment.number} préparé : relisez-le puis transmettez-le au porteur.",
        "success",
    )
    return redirect(url_for("agreements.detail", agreement_id=agreement.id) + "#avenants")


def _page(agreement: Agreement, form: AmendmentForm, rows: list, status: int = 200, errors=()):  # type: ignore[no-untyped-def]
    return render_template(
        "agreements/amendment_form.html",
        agreement=agreement,
        dossier=agreement.dossier,
        form=form,
        schedule=rows,
        general_errors=[message for _field, message in errors],
    ), status


@bp.post("/<int:agreement_id>/avenants/<int:amendment_id>/transitions/<event>")
def amendment_fire(agreement_id: int, amendment_id: int, event: str):  # type: ignore[no-untyped-def]
    agreement, _audience = load(agreement_id)
    amendment = amendment_or_404(agreement, amendment_id)
    if event == "sign":
        return redirect(
            url_for(
                "agreements.sign_amendment", agreement_id=agreement.id, amendment_id=amendment.id
            )
        )
    data = {"reason": request.form.get("reason", "").strip()}
    try:
        engine.fire(amendment, event, current_user, data=data)
    except TransitionError as error:
        return refused(agreement, error)
    db.session.commit()
    flash(f"« {engine.transition(amendment, event).staff_label} » : c'est fait.", "success")
    return redirect(url_for("agreements.detail", agreement_id=agreement.id) + "#avenants")
