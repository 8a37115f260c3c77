"""Committee sessions: the list, creating and editing a session, its page, members and guests."""

from __future__ import annotations

import contextlib
from typing import Any

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.routing import BuildError
from wtforms.fields.choices import SelectChoice

from grants.extensions import db
from grants.forms.committee import (
    MemberForm,
    MinutesForm,
    SessionForm,
    build_attendance_form,
    build_reorder_form,
    version_of,
)
from grants.models import CommitteeSession, User
from grants.permissions import staff_can_see
from grants.services import committee as service
from grants.services import committee_agenda as agenda
from grants.services import committee_minutes as minutes_service
from grants.services.committee import CommitteeRefused
from grants.views.committee import bp
from grants.views.committee.helpers import member_or_404, refused, session_or_404


@bp.get("/")
def sessions():  # type: ignore[no-untyped-def]
    upcoming, past = service.sessions_for(current_user)
    return render_template(
        "committee/sessions.html",
        upcoming=upcoming,
        past=past,
        secretary=service.is_secretary(current_user),
    )


# --- creating and editing ----------------------------------------------------------------------


def _render_form(form: SessionForm, session: CommitteeSession | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    return render_template("committee/session_form.html", form=form, session=session), status


def _secretary_only():  # type: ignore[no-untyped-def]
    if not service.is_secretary(current_user):
        return refused(
            None,
            CommitteeRefused(
                403, "Seul le secrétariat du comité peut créer et modifier les séances."
            ),
        )
    return None


@bp.get("/seances/nouvelle")
def new_session():  # type: ignore[no-untyped-def]
    denied = _secretary_only()
    if denied:
        return denied
    return _render_form(SessionForm())


@bp.post("/seances/nouvelle")
def create_session():  # type: ignore[no-untyped-def]
    denied = _secretary_only()
    if denied:
        return denied
    form = SessionForm()
    if not form.validate_on_submit():
        return _render_form(form, status=422)
    try:
        created = service.create_session(actor=current_user, **_values(form))
    except CommitteeRefused as error:
        db.session.rollback()
        form.title.errors = [error.message]
        return _render_form(form, status=error.status)
    db.session.commit()
    flash("Séance créée : nommez ses membres et construisez son ordre du jour.", "success")
    return redirect(url_for("committee.session", session_id=created.id))


def _values(form: SessionForm) -> dict[str, Any]:
    return {
        "title": form.title.data or "",
        "kind": form.kind.data,
        "meets_at": service.paris_to_utc(form.day.data, form.at.data),  # type: ignore[arg-type]
        "place": form.place.data or "",
        "video_link": form.video_link.data or "",
    }


@bp.get("/seances/<int:session_id>/modifier")
def edit_session(session_id: int):  # type: ignore[no-untyped-def]
    session = session_or_404(session_id)
    denied = _secretary_only()
    if denied:
        return denied
    local = service.in_paris(session.meets_at)
    form = SessionForm(obj=session, day=local.date(), at=local.time().replace(tzinfo=None))
    form.lock_version.data = str(session.lock_version)
    return _render_form(form, session)


@bp.post("/seances/<int:session_id>/modifier")
def update_session(session_id: int):  # type: ignore[no-untyped-def]
    session = session_or_404(session_id)
    denied = _secretary_only()
    if denied:
        return denied
    form = SessionForm()
    if not form.validate_on_submit():
        return _render_form(form, session, status=422)
    try:
        service.update_session(
            session, actor=current_user, expected_version=version_of(form), **_values(form)
        )
    except CommitteeRefused as error:
        return refused(session, error)
    db.session.commit()
    flash("Séance modifiée.", "success")
    return redirect(url_for("committee.session", session_id=session.id))


# --- the session page --------------------------------------------------------------------------


def render_session(session: CommitteeSession, status: int = 200, **forms: Any):  # type: ignore[no-untyped-def]
    secretary = service.is_secretary(current_user)
    member_form = forms.get("member_form")
    if member_form is None:
        member_form = MemberForm(formdata=None)
    member_form.user_id.choices = _user_choices(session)
    attendance_form = forms.get("attendance_form")
    if attendance_form is None:
        attendance_form = build_attendance_form(session.members, formdata=None)
    reorder_form = forms.get("reorder_form")
    if reorder_form is None:
        reorder_form = build_reorder_form(session.items, formdata=None)
    minutes_form = forms.get("minutes_form")
    if minutes_form is None:
        minutes_form = MinutesForm(formdata=None)
    for form in (member_form, attendance_form, reorder_form, minutes_form):
        if not form.lock_version.data:
            form.lock_version.data = str(session.lock_version)
    return render_template(
        "committee/session.html",
        session=session,
        secretary=secretary,
        member_form=member_form,
        attendance_form=attendance_form,
        reorder_form=reorder_form,
        minutes_form=minutes_form,
        candidates=agenda.candidates(session, current_user) if secretary else [],
        visible={i.dossier_id for i in session.items if staff_can_see(current_user, i.dossier)},
        minutes=list(session.minutes),
        latest_minutes=minutes_service.latest(session),
        pack=_pack(session),
    ), status


def _user_choices(session: CommitteeSession) -> list[SelectChoice]:
    named = {m.user_id for m in session.members}
    return [SelectChoice("", "— Personne sans compte —")] + [
        SelectChoice(u.id, _describe(u)) for u in service.staff_users() if u.id not in named
    ]


def _describe(user: User) -> str:
    financers = ", ".join(f.name for f in user.financers)
    return f"{user.full_name} ({financers})" if financers else user.full_name


def _pack(session: CommitteeSession) -> dict[str, Any] | None:
    """The committee pack's status and links (built by grants.services.committee_pack)."""
    if session.state == "preparing":
        return None
    from grants.services.committee_pack import pack_status

    status = pack_status(session)
    links = {}
    for name, endpoint in (("progress", "committee.pack_progress"), ("download", "committee.pack")):
        if endpoint in current_app.view_functions:
            with contextlib.suppress(BuildError):
                links[name] = url_for(endpoint, session_id=session.id)
    return {"status": status, **links}


@bp.get("/seances/<int:session_id>")
def session(session_id: int):  # type: ignore[no-untyped-def]
    return render_session(session_or_404(session_id))


# --- members and guests ------------------------------------------------------------------------


@bp.post("/seances/<int:session_id>/membres")
def add_member(session_id: int):  # type: ignore[no-untyped-def]
    session = session_or_404(session_id)
    form = MemberForm()
    form.user_id.choices = _user_choices(session)
    if not form.validate_on_submit():
        return render_session(session, 422, member_form=form)
    user = db.session.get(User, form.user_id.data) if form.user_id.data else None
    try:
        service.add_member(
            session,
            actor=current_user,
            expected_version=version_of(form),
            role=form.role.data,
            user=user,
            full_name=form.full_name.data or "",
            institution=form.institution.data or "",
            email=form.email.data or "",
        )
    except CommitteeRefused as error:
        if error.status != 422:
            return refused(session, error)
        db.session.rollback()
        target = form[error.field or "full_name"]
        target.errors = [*target.errors, error.message]
        return render_session(session, 422, member_form=form)
    db.session.commit()
    flash("Personne ajoutée à la séance.", "success")
    return redirect(url_for("committee.session", session_id=session.id) + "#membres")


@bp.post("/seances/<int:session_id>/membres/<int:member_id>/retirer")
def remove_member(session_id: int, member_id: int):  # type: ignore[no-untyped-def]
    from grants.views.committee.helpers import version_from_form

    session = session_or_404(session_id)
    member = member_or_404(session, member_id)
    try:
        service.remove_member(
            session, member, actor=current_user, expected_version=version_from_form()
        )
    except CommitteeRefused as error:
        return refused(session, error)
    db.session.commit()
    flash("Personne retirée de la séance.", "success")
    return redirect(url_for("committee.session", session_id=session.id) + "#membres")
