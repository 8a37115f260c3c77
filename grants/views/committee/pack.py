"""The committee pack (dossier de séance): its progress (page, refreshing fragment, JSON), its
download and its regeneration. The secretariat and the people named in the session read it;
anyone else gets a 404 (``session_or_404``)."""

from __future__ import annotations

from typing import Any

from flask import flash, jsonify, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from grants.documents.committee_pack import pack_filename
from grants.extensions import db
from grants.models import CommitteeSession
from grants.services.committee import CommitteeRefused, is_secretary
from grants.services.committee_pack import PackRefusedError, PackStatus, pack_status, start_pack
from grants.views.committee import bp
from grants.views.committee.helpers import refused, session_or_404
from grants.views.downloads import send_stored

STALE = "Le dossier de séance vient d'être relancé par ailleurs : rechargez la page."


def _context(committee: CommitteeSession) -> dict[str, Any]:
    return {
        "session": committee,
        "status": pack_status(committee),
        "may_regenerate": is_secretary(current_user) and committee.state == "frozen",
    }


@bp.get("/seances/<int:session_id>/dossier-de-seance")
def pack_progress(session_id: int):  # type: ignore[no-untyped-def]
    return render_template("committee/pack.html", **_context(session_or_404(session_id)))


@bp.get("/seances/<int:session_id>/dossier-de-seance/etat")
def pack_fragment(session_id: int):  # type: ignore[no-untyped-def]
    """The progress block alone, which the page's script fetches again while the job runs."""
    return render_template("committee/_pack_status.html", **_context(session_or_404(session_id)))


@bp.get("/seances/<int:session_id>/dossier-de-seance.json")
def pack_status_json(session_id: int):  # type: ignore[no-untyped-def]
    committee = session_or_404(session_id)
    status = pack_status(committee)
    return jsonify(_json(committee, status))


def _json(committee: CommitteeSession, status: PackStatus) -> dict[str, Any]:
    return {
        "state": status.state,
        "phase": status.phase,
        "done": status.done,
        "total": status.total,
        "pages": status.pages,
        "message": status.message,
        "error": status.error,
        "ready": status.ready,
        "sha256": committee.pack_sha256 if status.ready else None,
        "download_url": (
            url_for("committee.pack", session_id=committee.id) if status.ready else None
        ),
    }


@bp.get("/seances/<int:session_id>/dossier-de-seance.pdf")
def pack(session_id: int):  # type: ignore[no-untyped-def]
    committee = session_or_404(session_id)
    if committee.pack_key is None:
        flash("Le dossier de séance n'est pas encore prêt.", "warning")
        return redirect(url_for("committee.pack_progress", session_id=committee.id))
    return send_stored(_StoredPack(committee))


class _StoredPack:
    content_type = "application/pdf"

    def __init__(self, committee: CommitteeSession) -> None:
        self.storage_key = committee.pack_key or ""
        self.sha256 = committee.pack_sha256 or ""
        self.original_name = pack_filename(committee)


@bp.post("/seances/<int:session_id>/dossier-de-seance/regenerer")
def pack_regenerate(session_id: int):  # type: ignore[no-untyped-def]
    committee = session_or_404(session_id)
    if not is_secretary(current_user):
        return refused(
            committee,
            CommitteeRefused(403, "Seul le secrétariat du comité régénère le dossier de séance."),
        )
    if committee.state != "frozen":
        return refused(
            committee,
            CommitteeRefused(
                409,
                "Le dossier de séance se régénère tant que l'ordre du jour est arrêté et que la "
                "séance ne s'est pas tenue.",
            ),
        )
    try:
        # One regeneration at a time per session (the row lock serialises two secretaries).
        locked = db.session.scalar(
            select(CommitteeSession)
            .where(CommitteeSession.id == committee.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        assert locked is not None
        start_pack(locked, current_user, reason="regenerate")
        db.session.commit()  # with no broker, the pack is built here, after the commit
    except PackRefusedError as error:
        return refused(committee, CommitteeRefused(error.status, error.message))
    except StaleDataError:
        return refused(committee, CommitteeRefused(409, STALE))
    flash("La génération du dossier de séance a été relancée.", "success")
    return redirect(url_for("committee.pack_progress", session_id=committee.id))
