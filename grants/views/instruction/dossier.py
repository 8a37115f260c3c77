"""A dossier as an instructor sees it: every section read-only, version history and diffs, pieces
per financer, each co-financer's track side by side, annotations, opinions, assignment."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from grants.extensions import db
from grants.models import Attachment, Dossier, DossierVersion, PieceReview
from grants.permissions import staff_dossier_or_404
from grants.services import assignment, dossiers
from grants.services.aggregates import dossier_aggregates
from grants.services.annotations import visible_annotations, writable_financers
from grants.services.dossier_readout import live_payload, section_views
from grants.services.opinions import dossier_opinions, may_give_opinion
from grants.services.pieces import required_pieces
from grants.services.reviews import piece_matrix, review_stamp, reviewable_financers
from grants.services.version_diff import diff_payloads
from grants.views.instruction import bp
from grants.workflow import engine

PAGE_OPTIONS = (
    *dossiers.page_options(),
    selectinload(Dossier.attachments)
    .selectinload(Attachment.reviews)
    .joinedload(PieceReview.reviewed_by),
    selectinload(Dossier.tracks),
    selectinload(Dossier.document_requests),
    selectinload(Dossier.opinions),
    joinedload(Dossier.assigned_instructor),
)


def load_dossier(dossier_id: int) -> Dossier:
    """The dossier with everything the page reads, or 404 outside the user's scope."""
    return staff_dossier_or_404(current_user, dossier_id, PAGE_OPTIONS)


@bp.get("/dossiers/<int:dossier_id>")
def dossier(dossier_id: int):  # type: ignore[no-untyped-def]
    loaded = load_dossier(dossier_id)
    page = dossiers.load_page(loaded)
    pieces = required_pieces(page)
    return render_template(
        "instruction/dossier.html",
        dossier=page,
        sections=section_views(live_payload(page)),
        aggregates=dossier_aggregates(page),
        pieces=pieces,
        piece_rows=piece_matrix(page, pieces),
        review_financers=reviewable_financers(current_user, loaded),
        review_stamp=review_stamp,
        dossier_actions=engine.available_transitions(loaded, current_user),
        # One query per track for its guards (membership, piece rules): bounded by the tracks.
        track_actions={t.id: engine.available_transitions(t, current_user) for t in loaded.tracks},
        annotations=visible_annotations(loaded, current_user),
        annotation_financers=writable_financers(current_user, loaded),
        opinions=dossier_opinions(loaded),
        may_give_opinion=may_give_opinion(current_user, loaded),
        following=assignment.is_following(loaded, current_user),
        assignees=assignment.assignable_instructors(loaded),
    )


def _version(dossier_id: int, number: int) -> DossierVersion:
    version = db.session.scalar(
        select(DossierVersion).where(
            DossierVersion.dossier_id == dossier_id, DossierVersion.number == number
        )
    )
    if version is None:
        abort(404)
    return version


@bp.get("/dossiers/<int:dossier_id>/versions/<int:a>/diff/<int:b>")
def version_diff(dossier_id: int, a: int, b: int):  # type: ignore[no-untyped-def]
    dossier = staff_dossier_or_404(current_user, dossier_id)
    old, new = _version(dossier.id, a), _version(dossier.id, b)
    return render_template(
        "instruction/version_diff.html",
        dossier=dossier,
        old=old,
        new=new,
        sections=diff_payloads(old.payload, new.payload),
    )


@bp.get("/dossiers/<int:dossier_id>/versions/comparer")
def compare_versions(dossier_id: int):  # type: ignore[no-untyped-def]
    """The version picker's GET form, redirected to the diff's own address."""
    staff_dossier_or_404(current_user, dossier_id)
    a = request.args.get("a", type=int)
    b = request.args.get("b", type=int)
    if a is None or b is None:
        abort(404)
    return redirect(url_for("instruction.version_diff", dossier_id=dossier_id, a=a, b=b))
