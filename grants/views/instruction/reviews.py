"""Completeness per financer: accept or reject (with a reason) each uploaded piece."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from grants.extensions import db
from grants.forms.instruction import PieceReviewForm
from grants.models import Attachment, Dossier
from grants.permissions import staff_dossier_or_404
from grants.services import assignment
from grants.services.pieces import is_live
from grants.services.reviews import (
    ReviewRefusedError,
    review_piece,
    review_stamp,
    reviewable_financers,
)
from grants.views.instruction import bp
from grants.views.instruction.helpers import presence_warnings, refused

OPTIONS = (
    selectinload(Dossier.attachments).selectinload(Attachment.reviews),
    selectinload(Dossier.tracks),
)


def _load(dossier_id: int, attachment_id: int) -> tuple[Dossier, Attachment]:
    dossier = staff_dossier_or_404(current_user, dossier_id, OPTIONS)
    attachment = next((a for a in dossier.attachments if a.id == attachment_id), None)
    if attachment is None or not is_live(attachment):
        abort(404)
    return dossier, attachment


def _item(attachment: Attachment) -> str:
    return f"piece:{attachment.id}"


def _render(dossier: Dossier, attachment: Attachment, form: PieceReviewForm, status: int = 200):  # type: ignore[no-untyped-def]
    financers = reviewable_financers(current_user, dossier)
    form.financer_id.choices = [SelectChoice(f.id, f.name) for f in financers]
    others = assignment.others_present(dossier.id, _item(attachment), current_user)
    return render_template(
        "instruction/review.html",
        dossier=dossier,
        attachment=attachment,
        form=form,
        financers=financers,
        presence_warnings=presence_warnings(others),
    ), status


@bp.get("/dossiers/<int:dossier_id>/pieces/<int:attachment_id>/review")
def review_form(dossier_id: int, attachment_id: int):  # type: ignore[no-untyped-def]
    dossier, attachment = _load(dossier_id, attachment_id)
    financers = reviewable_financers(current_user, dossier)
    if not financers:
        return refused(dossier.id, 403, "Vous ne pouvez pas examiner les pièces de ce dossier.")
    form = PieceReviewForm()
    first = financers[0].id
    form.financer_id.data = first
    mine = next((r for r in attachment.reviews if r.financer_id == first), None)
    form.review_stamp.data = review_stamp(mine)
    if mine is not None:
        form.status.data, form.reason.data = mine.status, mine.reason
    assignment.touch_presence(dossier.id, _item(attachment), current_user)
    response = _render(dossier, attachment, form)
    db.session.commit()
    return response


@bp.post("/dossiers/<int:dossier_id>/pieces/<int:attachment_id>/review")
def review(dossier_id: int, attachment_id: int):  # type: ignore[no-untyped-def]
    dossier, attachment = _load(dossier_id, attachment_id)
    form = PieceReviewForm()
    # Any targeted financer passes the form; the service answers 403 for another's financer.
    form.financer_id.choices = [SelectChoice(f.id, f.name) for f in dossier.financers]
    if not form.validate_on_submit():
        return _render(dossier, attachment, form, 422)
    try:
        review_piece(
            dossier,
            attachment,
            actor=current_user,
            financer_id=form.financer_id.data,
            status=form.status.data,
            reason=form.reason.data,
            seen_stamp=form.review_stamp.data if form.review_stamp.raw_data else None,
        )
    except ReviewRefusedError as error:
        db.session.rollback()
        if error.status == 422:
            form.reason.errors = [*form.reason.errors, error.message]
            return _render(dossier, attachment, form, 422)
        return refused(dossier_id, error.status, error.message)
    assignment.leave(dossier.id, _item(attachment), current_user)
    db.session.commit()
    verdict = "acceptée" if form.status.data == "accepted" else "refusée"
    flash(f"Pièce « {attachment.piece.label} » {verdict}.", "success")
    return redirect(url_for("instruction.dossier", dossier_id=dossier.id) + "#pieces")
