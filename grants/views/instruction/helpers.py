"""Small helpers shared by the instructors' item views: refusals and edit-presence warnings."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import render_template

from grants.models import EditPresence

PARIS = ZoneInfo("Europe/Paris")


def refused(dossier_id: int, status: int, message: str):  # type: ignore[no-untyped-def]
    """A refused action (403, 404, 409, 422) explained on its own page with a way back."""
    return render_template(
        "instruction/action_refused.html", dossier_id=dossier_id, status=status, message=message
    ), status


def presence_warnings(others: list[EditPresence]) -> list[str]:
    """« X modifie aussi cet élément depuis HH:MM » for each other recent editor."""
    return [
        f"{p.user.full_name} modifie aussi cet élément depuis {p.seen_at.astimezone(PARIS):%H:%M}."
        for p in others
    ]
