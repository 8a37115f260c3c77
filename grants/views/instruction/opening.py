"""The délégation départementale records the structure's opening (DOMAIN T14): the dossier
moves from execution to monitoring."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from grants.extensions import db
from grants.forms.agreements import OpeningForm
from grants.permissions import staff_dossier_or_404
from grants.services.agreements import record_opening as record_opening_service
from grants.views.instruction import bp
from grants.views.instruction.helpers import transition_refused
from grants.workflow import engine
from grants.workflow.engine import TransitionError


@bp.route("/dossiers/<int:dossier_id>/ouverture", methods=["GET", "POST"])
def record_opening(dossier_id: int):  # type: ignore[no-untyped-def]
    dossier = staff_dossier_or_404(current_user, dossier_id)
    form = OpeningForm(
        data={"lock_version": str(dossier.lock_version), "opening_date": date.today()}
    )
    if form.is_submitted():
        form = OpeningForm()
    refusal = None
    if form.validate_on_submit():
        expected = int(form.lock_version.data) if (form.lock_version.data or "").isdigit() else None
        try:
            record_opening_service(dossier, form.opening_date.data, current_user, expected)
        except TransitionError as error:
            db.session.rollback()
            refusal = error
        else:
            db.session.commit()
            flash(
                "Ouverture de la structure enregistrée : le suivi des engagements commence.",
                "success",
            )
            return redirect(url_for("instruction.dossier", dossier_id=dossier_id))
    if refusal is not None and not refusal.reasons:
        return transition_refused(dossier_id, refusal)
    dossier = staff_dossier_or_404(current_user, dossier_id)
    return render_template(
        "instruction/opening_form.html",
        dossier=dossier,
        form=form,
        reasons=refusal.reasons if refusal else [],
        available=engine.can(
            dossier, "record_opening", current_user, {"opening_date": date.today()}
        ),
    ), (refusal.status if refusal else (422 if form.is_submitted() else 200))
