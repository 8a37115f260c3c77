"""Private annotations per financer and opinions (avis) on a dossier."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from grants.extensions import db
from grants.forms.instruction import AnnotationEditForm, AnnotationForm, OpinionForm
from grants.models import Annotation, Dossier
from grants.permissions import staff_dossier_or_404
from grants.services import annotations as notes
from grants.services import assignment
from grants.services import opinions as avis
from grants.views.instruction import bp
from grants.views.instruction.helpers import presence_warnings, refused

OPINION_ITEM = "opinion"


def _dossier_url(dossier: Dossier, anchor: str) -> str:
    return url_for("instruction.dossier", dossier_id=dossier.id) + anchor


def _item(annotation: Annotation) -> str:
    return f"annotation:{annotation.id}"


def _annotation(dossier: Dossier, annotation_id: int) -> Annotation:
    annotation = notes.annotation_or_none(dossier, annotation_id, current_user)
    if annotation is None:
        abort(404)
    return annotation


def _render_annotation(dossier, form, annotation=None, status=200, warnings=()):  # type: ignore[no-untyped-def]
    return render_template(
        "instruction/annotation_form.html",
        dossier=dossier,
        form=form,
        annotation=annotation,
        presence_warnings=list(warnings),
    ), status


@bp.post("/dossiers/<int:dossier_id>/annotations")
def create_annotation(dossier_id: int):  # type: ignore[no-untyped-def]
    dossier = staff_dossier_or_404(current_user, dossier_id)
    financers = notes.writable_financers(current_user, dossier)
    if not financers:
        return refused(dossier.id, 403, "Vous ne pouvez pas annoter ce dossier.")
    form = AnnotationForm()
    form.financer_id.choices = [SelectChoice(f.id, f.name) for f in dossier.financers]
    if not form.validate_on_submit():
        form.financer_id.choices = [SelectChoice(f.id, f.name) for f in financers]
        return _render_annotation(dossier, form, status=422)
    try:
        notes.create_annotation(
            dossier,
            actor=current_user,
            financer_id=form.financer_id.data,
            body=form.body.data,
            shared=bool(form.shared.data),
        )
    except notes.AnnotationRefusedError as error:
        db.session.rollback()
        return refused(dossier_id, error.status, error.message)
    db.session.commit()
    flash("Annotation enregistrée.", "success")
    return redirect(_dossier_url(dossier, "#annotations"))


@bp.get("/dossiers/<int:dossier_id>/annotations/<int:annotation_id>/modifier")
def edit_annotation_form(dossier_id: int, annotation_id: int):  # type: ignore[no-untyped-def]
    dossier = staff_dossier_or_404(current_user, dossier_id)
    annotation = _annotation(dossier, annotation_id)
    if annotation.author_id != current_user.id:
        return refused(dossier.id, 403, "Seul l'auteur d'une annotation peut la modifier.")
    form = AnnotationEditForm(obj=annotation)
    form.lock_version.data = annotation.lock_version
    others = assignment.touch_presence(dossier.id, _item(annotation), current_user)
    response = _render_annotation(dossier, form, annotation, warnings=presence_warnings(others))
    db.session.commit()
    return response


@bp.post("/dossiers/<int:dossier_id>/annotations/<int:annotation_id>/modifier")
def edit_annotation(dossier_id: int, annotation_id: int):  # type: ignore[no-untyped-def]
    dossier = staff_dossier_or_404(current_user, dossier_id)
    annotation = _annotation(dossier, annotation_id)
    form = AnnotationEditForm()
    if not form.validate_on_submit():
        return _render_annotation(dossier, form, annotation, status=422)
    raw = form.lock_version.data or ""
    try:
        notes.update_annotation(
            annotation,
            actor=current_user,
            body=form.body.data,
            shared=bool(form.shared.data),
            expected_version=int(raw) if raw.isdigit() else None,
        )
    except notes.AnnotationRefusedError as error:
        db.session.rollback()
        return refused(dossier_id, error.status, error.message)
    assignment.leave(dossier.id, _item(annotation), current_user)
    db.session.commit()
    flash("Annotation modifiée.", "success")
    return redirect(_dossier_url(dossier, "#annotations"))


@bp.post("/dossiers/<int:dossier_id>/annotations/<int:annotation_id>/supprimer")
def delete_annotation(dossier_id: int, annotation_id: int):  # type: ignore[no-untyped-def]
    dossier = staff_dossier_or_404(current_user, dossier_id)
    annotation = _annotation(dossier, annotation_id)
    try:
        notes.delete_annotation(annotation, actor=current_user)
    except notes.AnnotationRefusedError as error:
        db.session.rollback()
        return refused(dossier_id, error.status, error.message)
    db.session.commit()
    flash("Annotation supprimée.", "success")
    return redirect(_dossier_url(dossier, "#annotations"))


def _render_opinion(dossier, form, status=200, warnings=()):  # type: ignore[no-untyped-def]
    financers = avis.opinion_financers(current_user, dossier)
    form.financer_id.choices = [SelectChoice(f.id, f.name) for f in financers]
    return render_template(
        "instruction/opinion_form.html",
        dossier=dossier,
        form=form,
        source=avis.source_of(current_user),
        financers=financers,
        presence_warnings=list(warnings),
    ), status


@bp.get("/dossiers/<int:dossier_id>/avis/nouveau")
def opinion_form(dossier_id: int):  # type: ignore[no-untyped-def]
    dossier = staff_dossier_or_404(current_user, dossier_id)
    if not avis.may_give_opinion(current_user, dossier):
        return refused(
            dossier.id, 403, "Votre rôle ne permet pas de donner un avis sur ce dossier."
        )
    form = OpinionForm()
    form.seen_latest_id.data = str(avis.latest_id(dossier, current_user))
    others = assignment.touch_presence(dossier.id, OPINION_ITEM, current_user)
    response = _render_opinion(dossier, form, warnings=presence_warnings(others))
    db.session.commit()
    return response


@bp.post("/dossiers/<int:dossier_id>/avis")
def give_opinion(dossier_id: int):  # type: ignore[no-untyped-def]
    dossier = staff_dossier_or_404(current_user, dossier_id)
    form = OpinionForm()
    form.financer_id.choices = [SelectChoice(f.id, f.name) for f in dossier.financers]
    if not form.validate_on_submit():
        return _render_opinion(dossier, form, status=422)
    raw = form.seen_latest_id.data or ""
    try:
        avis.give_opinion(
            dossier,
            actor=current_user,
            financer_id=form.financer_id.data,
            recommendation=form.recommendation.data,
            text=form.text.data,
            seen_latest_id=int(raw) if raw.isdigit() else None,
        )
    except avis.OpinionRefusedError as error:
        db.session.rollback()
        return refused(dossier_id, error.status, error.message)
    assignment.leave(dossier.id, OPINION_ITEM, current_user)
    db.session.commit()
    flash("Avis enregistré.", "success")
    return redirect(_dossier_url(dossier, "#avis"))
