"""The instructors' side: work list, dossier view, transitions, reviews, requests, opinions."""

from flask import Blueprint
from flask_login import current_user

from grants.permissions import STAFF_ROLES, require_staff

bp = Blueprint("instruction", __name__, url_prefix="/instruction")


@bp.before_request
def _staff_only() -> None:
    """Promoters and anonymous visitors never learn these pages exist (404)."""
    if current_user.is_authenticated:
        require_staff(current_user)


@bp.app_template_global()
def is_staff() -> bool:
    """Whether the header offers the work list (instructors, deciders, committee, monitors)."""
    return bool(current_user.is_authenticated and current_user.role in STAFF_ROLES)


from grants.views.instruction import (  # noqa: E402,F401
    assignment,
    decisions,
    dossier,
    envelopes,
    messages,
    notes,
    opening,
    requests,
    reviews,
    scoring,  # noqa: E402,F401
    transitions,
    worklist,
)
