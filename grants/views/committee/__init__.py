"""The shared instruction committee: sessions, agenda, pack, opinions, minutes (the secretary's
pages; members and guests read the agenda of their sessions)."""

from flask import Blueprint
from flask_login import current_user

from grants.permissions import require_staff

bp = Blueprint("committee", __name__, url_prefix="/comite")


@bp.before_request
def _staff_only() -> None:
    """Promoters and anonymous visitors never learn these pages exist (404)."""
    if current_user.is_authenticated:
        require_staff(current_user)


from grants.views.committee import agenda, minutes, pack, recording, sessions  # noqa: E402,F401
