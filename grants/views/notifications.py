"""In-app notifications for every logged-in user, and their email preference."""

from __future__ import annotations

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from grants.extensions import db
from grants.notifications import inbox
from grants.notifications.forms import PreferencesForm

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.get("")
def index():  # type: ignore[no-untyped-def]
    return render_template("notifications/index.html", notifications=inbox.latest(current_user))


@bp.post("/<int:notification_id>/lu")
def mark_one(notification_id: int):  # type: ignore[no-untyped-def]
    if not inbox.mark_read(current_user, notification_id):
        abort(404)
    db.session.commit()
    return redirect(url_for("notifications.index"))


@bp.post("/tout-lu")
def mark_all():  # type: ignore[no-untyped-def]
    count = inbox.mark_read(current_user)
    db.session.commit()
    flash(f"{count} notification(s) marquée(s) comme lue(s).", "success")
    return redirect(url_for("notifications.index"))


@bp.route("/preferences", methods=["GET", "POST"])
def preferences():  # type: ignore[no-untyped-def]
    form = PreferencesForm(
        data={"notification_mode": current_user.notification_mode}
        if request.method == "GET"
        else None
    )
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("notifications/preferences.html", form=form), 422
        inbox.set_mode(current_user, form.notification_mode.data)
        db.session.commit()
        flash("Vos préférences de notification sont enregistrées.", "success")
        return redirect(url_for("notifications.preferences"))
    return render_template("notifications/preferences.html", form=form)


def _unread_notifications() -> int:
    """One COUNT per page that asks for it (the header, for a logged-in user)."""
    if not current_user.is_authenticated:
        return 0
    try:
        return inbox.unread_count(current_user.id)
    except SQLAlchemyError:  # an error page after a failed transaction still renders
        return 0


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals["unread_notifications"] = _unread_notifications
