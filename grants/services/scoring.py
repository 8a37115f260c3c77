"""Score cards: computed from the active grid (by a task after the commit that asked for them),
stored with the grid version that produced them, adjusted by instructors with a justification,
and recomputed for every open dossier in the background when the grid changes.

``schedule_scoring(dossier_id, trigger)`` and ``start_rescore`` only record work in the
transaction; an ``after_commit`` listener publishes it to Celery, or with no broker (the embedded
default) runs it in-process in its own session.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from grants import after_commit
from grants.extensions import db
from grants.models import BackgroundJob, Dossier, User
from grants.models.base import utcnow
from grants.models.scoring import ConfigVersion, ScoreAdjustment, ScoreCard
from grants.scoring import grid
from grants.services import audit, config_versions
from grants.services.scoring_inputs import financer_table, scheme_in_force
from grants.services.scoring_pipeline import Scorer, score_chunk, score_in_chunks
from grants.services.scoring_store import CardEncoder

log = logging.getLogger("grants.scoring")

OPEN_STATES = (
    "submitted",
    "completeness_check",
    "awaiting_documents",
    "admissible",
    "under_instruction",
    "ready_for_committee",
    "committee_reviewed",
    "decisions_pending",
    "on_hold",
)
PENDING_KEY = "grants_scoring_pending"
SCORE_TASK = "grants.scoring.score_dossier"
RESCORE_TASK = "grants.scoring.rescore"
RESCORE_KIND = "rescore"
CHUNK = 1000  # dossiers re-scored per transaction
JOBS = BackgroundJob.__table__


class AdjustmentRefusedError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# --- computing and storing ---------------------------------------------------------------------


def score_dossiers(
    dossier_ids: Sequence[int],
    *,
    trigger: str,
    session: Session | None = None,
    grid_version: ConfigVersion | None = None,
) -> int:
    """Load, score and store the filed dossiers among ``dossier_ids`` (drafts are skipped) in the
    session's transaction: each gets a new current card, its previous current card stays, no
    longer current."""
    session = session or db.session
    grid_version = grid_version or _active_grid(session)
    if session.autoflush:
        session.flush()  # the dossiers' pending changes are scored
    connection = session.connection()
    encoder = CardEncoder(
        connection.dialect.name, grid_id=grid_version.id, trigger=trigger, computed_at=utcnow()
    )
    return score_chunk(
        connection,
        dossier_ids,
        Scorer(grid_version, encoder),
        scheme_in_force(session),
        financer_table(connection),
    )


def score_dossier(
    dossier_id: int, trigger: str, session: Session | None = None
) -> ScoreCard | None:
    session = session or db.session
    if not score_dossiers([dossier_id], trigger=trigger, session=session):
        return None
    return current_card(dossier_id, session)


def _active_grid(session: Session) -> ConfigVersion:
    if session is db.session():
        return config_versions.active("scoring_grid")
    found = session.scalar(
        select(ConfigVersion)
        .where(ConfigVersion.kind == "scoring_grid", ConfigVersion.active.is_(True))
        .order_by(ConfigVersion.id.desc())
        .limit(1)
    )
    if found is None:
        raise LookupError("no scoring grid: open a page once to seed it")
    return found


def current_card(dossier_id: int, session: Session | None = None) -> ScoreCard | None:
    session = session or db.session
    return session.scalar(
        select(ScoreCard)
        .where(ScoreCard.dossier_id == dossier_id, ScoreCard.current.is_(True))
        .order_by(ScoreCard.id.desc())
        .limit(1)
    )


def card_history(dossier_id: int) -> list[ScoreCard]:
    return list(
        db.session.scalars(
            select(ScoreCard)
            .where(ScoreCard.dossier_id == dossier_id)
            .order_by(ScoreCard.id.desc())
        )
    )


def effective_lines(card: ScoreCard) -> list[dict[str, Any]]:
    """Each line with its original points and, when adjusted, the latest adjustment."""
    latest = {a.criterion: a for a in card.adjustments}
    lines = []
    for line in card.lines:
        adjustment = latest.get(line["code"])
        original = Decimal(line["points"])
        lines.append(
            {
                **line,
                "original": original,
                "points": adjustment.points if adjustment else original,
                "max": Decimal(line["max"]),
                "adjustment": adjustment,
            }
        )
    return lines


def effective_total(card: ScoreCard) -> Decimal:
    return sum((line["points"] for line in effective_lines(card)), Decimal("0"))


# --- adjustments -------------------------------------------------------------------------------


def adjust_criterion(
    card: ScoreCard, *, criterion: str, points: str, justification: str, actor: User
) -> ScoreAdjustment:
    """An instructor's change to one criterion, with its written justification, audited."""
    line = next((entry for entry in card.lines if entry["code"] == criterion), None)
    if not card.current:
        raise AdjustmentRefusedError(
            409, "Cette fiche a été recalculée : ajustez la fiche en cours."
        )
    if line is None:
        raise AdjustmentRefusedError(422, "Choisissez un critère de la grille.")
    try:
        value = Decimal(points.replace(",", ".").strip())
    except (InvalidOperation, AttributeError):
        raise AdjustmentRefusedError(422, "Indiquez les points retenus (un nombre).") from None
    maximum = Decimal(line["max"])
    if not value.is_finite() or not (0 <= value <= maximum):
        raise AdjustmentRefusedError(
            422, f"Les points retenus doivent être compris entre 0 et {grid._n(maximum)}."
        )
    if len((justification or "").strip()) < 10:
        raise AdjustmentRefusedError(
            422, "Justifiez l'ajustement par écrit (au moins quelques mots)."
        )
    adjustment = ScoreAdjustment(
        score_card_id=card.id,
        criterion=criterion,
        points=value.quantize(Decimal("0.01")),
        justification=justification.strip(),
        adjusted_by_id=actor.id,
    )
    db.session.add(adjustment)
    db.session.flush()
    db.session.expire(card, ["adjustments"])
    audit.record(
        "score.adjusted",
        actor=actor,
        dossier_id=card.dossier_id,
        data={
            "card": card.id,
            "criterion": criterion,
            "from": line["points"],
            "to": str(adjustment.points),
            "justification": adjustment.justification,
        },
    )
    return adjustment


# --- background work ---------------------------------------------------------------------------


def schedule_scoring(dossier_id: int, trigger: str) -> None:
    """Score the dossier once the current transaction commits (the workflow's submit, a change
    to a filed dossier, an instructor's request)."""
    config_versions.active("scoring_grid")  # seeded in this transaction if it is the first use
    after_commit.defer(PENDING_KEY, ("score", dossier_id, trigger))


def start_rescore(
    grid_version: ConfigVersion, *, actor: User | None, chunk: int = CHUNK
) -> BackgroundJob:
    """A job that re-scores every open dossier with ``grid_version``, started after commit,
    ``chunk`` dossiers per transaction."""
    total = db.session.scalar(
        select(func.count()).select_from(Dossier).where(Dossier.state.in_(OPEN_STATES))
    )
    job = BackgroundJob(
        kind=RESCORE_KIND,
        state="queued",
        params={"grid_id": grid_version.id, "chunk": chunk},
        total=total or 0,
        done=0,
        created_by_id=actor.id if actor is not None else None,
    )
    db.session.add(job)
    db.session.flush()
    after_commit.defer(PENDING_KEY, ("rescore", job.id, ""))
    return job


def run_rescore(job_id: int, session: Session | None = None) -> None:
    """Idempotent: resumes after the last dossier done; commits after every chunk, with the job's
    progress."""
    session = session or db.session
    job = session.get(BackgroundJob, job_id)
    if job is None or job.state == "done":
        return
    grid_version = session.get(ConfigVersion, job.params["grid_id"])
    last_id = int(job.result.get("last_id", 0))
    ids = list(
        session.scalars(
            select(Dossier.id)
            .where(Dossier.state.in_(OPEN_STATES), Dossier.id > last_id)
            .order_by(Dossier.id)
        )
    )
    job.state, job.started_at = "running", job.started_at or utcnow()
    job.total = job.done + len(ids)
    session.commit()
    try:
        score_in_chunks(
            session,
            ids,
            grid_version,
            trigger="grid_change",
            chunk=int(job.params.get("chunk", CHUNK)),
            on_stored=partial(_record_progress, job.id, dict(job.result)),
        )
    except Exception as exc:
        session.rollback()
        session.refresh(job)
        job.state, job.error = "failed", str(exc)[:500]
        session.commit()
        raise
    session.refresh(job)
    job.state, job.finished_at, job.error = "done", utcnow(), None
    session.commit()


def _record_progress(
    job_id: int, result: dict[str, Any], connection: Connection, part: list[int]
) -> None:
    """The job's progress, in the transaction that stores the chunk: a job resumed after a crash
    starts after the last dossier whose card was committed."""
    connection.execute(
        update(JOBS)
        .where(JOBS.c.id == job_id)
        .values(done=JOBS.c.done + len(part), result={**result, "last_id": part[-1]})
    )


def dispatch(work: list[tuple[str, int, str]]) -> None:
    """Publish each piece of work to Celery, or run it here when no broker is configured."""
    celery = current_app.extensions.get("celery")
    for kind, object_id, trigger in dict.fromkeys(work):
        try:
            if celery is not None:
                task = SCORE_TASK if kind == "score" else RESCORE_TASK
                args = [object_id, trigger] if kind == "score" else [object_id]
                celery.send_task(task, args=args)
            else:
                _run_in_process(kind, object_id, trigger)
        except Exception:  # an instructor can ask again; a failed job shows its error
            log.exception("scoring work %s %s failed", kind, object_id)


def _run_in_process(kind: str, object_id: int, trigger: str) -> None:
    with after_commit.own_session() as session:
        if kind == "score":
            score_dossier(object_id, trigger, session)
            session.commit()
        else:
            run_rescore(object_id, session)


after_commit.register(PENDING_KEY, dispatch)
