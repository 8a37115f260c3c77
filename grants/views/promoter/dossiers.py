"""Create a dossier and show its summary page."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from grants.extensions import db
from grants.forms.dossier import NewDossierForm
from grants.models import Membership, Organisation
from grants.permissions import dossier_or_404, organisation_or_404
from grants.services import dossiers as service
from grants.services.pieces import required_pieces
from grants.views.promoter import bp
from grants.views.promoter.pieces import pieces_panel
from grants.views.promoter.submission import submission_problems


@bp.route("/dossiers/nouveau", methods=["GET", "POST"])
def new_dossier():  # type: ignore[no-untyped-def]
    form = NewDossierForm()
    form.organisation_id.choices = [
        SelectChoice(o.id, o.legal_name)
        for o in db.session.scalars(
            select(Organisation)
            .join(Membership)
            .where(Membership.user_id == current_user.id)
            .order_by(Organisation.legal_name)
        )
    ]
    if not form.organisation_id.choices:
        flash("Déclarez d'abord l'organisation qui porte le projet.", "warning")
        return redirect(url_for("promoter.new_organisation"))
    if form.validate_on_submit():
        organisation = organisation_or_404(current_user, form.organisation_id.data)
        dossier = service.create_dossier(
            actor=current_user, organisation=organisation, title=form.title.data or ""
        )
        db.session.commit()
        flash(
            "Le dossier est créé. Remplissez les rubriques dans l'ordre qui vous convient.",
            "success",
        )
        return redirect(url_for("promoter.dossier", dossier_id=dossier.id))
    status = 422 if form.errors else 200
    return render_template("promoter/new_dossier.html", form=form), status


@bp.get("/dossiers/<int:dossier_id>")
def dossier(dossier_id: int):  # type: ignore[no-untyped-def]
    full = service.load_page(dossier_or_404(current_user, dossier_id, service.page_options()))
    pieces = required_pieces(full)  # shared by the pieces panel and the blocking problems
    return render_template(
        "promoter/dossier.html",
        dossier=full,
        pieces_overview=pieces_panel(full, pieces=pieces),
        dossier_problems=submission_problems(full, pieces),
    )
