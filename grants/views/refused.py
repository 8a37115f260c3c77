"""The page explaining a refused action (403, 404, 409, 422) with a way back, for every area."""

from __future__ import annotations

from collections.abc import Iterable

from flask import render_template


def refused_page(  # type: ignore[no-untyped-def]
    status: int,
    message: str,
    *,
    back_url: str,
    back_label: str,
    reasons: Iterable[str] = (),
    conflict_title: str = "Modifié entre-temps",
):
    """``conflict_title`` heads a 409 (someone changed the object meanwhile)."""
    return render_template(
        "refused.html",
        status=status,
        message=message,
        reasons=list(reasons),
        back_url=back_url,
        back_label=back_label,
        title=conflict_title if status == 409 else "Action impossible",
    ), status
