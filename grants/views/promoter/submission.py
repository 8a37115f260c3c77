"""Filing a dossier: the blocking problems, the confirmation, the submission and the receipts."""

from __future__ import annotations

from itertools import groupby

from flask import Response, abort, flash, g, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from grants.documents.receipt import receipt_filename, render_receipt
from grants.extensions import db
from grants.forms.submission import SubmitForm
from grants.models import Dossier, DossierVersion
from grants.permissions import dossier_or_404
from grants.sections import SECTIONS_BY_CODE
from grants.services import dossiers as dossiers_service
from grants.services.completeness import Problem, advisories, blocking_problems
from grants.services.pieces import RequiredPiece
from grants.services.submission import (
    NOT_OWNER_MESSAGE,
    SubmissionRefusedError,
    may_submit,
    submit_dossier,
)
from grants.views.promoter import bp

PIECES_TITLE = "K. Pièces justificatives"


@bp.app_template_global()
def submission_problems(
    dossier: Dossier, pieces: list[RequiredPiece] | None = None
) -> list[Problem]:
    """The blocking problems of a draft (empty once filed)."""
    return blocking_problems(dossier, pieces) if dossier.state == "draft" else []


@bp.app_template_global()
def problem_url(problem: Problem, dossier_id: int) -> str:
    """The page and field where the problem is fixed (the dossier page while one is missing)."""
    return f"{_section_url(problem.section, dossier_id)}#{problem.field}"


def _section_url(section_code: str, dossier_id: int) -> str:
    """Built once per request and section: a page lists dozens of problems."""
    urls: dict[tuple[str, int], str] = g.setdefault("section_urls", {})
    key = (section_code, dossier_id)
    if key not in urls:
        urls[key] = _build_section_url(section_code, dossier_id)
    return urls[key]


def _build_section_url(section_code: str, dossier_id: int) -> str:
    if section_code == "pieces":
        return url_for("promoter.pieces", dossier_id=dossier_id)
    section = SECTIONS_BY_CODE.get(section_code)
    if section is None:
        return url_for("promoter.dossier", dossier_id=dossier_id)
    return url_for(section.endpoint, dossier_id=dossier_id, section=section.code)


@bp.app_template_global()
def problems_by_section(problems: list[Problem]) -> list[tuple[str, list[Problem]]]:
    """(section heading, problems) in the order found, which is the sections' order."""
    return [
        (_section_heading(code), list(items))
        for code, items in groupby(problems, key=lambda p: p.section)
    ]


def _section_heading(code: str) -> str:
    section = SECTIONS_BY_CODE.get(code)
    return f"{section.letter}. {section.title}" if section else PIECES_TITLE


def _load(dossier_id: int) -> Dossier:
    return dossier_or_404(current_user, dossier_id, dossiers_service.full_dossier_options())


def _page(dossier: Dossier, *, status: int = 200, error: str | None = None, problems=None):  # type: ignore[no-untyped-def]
    form = SubmitForm(formdata=None, lock_version=dossier.lock_version)
    return render_template(
        "promoter/submit.html",
        dossier=dossier,
        form=form,
        problems=submission_problems(dossier) if problems is None else problems,
        advisories=advisories(dossier) if dossier.state == "draft" else [],
        can_submit=may_submit(current_user, dossier),
        error=error,
    ), status


@bp.route("/dossiers/<int:dossier_id>/depot", methods=["GET", "POST"])
def submit(dossier_id: int):  # type: ignore[no-untyped-def]
    dossier = _load(dossier_id)
    form = SubmitForm()
    if not form.is_submitted():
        return _page(dossier)
    if not may_submit(current_user, dossier):
        return render_template(
            "error.html", code=403, title="Dépôt réservé au responsable", message=NOT_OWNER_MESSAGE
        ), 403
    expected = form.lock_version.data if form.validate() else None
    try:
        version = submit_dossier(dossier, actor=current_user, expected_lock_version=expected)
    except SubmissionRefusedError as refused:
        return _page(
            dossier, status=refused.status, error=refused.message, problems=refused.problems or None
        )
    db.session.commit()
    flash(
        f"Votre dossier est déposé sous la référence {dossier.reference}. "
        f"L'accusé de dépôt (version {version.number}) est disponible sur cette page.",
        "success",
    )
    return redirect(url_for("promoter.dossier", dossier_id=dossier.id))


@bp.get("/dossiers/<int:dossier_id>/versions/<int:number>/accuse-de-depot.pdf")
def receipt(dossier_id: int, number: int):  # type: ignore[no-untyped-def]
    dossier = dossier_or_404(current_user, dossier_id)
    version = db.session.scalar(
        select(DossierVersion).where(
            DossierVersion.dossier_id == dossier.id, DossierVersion.number == number
        )
    )
    if version is None:
        abort(404)
    return Response(
        render_receipt(version),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{receipt_filename(version)}"'},
    )
