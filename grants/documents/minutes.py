"""The procès-verbal of a committee session, rendered from the JSON snapshot stored with its
version (``CommitteeMinutes.content``), never from the live records."""

from __future__ import annotations

from typing import Any

from grants.documents.pdf import render_pdf
from grants.models import CommitteeMinutes, CommitteeSession, User
from grants.models.base import utcnow


def minutes_context(
    minutes: CommitteeMinutes, session: CommitteeSession, approved_by: User | None = None
) -> dict[str, Any]:
    content = minutes.content
    members = content["members"]
    return {
        "minutes": minutes,
        "content": content,
        "session": content["session"],
        "members": members,
        "chair": next((m for m in members if m["role"] == "chair"), None),
        "secretary": next((m for m in members if m["role"] == "secretary"), None),
        "present": [m for m in members if m["attendance"] == "present"],
        "items": content["items"],
        "totals": content["totals"],
        "approved": minutes.state == "approved",
        "approved_at": minutes.approved_at,
        "approved_by": approved_by.full_name if approved_by else "",
        "generated_at": minutes.approved_at or minutes.created_at or utcnow(),
    }


def render_minutes(
    minutes: CommitteeMinutes, session: CommitteeSession, approved_by: User | None = None
) -> bytes:
    return render_pdf(
        "documents/minutes.html", **minutes_context(minutes, session, approved_by=approved_by)
    )
