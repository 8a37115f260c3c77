"""The monitoring panel of the agreement page (``monitoring/_panel.html``): its reports, and
for staff its open alerts. Rendered with ``agreement`` in the context."""

from __future__ import annotations

from dataclasses import dataclass

from flask_login import current_user
from sqlalchemy import select

from grants.extensions import db
from grants.models import Agreement, Alert, ReportingPeriod
from grants.permissions import STAFF_ROLES
from grants.services.reporting import periods_of
from grants.views.monitoring import bp

LEVEL_ORDER = {"critical": 0, "warning": 1, "info": 2}


@dataclass
class Panel:
    periods: list[ReportingPeriod]
    alerts: list[Alert]
    staff: bool


@bp.app_template_global()
def monitoring_panel(agreement: Agreement) -> Panel:
    staff = bool(current_user.is_authenticated and current_user.role in STAFF_ROLES)
    alerts: list[Alert] = []
    if staff:
        alerts = sorted(
            db.session.scalars(
                select(Alert).where(Alert.agreement_id == agreement.id, Alert.state != "closed")
            ),
            key=lambda a: (LEVEL_ORDER.get(a.level, 9), a.id),
        )
    return Panel(periods=periods_of(agreement.id), alerts=alerts, staff=staff)
