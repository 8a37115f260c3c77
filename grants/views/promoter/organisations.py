"""A promoter's organisations: declare, edit, list members."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from grants.extensions import db
from grants.forms.organisation import OrganisationForm
from grants.models import Membership, Organisation
from grants.permissions import organisation_or_404
from grants.services import organisations as service
from grants.views.promoter import bp


@bp.get("/organisations")
def organisations():  # type: ignore[no-untyped-def]
    memberships = db.session.scalars(
        db.select(Membership)
        .where(Membership.user_id == current_user.id)
        .join(Organisation)
        .order_by(Organisation.legal_name)
    ).all()
    return render_template("promoter/organisations.html", memberships=memberships)


@bp.route("/organisations/nouvelle", methods=["GET", "POST"])
def new_organisation():  # type: ignore[no-untyped-def]
    form = OrganisationForm()
    if form.validate_on_submit():
        organisation = service.create_organisation(actor=current_user, data=form.data)
        db.session.commit()
        flash(f"L'organisation « {organisation.legal_name} » est enregistrée.", "success")
        return redirect(url_for("promoter.organisation", organisation_id=organisation.id))
    status = 422 if form.errors else 200
    return render_template("promoter/organisation_form.html", form=form, organisation=None), status


@bp.get("/organisations/<int:organisation_id>")
def organisation(organisation_id: int):  # type: ignore[no-untyped-def]
    org = organisation_or_404(current_user, organisation_id)
    return render_template(
        "promoter/organisation.html",
        organisation=org,
        membership=next(m for m in org.memberships if m.user_id == current_user.id),
    )


@bp.route("/organisations/<int:organisation_id>/modifier", methods=["GET", "POST"])
def edit_organisation(organisation_id: int):  # type: ignore[no-untyped-def]
    org = organisation_or_404(current_user, organisation_id, owner=True)
    form = OrganisationForm(obj=org)
    if form.validate_on_submit():
        service.update_organisation(org, actor=current_user, data=form.data)
        db.session.commit()
        flash("Les informations de l'organisation sont enregistrées.", "success")
        return redirect(url_for("promoter.organisation", organisation_id=org.id))
    status = 422 if form.errors else 200
    return render_template("promoter/organisation_form.html", form=form, organisation=org), status
