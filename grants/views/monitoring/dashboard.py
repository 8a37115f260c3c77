"""The ARS monitor's dashboard: every active CPOM, commitments at risk first."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user

from grants.models.choices import ZONING_CATEGORIES
from grants.services.charts import bar_chart, column_chart
from grants.services.document_requests import paris_today
from grants.services.monitoring import may_see_dashboard
from grants.services.monitoring_dashboard import LEVEL_FILTERS, Filters, dashboard
from grants.views.monitoring import bp

BREAKDOWN_SERIES = (("cpoms", "CPOM"), ("critical", "Alerte critique"), ("warning", "Vigilance"))
TRENDS = (
    ("turnover", "Rotation moyenne des professionnels (%)"),
    ("arrivals", "Nouveaux professionnels arrivés"),
    ("objectives", "Objectifs du projet de santé atteints (%)"),
)


@bp.get("/")
def dashboard_page():  # type: ignore[no-untyped-def]
    if not may_see_dashboard(current_user):
        abort(404)
    filters = Filters(
        departement=request.args.get("departement", "").strip()[:3],
        zoning=_known(request.args.get("zonage", ""), ZONING_CATEGORIES),
        level=_known(request.args.get("niveau", ""), LEVEL_FILTERS),
    )
    board = dashboard(current_user, filters, paris_today())
    return render_template(
        "monitoring/dashboard.html",
        board=board,
        filters=filters,
        level_filters=LEVEL_FILTERS,
        breakdown_series=BREAKDOWN_SERIES,
        charts={
            "departement": _breakdown_chart(board.by_departement),
            "zoning": _breakdown_chart(board.by_zoning),
        },
        trends=[
            (key, title, board.trends[key], _trend_chart(board.trends[key], title))
            for key, title in TRENDS
        ],
    )


def _known(value: str, vocabulary: dict[str, str]) -> str:
    return value if value in vocabulary else ""


def _breakdown_chart(lines):  # type: ignore[no-untyped-def]
    return bar_chart(
        [(line.label, {"cpoms": line.cpoms, "critical": line.critical, "warning": line.warning})
         for line in lines],
        BREAKDOWN_SERIES,
    )  # fmt: skip


def _trend_chart(points, title):  # type: ignore[no-untyped-def]
    return column_chart(
        [year for year, _ in points], (("value", title),), {y: {"value": v} for y, v in points}
    )
