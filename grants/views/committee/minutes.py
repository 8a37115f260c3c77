"""The procès-verbal: generate or regenerate the draft, approve it, correct an approved version,
download any version (approved ones exactly as frozen)."""

from __future__ import annotations

from io import BytesIO

from flask import abort, current_app, flash, redirect, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from grants.extensions import db
from grants.forms.committee import MinutesForm, version_of
from grants.models import CommitteeMinutes, CommitteeSession
from grants.services import committee_minutes as service
from grants.services.committee import CommitteeRefused
from grants.storage import StorageError
from grants.views.committee import bp
from grants.views.committee.helpers import refused, session_or_404, version_from_form
from grants.views.committee.sessions import render_session


def _minutes_or_404(session: CommitteeSession, version: int) -> CommitteeMinutes:
    found = db.session.scalar(
        select(CommitteeMinutes).where(
            CommitteeMinutes.session_id == session.id, CommitteeMinutes.version == version
        )
    )
    if found is None:
        abort(404)
    return found


@bp.post("/seances/<int:session_id>/proces-verbal")
def generate_minutes(session_id: int):  # type: ignore[no-untyped-def]
    session = session_or_404(session_id)
    form = MinutesForm()
    if not form.validate_on_submit():
        return render_session(session, 422, minutes_form=form)
    correcting = session.state == "closed"
    try:
        minutes = service.generate(
            session,
            actor=current_user,
            expected_version=version_of(form),
            correction_reason=form.correction_reason.data or "",
        )
    except CommitteeRefused as error:
        if error.status != 422 or not correcting:
            return refused(session, error)
        db.session.rollback()
        form.correction_reason.errors = [error.message]
        return render_session(session, 422, minutes_form=form)
    version = minutes.version
    db.session.commit()
    done = "correction ouverte." if correcting else "projet généré, à relire avant approbation."
    flash(f"Procès-verbal, version {version} : {done}", "success")
    return redirect(url_for("committee.session", session_id=session.id) + "#proces-verbal")


@bp.post("/seances/<int:session_id>/proces-verbal/<int:version>/approuver")
def approve_minutes(session_id: int, version: int):  # type: ignore[no-untyped-def]
    session = session_or_404(session_id)
    minutes = _minutes_or_404(session, version)
    try:
        service.approve(minutes, actor=current_user, expected_version=version_from_form())
    except CommitteeRefused as error:
        return refused(session, error)
    db.session.commit()
    flash(f"Procès-verbal, version {version}, approuvé : la séance est close.", "success")
    return redirect(url_for("committee.session", session_id=session.id) + "#proces-verbal")


@bp.get("/seances/<int:session_id>/proces-verbal/<int:version>.pdf")
def minutes_pdf(session_id: int, version: int):  # type: ignore[no-untyped-def]
    session = session_or_404(session_id)
    minutes = _minutes_or_404(session, version)
    if minutes.storage_key is None:
        abort(404)
    backend = current_app.extensions["grants_storage"]
    name = service.filename(minutes)
    if minutes.state == "draft":
        url = backend.download_url(minutes.storage_key, name)
        if url:
            return redirect(url)
    try:
        data = service.read_pdf(minutes)
    except StorageError:
        abort(404)
    except CommitteeRefused as error:
        return refused(session, error)
    response = send_file(
        BytesIO(data),
        mimetype=service.CONTENT_TYPE,
        as_attachment=True,
        download_name=name,
        etag=minutes.sha256 or False,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
