"""Terminating an agreement in force: the decider gives the reason and the date it takes effect,
sees the pro-rata recovery it implies, and confirms (``services.agreements.terminate``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from grants.extensions import db
from grants.forms.agreements import TerminationForm
from grants.services.agreement_signature import precheck
from grants.services.agreement_termination import FORMULA, recovery_computation
from grants.services.agreements import terminate as terminate_service
from grants.templating import money
from grants.views.agreements import bp
from grants.views.agreements.helpers import load, refused
from grants.workflow.engine import TransitionError


@bp.route("/<int:agreement_id>/resiliation", methods=["GET", "POST"])
def terminate(agreement_id: int):  # type: ignore[no-untyped-def]
    agreement, _audience = load(agreement_id)
    try:
        precheck(agreement, "terminate", current_user, None)
    except TransitionError as error:
        return refused(agreement, error)
    form = TerminationForm(
        data={"lock_version": str(agreement.lock_version), "terminated_on": date.today()}
    )
    if form.is_submitted():
        form = TerminationForm()
    if not form.validate_on_submit():
        on = form.terminated_on.data or date.today()
        return render_template(
            "agreements/terminate.html",
            agreement=agreement,
            dossier=agreement.dossier,
            form=form,
            preview=recovery_computation(agreement, on),
            formula=FORMULA,
        ), (422 if form.is_submitted() else 200)
    expected = int(form.lock_version.data) if (form.lock_version.data or "").isdigit() else None
    try:
        computation = terminate_service(
            agreement,
            form.reason.data or "",
            current_user,
            terminated_on=form.terminated_on.data,
            expected_version=expected,
        )
    except TransitionError as error:
        return refused(agreement, error)
    db.session.commit()
    flash(
        f"{agreement.kind_label} {agreement.reference} résilié ; reversement demandé : "
        f"{money(Decimal(computation['amount']))}.",
        "success",
    )
    return redirect(url_for("agreements.detail", agreement_id=agreement.id))
