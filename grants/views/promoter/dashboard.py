"""The promoter's home: its dossiers across organisations."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from grants.extensions import db
from grants.models import Dossier, Membership
from grants.permissions import organisation_ids
from grants.views.promoter import bp


@bp.get("/")
def dashboard():  # type: ignore[no-untyped-def]
    org_ids = organisation_ids(current_user)
    dossiers = db.session.scalars(
        select(Dossier)
        .where(Dossier.organisation_id.in_(org_ids))
        .options(selectinload(Dossier.organisation))
        .order_by(Dossier.updated_at.desc())
    ).all()
    has_membership = db.session.scalar(
        select(Membership.id).where(Membership.user_id == current_user.id).limit(1)
    )
    return render_template(
        "promoter/dashboard.html", dossiers=dossiers, has_membership=has_membership is not None
    )
