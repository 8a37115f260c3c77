"""The promoter's side of a dossier's message thread with the instructors."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from grants.forms.messages import MessageForm
from grants.models import Dossier
from grants.permissions import dossier_or_404
from grants.services import messages as service
from grants.views import message_thread
from grants.views.promoter import bp


@bp.app_template_global()
def promoter_messages_panel(dossier: Dossier, form: MessageForm | None = None) -> dict[str, object]:
    """What promoter/_messages.html shows: the thread, and the form once the dossier is filed."""
    filed = dossier.state != "draft"
    return {
        "messages": service.thread(dossier) if filed else [],
        "form": (form or MessageForm(formdata=None)) if filed else None,
        "max_upload_mb": message_thread.max_upload_mb(),
    }


@bp.route("/dossiers/<int:dossier_id>/messages", methods=["GET", "POST"])
def messages(dossier_id: int):  # type: ignore[no-untyped-def]
    dossier = dossier_or_404(current_user, dossier_id)
    form = MessageForm()
    if form.is_submitted():
        if dossier.state == "draft":
            return render_template(
                "error.html",
                code=409,
                title="Messagerie indisponible",
                message="La messagerie avec les instructeurs s'ouvre une fois le dossier déposé.",
            ), 409
        status = message_thread.post(dossier, form, "promoter")
        if status is None:
            flash("Votre message est envoyé aux instructeurs du dossier.", "success")
            return redirect(url_for("promoter.messages", dossier_id=dossier_id) + "#messages")
        return render_template("promoter/messages.html", dossier=dossier, form=form), status
    return render_template("promoter/messages.html", dossier=dossier, form=None)


@bp.get("/dossiers/<int:dossier_id>/messages/pieces-jointes/<int:attachment_id>")
def message_attachment(dossier_id: int, attachment_id: int):  # type: ignore[no-untyped-def]
    return message_thread.download(dossier_or_404(current_user, dossier_id), attachment_id)
