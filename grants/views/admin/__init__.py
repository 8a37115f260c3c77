"""Administration pages (reference data, configuration): administrators only, others get 404.

Other modules add their pages with ``register_page`` and an import line at the bottom."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, render_template
from flask_login import current_user

bp = Blueprint("admin", __name__, url_prefix="/admin")


@dataclass(frozen=True)
class AdminPage:
    endpoint: str
    label: str
    description: str


PAGES: list[AdminPage] = []


def register_page(endpoint: str, label: str, description: str) -> None:
    """List a page on the administration home (called by each admin module at import)."""
    PAGES.append(AdminPage(endpoint, label, description))


@bp.before_request
def _admins_only() -> None:
    """Nobody but an administrator learns these pages exist (404)."""
    if not current_user.is_authenticated or current_user.role != "admin":
        abort(404)


@bp.get("/")
def home():  # type: ignore[no-untyped-def]
    return render_template("admin/home.html", pages=PAGES)


# Each admin module registers its routes and its home-page entry on import.
from grants.views.admin import config, zoning  # noqa: E402,F401
