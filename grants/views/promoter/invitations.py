"""Invite a colleague to an organisation (owners only); pending invitations on its page."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from grants.extensions import db
from grants.forms.organisation import InvitationForm
from grants.models import Invitation
from grants.permissions import organisation_or_404
from grants.services import invitations as service
from grants.views.promoter import bp


@bp.app_template_global("pending_invitations")
def _pending_invitations(organisation_id: int) -> list[Invitation]:
    """Used by promoter/organisation.html, whose view lives in organisations.py."""
    return service.pending_invitations(organisation_id)


@bp.app_template_global("new_invitation_form")
def _new_invitation_form() -> InvitationForm:
    return InvitationForm(formdata=None)


@bp.post("/organisations/<int:organisation_id>/invitations")
def invite(organisation_id: int):  # type: ignore[no-untyped-def]
    organisation = organisation_or_404(current_user, organisation_id, owner=True)
    form = InvitationForm()
    if form.validate_on_submit():
        try:
            invitation, raw_token = service.invite_colleague(
                organisation, actor=current_user, email=form.email.data or ""
            )
        except service.InvitationError as exc:
            form.email.errors = [str(exc)]
        else:
            db.session.commit()
            service.send_invitation_email(
                invitation, raw_token, inviter=current_user, organisation=organisation
            )
            flash(f"Une invitation a été envoyée à {invitation.email}.", "success")
            return redirect(url_for("promoter.organisation", organisation_id=organisation.id))
    membership = next(m for m in organisation.memberships if m.user_id == current_user.id)
    return render_template(
        "promoter/organisation.html",
        organisation=organisation,
        membership=membership,
        invitation_form=form,
    ), 422
