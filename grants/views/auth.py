"""Authentication: log in and out, create an account."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from grants.extensions import db, limiter, login_manager
from grants.forms.auth import ForgotPasswordForm, LoginForm, RegisterForm, ResetPasswordForm
from grants.models import User
from grants.services import accounts, password_reset

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id))


login_manager.login_view = "auth.login"
login_manager.login_message = "Connectez-vous pour accéder à cette page."


def _login_limit() -> str:
    return current_app.extensions["grants_settings"].login_rate_limit


def _safe_next(target: str | None) -> str:
    """Only same-site paths: no scheme, no host, and no backslash (browsers read it as '/')."""
    if target and target.startswith("/") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and not target.startswith("//"):
            return target
    return url_for("promoter.dashboard")


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():  # type: ignore[no-untyped-def]
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            db.session.commit()
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        form.email.errors = ["Adresse électronique ou mot de passe incorrect."]
    status = 422 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/deconnexion")
@login_required
def logout():  # type: ignore[no-untyped-def]
    logout_user()
    flash("Vous êtes déconnecté.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/inscription", methods=["GET", "POST"])
def register():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        return redirect(url_for("promoter.dashboard"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = accounts.register_user(
                email=form.email.data or "",
                full_name=form.full_name.data or "",
                password=form.password.data or "",
            )
        except accounts.AccountError as exc:
            form.email.errors = [str(exc)]
        else:
            db.session.commit()
            login_user(user)
            flash("Votre compte est créé. Déclarez maintenant votre organisation.", "success")
            return redirect(url_for("promoter.dashboard"))
    status = 422 if form.errors else 200
    return render_template("auth/register.html", form=form), status


@bp.route("/mot-de-passe-oublie", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password():  # type: ignore[no-untyped-def]
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        password_reset.request_reset(form.email.data or "")
        db.session.commit()
        flash(
            "Si un compte existe avec cette adresse, un courriel vient de lui être envoyé "
            "avec un lien valable une heure.",
            "info",
        )
        return redirect(url_for("auth.login"))
    status = 422 if form.errors else 200
    return render_template("auth/forgot_password.html", form=form), status


@bp.route("/mot-de-passe/<token>", methods=["GET", "POST"])
def reset_password(token: str):  # type: ignore[no-untyped-def]
    user = password_reset.user_for_token(token)
    if user is None:
        return render_template("auth/reset_invalid.html"), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        password_reset.reset_password(user, form.password.data or "")
        db.session.commit()
        flash("Votre mot de passe est modifié. Vous pouvez vous connecter.", "success")
        return redirect(url_for("auth.login"))
    status = 422 if form.errors else 200
    return render_template("auth/reset_password.html", form=form), status
