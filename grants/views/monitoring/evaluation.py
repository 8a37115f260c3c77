"""The protocol's evaluation report: a page, a PDF and a workbook, at a date (today by default)."""

from __future__ import annotations

from datetime import date

from flask import Response, abort, render_template, request
from flask_login import current_user

from grants.documents import evaluation as documents
from grants.services.document_requests import paris_today
from grants.services.evaluation import evaluate
from grants.services.monitoring import may_see_dashboard
from grants.views.monitoring import bp


def _evaluation():  # type: ignore[no-untyped-def]
    if not may_see_dashboard(current_user):
        abort(404)
    raw = request.args.get("au", "").strip()
    as_of = paris_today()
    if raw:
        try:
            as_of = date.fromisoformat(raw)
        except ValueError:
            abort(400, "Date invalide : utilisez le format AAAA-MM-JJ.")
    return evaluate(current_user, as_of)


@bp.get("/evaluation")
def evaluation():  # type: ignore[no-untyped-def]
    return render_template(
        "monitoring/evaluation.html", evaluation=_evaluation(), columns=documents.COLUMNS
    )


@bp.get("/evaluation.pdf")
def evaluation_pdf():  # type: ignore[no-untyped-def]
    result = _evaluation()
    return _download(
        documents.render_evaluation_pdf(result),
        "application/pdf",
        documents.filename(result.as_of, "pdf"),
    )


@bp.get("/evaluation.xlsx")
def evaluation_xlsx():  # type: ignore[no-untyped-def]
    result = _evaluation()
    return _download(
        documents.evaluation_xlsx(result),
        documents.XLSX_TYPE,
        documents.filename(result.as_of, "xlsx"),
    )


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
