"""Pieces of a dossier: the list per financer, upload, removal and download through the check."""

from __future__ import annotations

from dataclasses import dataclass

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import RequestEntityTooLarge

from grants.extensions import db
from grants.forms.pieces import PieceUploadForm
from grants.models import Attachment, Dossier, Financer, PieceKind
from grants.permissions import dossier_or_404, may_edit, require_editable
from grants.services import pieces as pieces_service
from grants.services import uploads
from grants.storage import Storage
from grants.views.downloads import send_stored
from grants.views.promoter import bp


@dataclass
class PiecesPanel:
    """Everything the pieces partial shows, computed once from the loaded dossier."""

    pieces: list[pieces_service.RequiredPiece]
    missing: dict[Financer, list[PieceKind]]
    provided: dict[Financer, list[PieceKind]]
    without_financer: list[pieces_service.RequiredPiece]
    attachments: list[Attachment]
    financer_names: dict[int, str]
    form: PieceUploadForm | None
    max_upload_mb: int


def _max_upload_mb() -> int:
    return int(current_app.extensions["grants_settings"].max_upload_mb)


def _storage() -> Storage:
    return current_app.extensions["grants_storage"]  # type: ignore[no-any-return]


def _load(dossier_id: int) -> Dossier:
    """Authorize, then load what the pieces panel reads (the dossier row is already known)."""
    return dossier_or_404(
        current_user,
        dossier_id,
        (
            selectinload(Dossier.organisation),
            selectinload(Dossier.financers),
            selectinload(Dossier.attachments),
        ),
    )


def _upload_form(
    dossier: Dossier, pieces: list[pieces_service.RequiredPiece], form: PieceUploadForm | None
) -> PieceUploadForm:
    form = form or PieceUploadForm(formdata=None)
    suffix = {True: " (obligatoire)", False: " (facultative)"}
    return form.set_choices(
        [
            (p.code, p.kind.label + suffix[p.mandatory])
            for p in pieces
            if may_edit(dossier, piece_code=p.code)
        ],
        [(f.id, f.name) for f in dossier.financers],
    )


def pieces_panel(
    dossier: Dossier,
    form: PieceUploadForm | None = None,
    pieces: list[pieces_service.RequiredPiece] | None = None,
) -> PiecesPanel:
    pieces = pieces_service.required_pieces(dossier) if pieces is None else pieces
    return PiecesPanel(
        pieces=pieces,
        missing=pieces_service.missing_by_financer(dossier, pieces),
        provided=pieces_service.provided_by_financer(dossier, pieces),
        without_financer=[p for p in pieces if p.mandatory and not dossier.financers],
        attachments=[a for a in dossier.attachments if a.removed_at is None],
        financer_names={f.id: f.name for f in dossier.financers},
        form=_upload_form(dossier, pieces, form) if _may_upload(dossier, pieces) else None,
        max_upload_mb=_max_upload_mb(),
    )


def _may_upload(dossier: Dossier, pieces: list[pieces_service.RequiredPiece]) -> bool:
    """A draft, or a dossier awaiting documents with a flagged piece (only those are offered)."""
    return dossier.is_editable or any(may_edit(dossier, piece_code=p.code) for p in pieces)


@bp.app_context_processor
def _pieces_helpers() -> dict[str, object]:
    return {"pieces_panel": pieces_panel}


@bp.get("/dossiers/<int:dossier_id>/pieces")
def pieces(dossier_id: int):  # type: ignore[no-untyped-def]
    dossier = _load(dossier_id)
    return render_template("promoter/pieces.html", dossier=dossier, upload_form=None)


@bp.post("/dossiers/<int:dossier_id>/pieces")
def upload_piece(dossier_id: int):  # type: ignore[no-untyped-def]
    dossier = _load(dossier_id)
    require_editable(dossier, piece_code=request.form.get("piece_code") or None)
    required = pieces_service.required_pieces(dossier)
    form = _upload_form(dossier, required, PieceUploadForm())
    status = 422
    if form.validate_on_submit():
        piece = next(p for p in required if p.code == form.piece_code.data)
        financer = next((f for f in dossier.financers if f.id == form.financer_id.data), None)
        if financer is not None and piece.scoped and financer not in piece.financers:
            form.financer_id.errors.append("Ce cofinanceur ne demande pas cette pièce.")
        else:
            try:
                attachment = uploads.store_piece(
                    dossier,
                    actor=current_user,
                    piece_code=piece.code,
                    financer=financer,
                    upload=uploads.Upload(form.file.data.filename or "", form.file.data.stream),
                    storage=_storage(),
                    max_bytes=_max_upload_mb() * 1024 * 1024,
                )
            except uploads.UploadRejectedError as exc:
                form.file.errors.append(exc.message)
                status = exc.status
            else:
                db.session.commit()
                flash(f"La pièce « {attachment.original_name} » est déposée.", "success")
                return redirect(url_for("promoter.pieces", dossier_id=dossier.id))
    return render_template("promoter/pieces.html", dossier=dossier, upload_form=form), status


def _attachment_or_404(dossier: Dossier, attachment_id: int) -> Attachment:
    attachment = next((a for a in dossier.attachments if a.id == attachment_id), None)
    if attachment is None or attachment.removed_at is not None:
        abort(404)
    return attachment


@bp.post("/dossiers/<int:dossier_id>/pieces/<int:attachment_id>/supprimer")
def remove_piece(dossier_id: int, attachment_id: int):  # type: ignore[no-untyped-def]
    dossier = _load(dossier_id)
    attachment = _attachment_or_404(dossier, attachment_id)
    require_editable(dossier, piece_code=attachment.piece_code)
    uploads.remove_piece(dossier, attachment, actor=current_user)
    db.session.commit()
    flash(f"La pièce « {attachment.original_name} » est retirée du dossier.", "success")
    return redirect(url_for("promoter.pieces", dossier_id=dossier.id))


@bp.get("/dossiers/<int:dossier_id>/pieces/<int:attachment_id>")
def download_piece(dossier_id: int, attachment_id: int):  # type: ignore[no-untyped-def]
    dossier_or_404(current_user, dossier_id)
    attachment = db.session.scalar(
        select(Attachment).where(
            Attachment.id == attachment_id,
            Attachment.dossier_id == dossier_id,
            Attachment.removed_at.is_(None),
        )
    )
    if attachment is None:
        abort(404)
    return send_stored(attachment)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error: RequestEntityTooLarge):  # type: ignore[no-untyped-def]
    limit = _max_upload_mb()
    dossier_id = (request.view_args or {}).get("dossier_id")
    back = url_for("promoter.pieces", dossier_id=dossier_id) if dossier_id else None
    return render_template("promoter/too_large.html", limit=limit, back=back), 413
