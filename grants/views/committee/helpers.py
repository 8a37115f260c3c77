"""Shared bits of the committee pages: loading a session within the reader's scope, refusals."""

from __future__ import annotations

from flask import abort, url_for
from flask_login import current_user

from grants.extensions import db
from grants.models import CommitteeItem, CommitteeMember, CommitteeSession
from grants.services.committee import CommitteeRefused, readable_session
from grants.views.refused import refused_page


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
    db.session.rollback()
    if session is not None:
        back_url = url_for("committee.session", session_id=session.id)
        back_label = "Revenir à la séance"
    else:
        back_url, back_label = url_for("committee.sessions"), "Revenir aux séances du comité"
    return refused_page(
        error.status, error.message, reasons=error.reasons, back_url=back_url, back_label=back_label
    )


def version_from_form(name: str = "lock_version") -> int | None:
    from flask import request

    raw = request.form.get(name, "")
    return int(raw) if raw.isdigit() else None
