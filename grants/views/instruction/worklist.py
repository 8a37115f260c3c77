"""The instructor's work list."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from grants.extensions import db
from grants.models import Dossier
from grants.permissions import staff_dossier_filter
from grants.views.instruction import bp

PAGE_SIZE = 50


@bp.get("/")
def worklist():  # type: ignore[no-untyped-def]
    dossiers = db.session.scalars(
        select(Dossier)
        .where(staff_dossier_filter(current_user))
        .options(selectinload(Dossier.organisation))
        .order_by(Dossier.submitted_at.desc(), Dossier.id.desc())
        .limit(PAGE_SIZE)
    ).all()
    return render_template("instruction/worklist.html", dossiers=dossiers)
