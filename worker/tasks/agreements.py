"""Agreement tasks: render a version's PDF and DOCX (after an edit, an amendment, the drafting
that follows the decisions). Thin: one service call, one commit."""

from __future__ import annotations

from celery import shared_task

from grants.extensions import db
from grants.services import agreement_versions


@shared_task(name="grants.agreements.render_version")
def render_version(version_id: int) -> bool:
    """Idempotent: a version already rendered is left alone (acks late may run it twice)."""
    rendered = agreement_versions.render_version(int(version_id))
    db.session.commit()
    return rendered
