"""Assign a dossier to a named instructor; follow and unfollow it."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from grants.extensions import db
from grants.forms.instruction import AssignForm
from grants.permissions import staff_dossier_or_404
from grants.services import assignment
from grants.views.instruction import bp
from grants.views.instruction.helpers import refused


def _back(dossier_id: int):  # type: ignore[no-untyped-def]
    return redirect(url_for("instruction.dossier", dossier_id=dossier_id) + "#attribution")


@bp.post("/dossiers/<int:dossier_id>/attribution")
def assign(dossier_id: int):  # type: ignore[no-untyped-def]
    dossier = staff_dossier_or_404(current_user, dossier_id)
    form = AssignForm()
    candidates = assignment.assignable_instructors(dossier)
    form.assignee_id.choices = [SelectChoice("", "Personne")] + [
        SelectChoice(u.id, u.full_name) for u in candidates
    ]
    if not form.validate_on_submit():
        return refused(dossier.id, 422, "Choisissez un instructeur qui a accès à ce dossier.")
    try:
        assignee = assignment.assign_dossier(
            dossier, actor=current_user, assignee_id=form.assignee_id.data
        )
    except assignment.AssignmentRefusedError as error:
        db.session.rollback()
        return refused(dossier_id, error.status, error.message)
    db.session.commit()
    if assignee is None:
        flash("Le dossier n'est plus attribué à personne.", "success")
    else:
        flash(f"Dossier attribué à {assignee.full_name}.", "success")
    return _back(dossier_id)


@bp.post("/dossiers/<int:dossier_id>/suivre")
def follow(dossier_id: int):  # type: ignore[no-untyped-def]
    dossier = staff_dossier_or_404(current_user, dossier_id)
    assignment.follow(dossier, current_user)
    db.session.commit()
    flash("Vous suivez ce dossier : il apparaît dans l'onglet « Suivis ».", "success")
    return _back(dossier_id)


@bp.post("/dossiers/<int:dossier_id>/ne-plus-suivre")
def unfollow(dossier_id: int):  # type: ignore[no-untyped-def]
    dossier = staff_dossier_or_404(current_user, dossier_id)
    assignment.unfollow(dossier, current_user)
    db.session.commit()
    flash("Vous ne suivez plus ce dossier.", "success")
    return _back(dossier_id)
