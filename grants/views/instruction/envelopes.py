"""Envelope dashboards for staff: totals, breakdowns with charts and tables, movements, exports.

Staff see the envelopes of the financers they act for; any other envelope answers 404.
"""

from __future__ import annotations

from flask import Response, abort, render_template, request
from flask_login import current_user

from grants.services import envelope_reports as reports
from grants.services.charts import BarChart, bar_chart
from grants.views.instruction import bp


@bp.get("/enveloppes")
def envelopes():  # type: ignore[no-untyped-def]
    return render_template(
        "envelopes/index.html", envelopes=reports.visible_envelopes(current_user)
    )


@bp.get("/enveloppes/<int:envelope_id>")
def envelope(envelope_id: int):  # type: ignore[no-untyped-def]
    item = reports.envelope_or_404(current_user, envelope_id)
    before = _before()
    board = reports.dashboard(item)
    movements, next_before = reports.movements_page(item, before)
    return render_template(
        "envelopes/dashboard.html",
        envelope=item,
        board=board,
        charts={
            "departement": _bars(board.by_departement),
            "zoning": _bars(board.by_zoning),
        },
        series=SERIES,
        movements=movements,
        next_before=next_before,
        first_page=before is None,
    )


@bp.get("/enveloppes/<int:envelope_id>/mouvements.csv")
def envelope_csv(envelope_id: int):  # type: ignore[no-untyped-def]
    item = reports.envelope_or_404(current_user, envelope_id)
    return _download(
        reports.to_csv(item).encode("utf-8"),
        "text/csv; charset=utf-8",
        reports.export_filename(item, "csv"),
    )


@bp.get("/enveloppes/<int:envelope_id>/mouvements.xlsx")
def envelope_xlsx(envelope_id: int):  # type: ignore[no-untyped-def]
    item = reports.envelope_or_404(current_user, envelope_id)
    return _download(
        reports.to_xlsx(item),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        reports.export_filename(item, "xlsx"),
    )


def _before() -> int | None:
    raw = request.args.get("avant")
    if raw is None:
        return None
    if not raw.isdigit():
        abort(400)
    return int(raw)


SERIES = (("reserved", "Réservé"), ("committed", "Engagé"), ("paid", "Payé"))


def _bars(lines: list[reports.Line]) -> BarChart:
    """Reserved, committed and paid per line, with room for the amounts in euros."""
    rows = [
        (line.label, {key: getattr(line.figures, key) for key, _name in SERIES}) for line in lines
    ]
    return bar_chart(rows, SERIES, bar_area=380, value_width=130)


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
