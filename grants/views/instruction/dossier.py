"""A dossier as an instructor sees it."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user
from sqlalchemy.orm import selectinload

from grants.models import Dossier, FinancerTrack
from grants.permissions import staff_dossier_or_404
from grants.services.dossiers import full_dossier_options
from grants.views.instruction import bp
from grants.workflow import engine


@bp.get("/dossiers/<int:dossier_id>")
def dossier(dossier_id: int):  # type: ignore[no-untyped-def]
    options = (
        *full_dossier_options(),
        selectinload(Dossier.tracks).joinedload(FinancerTrack.financer),
    )
    loaded = staff_dossier_or_404(current_user, dossier_id, options)
    return render_template(
        "instruction/dossier.html",
        dossier=loaded,
        dossier_actions=engine.available_transitions(loaded, current_user),
        track_actions={t.id: engine.available_transitions(t, current_user) for t in loaded.tracks},
    )
