"""The promoter answers a request for documents (DOMAIN T4): the flagged items, what changed since
the last version, then ``respond``, which freezes a new numbered version."""

from __future__ import annotations

from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from grants.extensions import db
from grants.models import DocumentRequest, Dossier, FinancerTrack
from grants.permissions import dossier_or_404
from grants.sections import SECTIONS_BY_CODE
from grants.services import document_requests as service
from grants.services.dossiers import full_dossier_options
from grants.views.promoter import bp
from grants.views.promoter.sections import section_edit_url
from grants.workflow import engine
from grants.workflow.engine import TransitionError
from grants.workflow.states import PROMOTER_TRACK_LABELS


@dataclass
class InstructionPanel:
    """What promoter/_dossier_instruction.html shows about a filed dossier."""

    tracks: list[FinancerTrack]
    open_requests: list[DocumentRequest]
    answered: list[DocumentRequest]
    can_respond: bool


def item_url(item: dict[str, object], dossier: Dossier) -> str | None:
    """Where the promoter fixes a flagged item: its section page, or the pieces page."""
    if item.get("kind") == "piece":
        return url_for("promoter.pieces", dossier_id=dossier.id)
    section = SECTIONS_BY_CODE.get(str(item.get("code")))
    return section_edit_url(section, dossier) if section else None


@bp.app_template_global()
def promoter_instruction_panel(dossier: Dossier) -> InstructionPanel | None:
    if dossier.state == "draft":
        return None
    requests = list(dossier.document_requests)
    current = [r for r in requests if r.state == "open"]
    return InstructionPanel(
        tracks=list(dossier.tracks),
        open_requests=current,
        answered=[r for r in requests if r.state == "answered"],
        can_respond=bool(current) and dossier.state == "awaiting_documents",
    )


@bp.app_context_processor
def _response_helpers() -> dict[str, object]:
    return {"promoter_track_labels": PROMOTER_TRACK_LABELS, "request_item_url": item_url}


def _page(dossier: Dossier, status: int = 200, refused: TransitionError | None = None):  # type: ignore[no-untyped-def]
    return render_template(
        "promoter/respond.html",
        dossier=dossier,
        open_requests=service.open_requests(dossier),
        changes=service.changes_since_last_version(dossier),
        refused=refused,
    ), status


@bp.route("/dossiers/<int:dossier_id>/reponse", methods=["GET", "POST"])
def respond(dossier_id: int):  # type: ignore[no-untyped-def]
    dossier = dossier_or_404(current_user, dossier_id, full_dossier_options())
    if request.method == "GET":
        return _page(dossier)
    raw_version = request.form.get("lock_version", "")
    try:
        with db.session.begin_nested():  # a refusal undoes whatever the engine had begun
            engine.fire(
                dossier,
                "respond",
                current_user,
                expected_version=int(raw_version) if raw_version.isdigit() else None,
            )
    except TransitionError as refused:
        return _page(dossier, refused.status, refused)
    db.session.commit()
    number = max(v.number for v in dossier.versions)
    flash(
        f"Votre réponse est envoyée aux instructeurs. La version {number} du dossier est figée ; "
        "son accusé de dépôt est disponible plus bas.",
        "success",
    )
    return redirect(url_for("promoter.dossier", dossier_id=dossier.id))
