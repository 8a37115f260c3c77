"""The public page behind an invitation link: join, create an account, or log in first."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user

from grants.extensions import db
from grants.forms.invitation import AcceptInvitationForm
from grants.models import Invitation
from grants.services import accounts
from grants.services import invitations as service
from grants.views.auth import bp

TEMPLATE = "auth/accept_invitation.html"


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):  # type: ignore[no-untyped-def]
    invitation = service.valid_invitation(token)
    if invitation is None:
        return render_template(TEMPLATE, state="invalid"), 400
    if current_user.is_authenticated:
        return _join_as_current_user(invitation)
    if accounts.user_by_email(invitation.email) is not None:
        login_url = url_for("auth.login", next=request.path)
        return render_template(TEMPLATE, state="login", invitation=invitation, login_url=login_url)
    return _register_and_join(invitation)


def _join_as_current_user(invitation: Invitation):  # type: ignore[no-untyped-def]
    if accounts.normalise_email(current_user.email) != invitation.email:
        return render_template(TEMPLATE, state="other_account", invitation=invitation), 403
    service.accept_invitation(invitation, user=current_user)
    db.session.commit()
    flash(f"Vous avez rejoint l'organisation « {invitation.organisation.legal_name} ».", "success")
    return redirect(url_for("promoter.organisation", organisation_id=invitation.organisation_id))


def _register_and_join(invitation: Invitation):  # type: ignore[no-untyped-def]
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            user = accounts.register_user(
                email=invitation.email,
                full_name=form.full_name.data or "",
                password=form.password.data or "",
            )
        except accounts.AccountError:
            # The account appeared meanwhile: the page now asks to log in first.
            return redirect(request.path)
        service.accept_invitation(invitation, user=user)
        db.session.commit()
        login_user(user)
        flash(
            f"Votre compte est créé et vous avez rejoint « {invitation.organisation.legal_name} ».",
            "success",
        )
        return redirect(
            url_for("promoter.organisation", organisation_id=invitation.organisation_id)
        )
    status = 422 if form.errors else 200
    return render_template(TEMPLATE, state="register", invitation=invitation, form=form), status
