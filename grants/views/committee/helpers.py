"""Shared bits of the committee pages: loading a session within the reader's scope, refusals."""

from __future__ import annotations

from flask import abort, render_template
from flask_login import current_user

from grants.extensions import db
from grants.models import CommitteeItem, CommitteeMember, CommitteeSession
from grants.services.committee import CommitteeRefused, readable_session


def session_or_404(session_id: int) -> CommitteeSession:
    """The secretariat reads every session; other staff only the sessions they are named in."""
    found = readable_session(current_user, session_id)
    if found is None:
        abort(404)
    return found


def item_or_404(session: CommitteeSession, item_id: int) -> CommitteeItem:
    item = db.session.get(CommitteeItem, item_id)
    if item is None or item.session_id != session.id:
        abort(404)
    return item


def member_or_404(session: CommitteeSession, member_id: int) -> CommitteeMember:
    member = db.session.get(CommitteeMember, member_id)
    if member is None or member.session_id != session.id:
        abort(404)
    return member


def refused(session: CommitteeSession | None, error: CommitteeRefused):  # type: ignore[no-untyped-def]
    """A refused operation, explained on its own page with a way back (403, 404, 409, 422)."""
    session_id = session.id if session is not None else None
    db.session.rollback()
    return render_template(
        "committee/refused.html",
        session_id=session_id,
        status=error.status,
        message=error.message,
        reasons=error.reasons,
    ), error.status


def version_from_form(name: str = "lock_version") -> int | None:
    from flask import request

    raw = request.form.get(name, "")
    return int(raw) if raw.isdigit() else None
