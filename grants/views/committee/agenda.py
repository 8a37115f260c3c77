"""Building the agenda: add a candidate, remove or move an item, explicit ranks, freeze."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user

from grants.extensions import db
from grants.forms.committee import build_reorder_form, version_of
from grants.permissions import staff_dossier_or_404
from grants.services import committee_agenda as agenda
from grants.services.committee import CommitteeRefused
from grants.views.committee import bp
from grants.views.committee.helpers import item_or_404, refused, session_or_404, version_from_form
from grants.views.committee.sessions import render_session


def _back(session_id: int, anchor: str = "#ordre-du-jour"):  # type: ignore[no-untyped-def]
    return redirect(url_for("committee.session", session_id=session_id) + anchor)


@bp.post("/seances/<int:session_id>/ordre-du-jour")
def add_item(session_id: int):  # type: ignore[no-untyped-def]
    session = session_or_404(session_id)
    raw = request.form.get("dossier_id", "")
    if not raw.isdigit():
        return refused(session, CommitteeRefused(422, "Choisissez un dossier à inscrire."))
    dossier = staff_dossier_or_404(current_user, int(raw))
    try:
        item = agenda.add_item(
            session, dossier, actor=current_user, expected_version=version_from_form()
        )
    except CommitteeRefused as error:
        return refused(session, error)
    reference = item.dossier.reference
    db.session.commit()
    flash(f"Dossier {reference} inscrit à l'ordre du jour.", "success")
    return _back(session.id)


@bp.post("/seances/<int:session_id>/ordre-du-jour/<int:item_id>/retirer")
def remove_item(session_id: int, item_id: int):  # type: ignore[no-untyped-def]
    session = session_or_404(session_id)
    item = item_or_404(session, item_id)
    reference = item.dossier.reference
    try:
        agenda.remove_item(session, item, actor=current_user, expected_version=version_from_form())
    except CommitteeRefused as error:
        return refused(session, error)
    db.session.commit()
    flash(f"Dossier {reference} retiré de l'ordre du jour : il retourne en instruction.", "success")
    return _back(session.id)


@bp.post("/seances/<int:session_id>/ordre-du-jour/<int:item_id>/deplacer")
def move_item(session_id: int, item_id: int):  # type: ignore[no-untyped-def]
    session = session_or_404(session_id)
    item = item_or_404(session, item_id)
    try:
        agenda.move_item(
            session,
            item,
            request.form.get("direction", ""),
            actor=current_user,
            expected_version=version_from_form(),
        )
    except CommitteeRefused as error:
        return refused(session, error)
    db.session.commit()
    return _back(session.id)


@bp.post("/seances/<int:session_id>/ordre-du-jour/rangs")
def reorder(session_id: int):  # type: ignore[no-untyped-def]
    session = session_or_404(session_id)
    items = list(session.items)
    form = build_reorder_form(items)
    if not form.validate_on_submit():
        return render_session(session, 422, reorder_form=form)
    positions = {item.id: form[f"rank_{item.id}"].data for item in items}
    try:
        agenda.reorder(session, positions, actor=current_user, expected_version=version_of(form))
    except CommitteeRefused as error:
        return refused(session, error)
    db.session.commit()
    flash("Ordre du jour réordonné.", "success")
    return _back(session.id)


@bp.post("/seances/<int:session_id>/arreter")
def freeze(session_id: int):  # type: ignore[no-untyped-def]
    session = session_or_404(session_id)
    try:
        agenda.freeze(session, actor=current_user, expected_version=version_from_form())
    except CommitteeRefused as error:
        return refused(session, error)
    db.session.commit()
    flash(
        "Ordre du jour arrêté : la convocation est envoyée et le dossier de séance est en cours "
        "de génération.",
        "success",
    )
    return _back(session.id, "#dossier-de-seance")
