"""Scoring tasks: score one dossier (after submission, a change, an instructor's request) and
re-score every open dossier when the grid changes. Thin: each calls one service and commits."""

from __future__ import annotations

from celery import shared_task

from grants.extensions import db
from grants.services import scoring


@shared_task(name="grants.scoring.score_dossier")
def score_dossier(dossier_id: int, trigger: str = "task") -> int | None:
    """Idempotent enough: a second run only adds a newer current card with the same points."""
    card = scoring.score_dossier(int(dossier_id), trigger)
    db.session.commit()
    return card.id if card is not None else None


@shared_task(name="grants.scoring.rescore")
def rescore(job_id: int) -> None:
    """Resumes where a previous run stopped; does nothing once the job is done."""
    scoring.run_rescore(int(job_id), db.session)
