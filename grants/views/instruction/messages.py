"""The instructors' side of a dossier's message thread with the promoter."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from grants.forms.messages import MessageForm
from grants.models import Dossier
from grants.permissions import staff_dossier_or_404
from grants.services import messages as service
from grants.views import message_thread
from grants.views.instruction import bp


@bp.app_template_global()
def staff_messages_panel(dossier: Dossier, form: MessageForm | None = None) -> dict[str, object]:
    """What instruction/_messages.html shows: the thread and the form to write."""
    return {
        "messages": service.thread(dossier),
        "form": form or MessageForm(formdata=None),
        "max_upload_mb": message_thread.max_upload_mb(),
    }


@bp.route("/dossiers/<int:dossier_id>/messages", methods=["GET", "POST"])
def messages(dossier_id: int):  # type: ignore[no-untyped-def]
    dossier = staff_dossier_or_404(current_user, dossier_id)
    form = MessageForm()
    if form.is_submitted():
        status = message_thread.post(dossier, form, "staff")
        if status is None:
            flash("Votre message est envoyé au porteur.", "success")
            return redirect(url_for("instruction.messages", dossier_id=dossier_id) + "#messages")
        return render_template("instruction/messages.html", dossier=dossier, form=form), status
    return render_template("instruction/messages.html", dossier=dossier, form=None)


@bp.get("/dossiers/<int:dossier_id>/messages/pieces-jointes/<int:attachment_id>")
def message_attachment(dossier_id: int, attachment_id: int):  # type: ignore[no-untyped-def]
    return message_thread.download(staff_dossier_or_404(current_user, dossier_id), attachment_id)
