"""Loading an agreement for the current user (404 outside their reach), the refusal page and
the redirects shared by the agreements' endpoints."""

from __future__ import annotations

from collections.abc import Sequence

from flask import abort, current_app, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.interfaces import ORMOption

from grants.extensions import db
from grants.models import Agreement, Amendment, Dossier
from grants.permissions import STAFF_ROLES, membership_of, staff_can_see
from grants.views.refused import refused_page
from grants.workflow.engine import TransitionError

PROMOTER, STAFF = "promoter", "staff"
OPTIONS: tuple[ORMOption, ...] = (
    selectinload(Agreement.dossier).selectinload(Dossier.financers),
    selectinload(Agreement.financer),
    selectinload(Agreement.decision),
    selectinload(Agreement.versions),
    selectinload(Agreement.indicators),
    selectinload(Agreement.amendments),
)


def audience_of(agreement: Agreement) -> str | None:
    """ "promoter" for a member of the dossier's organisation, "staff" for staff who see the
    dossier, None for anyone else."""
    dossier = agreement.dossier
    if membership_of(current_user, dossier.organisation_id) is not None:
        return PROMOTER
    if current_user.role in STAFF_ROLES and staff_can_see(current_user, dossier):
        return STAFF
    return None


def load(agreement_id: int, options: Sequence[ORMOption] = OPTIONS) -> tuple[Agreement, str]:
    agreement = db.session.scalar(
        select(Agreement).where(Agreement.id == agreement_id).options(*options)
    )
    if agreement is None:
        abort(404)
    audience = audience_of(agreement)
    if audience is None:
        abort(404)
    return agreement, audience


def amendment_or_404(agreement: Agreement, amendment_id: int) -> Amendment:
    amendment = next((a for a in agreement.amendments if a.id == amendment_id), None)
    if amendment is None:
        abort(404)
    return amendment


def refused(agreement: Agreement, error: TransitionError):  # type: ignore[no-untyped-def]
    db.session.rollback()
    return refused_page(
        error.status,
        error.message,
        reasons=error.reasons,
        back_url=url_for("agreements.detail", agreement_id=agreement.id),
        back_label="Revenir à la convention",
        conflict_title="Convention modifiée entre-temps",
    )


def version_field() -> int | None:
    raw = request.form.get("lock_version", "")
    return int(raw) if raw.isdigit() else None


def max_upload_bytes() -> int:
    return int(current_app.extensions["grants_settings"].max_upload_mb) * 1024 * 1024
