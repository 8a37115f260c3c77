"""Fire a workflow transition from a button or a small form; the engine decides."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from grants.extensions import db
from grants.permissions import staff_dossier_or_404
from grants.views.instruction import bp
from grants.views.instruction.helpers import transition_refused
from grants.workflow import engine
from grants.workflow.engine import TransitionError


def transition_data() -> tuple[dict[str, object], int | None]:
    """The form's data for the guards, and the version the page was rendered with."""
    data: dict[str, object] = {"reason": request.form.get("reason", "").strip()}
    raw_version = request.form.get("lock_version", "")
    return data, int(raw_version) if raw_version.isdigit() else None


@bp.post("/dossiers/<int:dossier_id>/transitions/<event>")
def fire_dossier(dossier_id: int, event: str):  # type: ignore[no-untyped-def]
    dossier = staff_dossier_or_404(current_user, dossier_id)
    data, version = transition_data()
    return _fire(dossier, dossier.id, event, data, version)


@bp.post("/dossiers/<int:dossier_id>/financeurs/<int:track_id>/transitions/<event>")
def fire_track(dossier_id: int, track_id: int, event: str):  # type: ignore[no-untyped-def]
    dossier = staff_dossier_or_404(current_user, dossier_id)
    track = next((t for t in dossier.tracks if t.id == track_id), None)
    if track is None:
        return render_template(
            "error.html",
            code=404,
            title="Page introuvable",
            message="Ce cofinanceur n'instruit pas ce dossier.",
        ), 404
    data, version = transition_data()
    return _fire(track, dossier.id, event, data, version)


COMMITTEE_ONLY = (
    "Cette action se fait depuis la page de la séance du comité (ordre du jour, avis), "
    "pas depuis le dossier."
)


def _fire(obj: object, dossier_id: int, event: str, data: dict[str, object], version: int | None):  # type: ignore[no-untyped-def]
    try:
        if engine.transition(obj, event).form == "committee":  # type: ignore[arg-type]
            # The agenda item and the workflow change together, in the committee's services.
            raise TransitionError(422, COMMITTEE_ONLY)
        engine.fire(obj, event, current_user, data=data, expected_version=version)  # type: ignore[arg-type]
    except TransitionError as refused:
        db.session.rollback()
        return transition_refused(dossier_id, refused)
    db.session.commit()
    label = engine.transition(obj, event).staff_label  # type: ignore[arg-type]
    flash(f"« {label} » : c'est fait.", "success")
    return redirect(url_for("instruction.dossier", dossier_id=dossier_id))
