"""Small helpers shared by the instructors' item views: refusals and edit-presence warnings."""

from __future__ import annotations

from collections.abc import Iterable
from zoneinfo import ZoneInfo

from flask import url_for

from grants.models import EditPresence
from grants.views.refused import refused_page
from grants.workflow.engine import TransitionError

PARIS = ZoneInfo("Europe/Paris")


def refused(  # type: ignore[no-untyped-def]
    dossier_id: int, status: int, message: str, reasons: Iterable[str] = ()
):
    """A refused action (403, 404, 409, 422) explained on its own page with a way back."""
    return refused_page(
        status,
        message,
        reasons=reasons,
        back_url=url_for("instruction.dossier", dossier_id=dossier_id),
        back_label="Revenir au dossier",
        conflict_title="Dossier modifié entre-temps",
    )


def transition_refused(dossier_id: int, error: TransitionError):  # type: ignore[no-untyped-def]
    return refused(dossier_id, error.status, error.message, error.reasons)


def presence_warnings(others: list[EditPresence]) -> list[str]:
    """« X modifie aussi cet élément depuis HH:MM » for each other recent editor."""
    return [
        f"{p.user.full_name} modifie aussi cet élément depuis {p.seen_at.astimezone(PARIS):%H:%M}."
        for p in others
    ]
