"""Recording the sitting: open it, attendance, and one page per agenda item (conflicts of
interest, the joint opinion, reservations or deferral reasons, amounts per financer)."""

from __future__ import annotations

from decimal import Decimal

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from grants.extensions import db
from grants.forms.committee import ItemFormBase, build_attendance_form, build_item_form, version_of
from grants.models import CommitteeItem, CommitteeSession
from grants.models.choices import AID_TYPES
from grants.services import committee as service
from grants.services import committee_recording as recording
from grants.services.committee import CommitteeRefused
from grants.services.proposed_amounts import amounts_of
from grants.views.committee import bp
from grants.views.committee.helpers import item_or_404, refused, session_or_404, version_from_form
from grants.views.committee.sessions import render_session


@bp.post("/seances/<int:session_id>/ouvrir")
def open_recording(session_id: int):  # type: ignore[no-untyped-def]
    session = session_or_404(session_id)
    try:
        recording.open_recording(session, actor=current_user, expected_version=version_from_form())
    except CommitteeRefused as error:
        return refused(session, error)
    db.session.commit()
    flash("Séance ouverte : enregistrez les présences puis l'avis sur chaque dossier.", "success")
    return redirect(url_for("committee.session", session_id=session.id) + "#presences")


@bp.post("/seances/<int:session_id>/presences")
def attendance(session_id: int):  # type: ignore[no-untyped-def]
    session = session_or_404(session_id)
    form = build_attendance_form(session.members)
    if not form.validate_on_submit():
        return render_session(session, 422, attendance_form=form)
    values = {m.id: form[f"attendance_{m.id}"].data or None for m in session.members}
    try:
        recording.record_attendance(
            session, values, actor=current_user, expected_version=version_of(form)
        )
    except CommitteeRefused as error:
        return refused(session, error)
    db.session.commit()
    flash("Présences enregistrées.", "success")
    return redirect(url_for("committee.session", session_id=session.id) + "#presences")


# --- one item ----------------------------------------------------------------------------------


def _aid_types(item: CommitteeItem) -> list[str]:
    wanted = [code for code in AID_TYPES if code in (item.dossier.aid_types or [])]
    return wanted or list(AID_TYPES)


def _form(item: CommitteeItem, **kwargs: object) -> ItemFormBase:
    return build_item_form(
        list(item.dossier.financers), _aid_types(item), list(item.session.members), **kwargs
    )


def _prefilled(item: CommitteeItem) -> ItemFormBase:
    form = _form(item, formdata=None)
    form.opinion.data = item.opinion
    form.reservations.data = item.reservations
    form.deferral_reasons.data = item.deferral_reasons
    form.discussion.data = item.discussion
    form.lock_version.data = str(item.lock_version)
    amounts = {(a.financer_id, a.aid_type): a.amount for a in item.amounts}
    for financer_id, aid_type, name in form.amount_fields:
        form[name].data = amounts.get((financer_id, aid_type))
    conflicts = {c.member_id: c.note for c in item.conflicts}
    for member_id, box, note in form.conflict_fields:
        form[box].data = member_id in conflicts
        form[note].data = conflicts.get(member_id, "")
    return form


def _render_item(  # type: ignore[no-untyped-def]
    session: CommitteeSession, item: CommitteeItem, form: ItemFormBase, status: int = 200
):
    financer_of_track = {track.id: track.financer_id for track in item.dossier.tracks}
    proposals = {
        (financer_of_track[p.track_id], p.aid_type): p.amount for p in amounts_of(item.dossier)
    }
    return render_template(
        "committee/item.html",
        session=session,
        item=item,
        form=form,
        proposals=proposals,
        secretary=service.is_secretary(current_user),
        members={m.id: m for m in session.members},
    ), status


@bp.get("/seances/<int:session_id>/points/<int:item_id>")
def item(session_id: int, item_id: int):  # type: ignore[no-untyped-def]
    session = session_or_404(session_id)
    found = item_or_404(session, item_id)
    return _render_item(session, found, _prefilled(found))


@bp.post("/seances/<int:session_id>/points/<int:item_id>")
def record_item(session_id: int, item_id: int):  # type: ignore[no-untyped-def]
    session = session_or_404(session_id)
    found = item_or_404(session, item_id)
    form = _form(found)
    if not form.validate_on_submit():
        return _render_item(session, found, form, 422)
    record = recording.ItemRecord(
        opinion=form.opinion.data or "",
        reservations=form.reservations.data or "",
        deferral_reasons=form.deferral_reasons.data or "",
        discussion=form.discussion.data or "",
        amounts={
            (financer_id, aid_type): Decimal(form[name].data)
            for financer_id, aid_type, name in form.amount_fields
            if form[name].data is not None
        },
        conflicts={
            member_id: form[note].data or ""
            for member_id, box, note in form.conflict_fields
            if form[box].data
        },
    )
    try:
        recording.record_item(found, record, actor=current_user, expected_version=version_of(form))
    except CommitteeRefused as error:
        if error.status != 422:
            return refused(session, error)
        db.session.rollback()
        form.form_errors.append(error.message)
        form.form_errors.extend(error.reasons)
        return _render_item(session, found, form, 422)
    reference = found.dossier.reference
    db.session.commit()
    flash(f"Avis du comité enregistré pour le dossier {reference}.", "success")
    return redirect(url_for("committee.session", session_id=session.id) + "#ordre-du-jour")
