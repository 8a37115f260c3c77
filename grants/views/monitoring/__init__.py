"""The monitoring of commitments for staff: the ARS monitor's dashboard of active CPOMs, one
agreement's follow-up (alerts, dialogues, trends, payments), reports to validate or return, and
the protocol's evaluation report. Promoters and anonymous visitors get 404s."""

from flask import Blueprint
from flask_login import current_user

from grants.permissions import require_staff

bp = Blueprint("monitoring", __name__, url_prefix="/suivi")


@bp.before_request
def _staff_only() -> None:
    if current_user.is_authenticated:
        require_staff(current_user)


from grants.views.monitoring import (  # noqa: E402,F401
    agreement,
    dashboard,
    evaluation,
    panel,
    reports,
)
