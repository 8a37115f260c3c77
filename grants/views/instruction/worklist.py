"""The instructor's work list: filters, tabs, full-text search, sorting, keyset pages, a count.

Queries per page are bounded whatever the page size: the user and its financers, the commune
of the filter when there is one, the count (only when the filters changed: it is cached in the
session for COUNT_TTL seconds, keyed by user and normalised filters), the page's rows and the
user's track states of those rows.
"""

from __future__ import annotations

import hashlib
import time
from datetime import datetime
from typing import Any

from flask import current_app, render_template, request, session, url_for
from flask_login import current_user

from grants.forms.worklist import TAB_LABELS, WorklistForm
from grants.services import worklist as service
from grants.services.worklist import PARIS, BadCursorError, Filters
from grants.views.instruction import bp

COUNT_TTL = 300
SESSION_KEY = "worklist_count"
COLUMNS = (
    ("reference", "Référence"),
    ("title", "Projet"),
    ("submitted_at", "Déposé le"),
    ("updated_at", "Mis à jour le"),
)


@bp.get("/")
def worklist():  # type: ignore[no-untyped-def]
    financer_ids = sorted(f.id for f in current_user.financers)
    form = WorklistForm(request.args, current_user)
    if not form.validate():
        return _render(form, None, None, None, status=422)
    filters = form.filters()
    after = None
    if request.args.get("after"):
        try:
            after = service.decode_cursor(_secret(), filters, request.args["after"])
        except BadCursorError:
            return render_template(
                "error.html",
                code=400,
                title="Lien de page invalide",
                message=(
                    "Le lien vers la page suivante n'est pas valide ou ne correspond plus au tri "
                    "choisi. Revenez à la première page de la liste."
                ),
            ), 400
    total = _cached_count(filters, financer_ids)
    page = service.fetch_page(current_user, financer_ids, filters, after)
    next_url = None
    if page.next_after is not None:
        next_url = _url(after=service.encode_cursor(_secret(), filters, page.next_after))
    return _render(form, filters, page, total, next_url=next_url, first_page=after is None)


def _render(  # type: ignore[no-untyped-def]
    form: WorklistForm, filters: Filters | None, page, total, status: int = 200, **extra: Any
):
    filters = filters or Filters()
    html = render_template(
        "instruction/worklist.html",
        form=form,
        filters=filters,
        page=page,
        total=total,
        tabs=TAB_LABELS,
        columns=COLUMNS,
        url=_url,
        sort_state=_sort_state(filters),
        filters_open=bool(form.errors) or _has_filters(filters),
        **extra,
    )
    return html, status


@bp.app_template_filter("short_date")
def short_date(value: datetime | None) -> str:
    """31/12/2025, Paris time: compact on a phone, and ~50x cheaper than Babel on 100 cells."""
    return value.astimezone(PARIS).strftime("%d/%m/%Y") if value else "—"


def _has_filters(filters: Filters) -> bool:
    """Whether anything beyond the tab, the search and the order narrows the list."""
    plain = Filters(tab=filters.tab, q=filters.q, sort=filters.sort, direction=filters.direction)
    return filters != plain


def _sort_state(filters: Filters) -> dict[str, str]:
    """aria-sort of each sortable column."""
    current = filters.effective_sort()
    word = "ascending" if filters.direction == "asc" else "descending"
    return {name: (word if name == current else "none") for name, _ in COLUMNS}


def _url(**changes: Any) -> str:
    """This list with some parameters changed (None removes one); any change restarts at page 1."""
    args = request.args.to_dict(flat=False)
    args.pop("after", None)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return url_for("instruction.worklist", **args)


def _secret() -> str:
    return current_app.secret_key or ""


def _cached_count(filters: Filters, financer_ids: list[int]) -> int:
    key = hashlib.sha256(filters.count_key(current_user.id).encode()).hexdigest()[:32]
    cached = session.get(SESSION_KEY)
    now = time.time()
    if cached and cached.get("k") == key and now - cached.get("t", 0) < COUNT_TTL:
        return int(cached["n"])
    total = service.count(current_user, financer_ids, filters)
    session[SESSION_KEY] = {"k": key, "n": total, "t": now}
    return total
