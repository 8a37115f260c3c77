"""Score cards: computed from the active grid (by a task after the commit that asked for them),
stored with the grid version that produced them, adjusted by instructors with a justification,
and recomputed for every open dossier in the background when the grid changes.

``schedule_scoring(dossier_id, trigger)`` and ``start_rescore`` only record work in the
transaction; an ``after_commit`` listener publishes it to Celery, or with no broker (the embedded
default) runs it in-process in its own session.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from functools import cache
from json.encoder import encode_basestring_ascii as encode_json_string  # type: ignore[attr-defined]
from typing import Any

from flask import current_app
from sqlalchemy import JSON, func, select, update
from sqlalchemy.orm import Session

from grants import after_commit
from grants.extensions import db
from grants.models import BackgroundJob, Dossier, User
from grants.models.base import utcnow
from grants.models.scoring import ConfigVersion, ScoreAdjustment, ScoreCard
from grants.scoring import grid
from grants.scoring.inputs import ScoringInputs
from grants.services import audit, config_versions
from grants.services.scoring_inputs import ids_filter, ids_params, load_batch

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
CHUNK = 1000  # dossiers re-scored per transaction (the benchmark uses the same)


class AdjustmentRefusedError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# --- computing and storing ---------------------------------------------------------------------


CARDS = ScoreCard.__table__
# json.dumps's text without the spaces (the same JSON values).
_json_text = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode


def card_values(
    inputs: ScoringInputs, grid_version: ConfigVersion
) -> tuple[int | None, str, str, Decimal]:
    """(dossier id, inputs, lines, total) of one score card, its inputs and lines as the JSON
    text the columns store (pure, apart from reading the grid payload)."""
    result = grid.score(inputs, grid_version.payload)
    return inputs.dossier_id, _json_text(inputs.to_json()), lines_text(result.lines), result.total


# (code, label) of a grid component -> (maximum, JSON text before the points, between points
# and explanation): the parts every line of that component writes the same way.
_LINE_PARTS: dict[tuple[str, str], tuple[Decimal, str, str]] = {}


def lines_text(lines: Iterable[grid.ScoreLine]) -> str:
    """``_json_text([line.to_json() for line in lines])``, the constant parts of each line
    encoded once (the points, digits and a dot, need no escaping)."""
    texts = []
    for line in lines:
        parts = _LINE_PARTS.get((line.code, line.label))
        if parts is None or parts[0] != line.max:
            parts = _line_parts(line)
        texts.append(
            parts[1] + str(line.points) + parts[2] + encode_json_string(line.explanation) + "}"
        )
    return "[" + ",".join(texts) + "]"


def _line_parts(line: grid.ScoreLine) -> tuple[Decimal, str, str]:
    # A placeholder for the points (encoded "\u0000") cuts the text in two; an unescaped quote
    # cannot appear inside an encoded label, so the marker is found only where the points go.
    text = _json_text({**line.to_json(), "points": "\0", "explanation": ""})
    before, _marker, after = text.partition('"points":"\\u0000"')
    parts = (line.max, before + '"points":"', '"' + after[: -len('""}')])
    if len(_LINE_PARTS) < 1000:  # a few components per grid version
        _LINE_PARTS[line.code, line.label] = parts
    return parts


def score_dossiers(
    dossier_ids: Sequence[int],
    *,
    trigger: str,
    session: Session | None = None,
    grid_version: ConfigVersion | None = None,
) -> int:
    """Load, score and store the filed dossiers among ``dossier_ids`` (drafts are skipped): each
    gets a new current card, its previous current card stays, no longer current."""
    session = session or db.session
    grid_version = grid_version or _active_grid(session)
    batch = load_batch(dossier_ids, session, filed_only=True)
    if not batch.dossier_ids:
        return 0
    dialect = session.connection().dialect.name
    session.execute(_demote_statement(dialect), ids_params(batch.dossier_ids, dialect))
    cards = (card_values(inputs, grid_version) for inputs in batch.inputs(transient=True))
    return _insert_cards(session, cards, grid_id=grid_version.id, trigger=trigger)


@cache
def _demote_statement(dialect: str) -> Any:
    """UPDATE making the current cards of the ``ids`` dossiers not current (Core, not the ORM's
    bulk UPDATE: nothing to synchronise in the session). "IS NOT false" rather than "= true"
    keeps the planners on the dossier_id index: with "= true", SQLite walks the index on
    ``current``, every current card of every dossier, for each chunk."""
    return (
        update(CARDS)
        .where(ids_filter(CARDS.c.dossier_id, dialect), CARDS.c.current.is_not(False))
        .values(current=False)
    )


CARD_COLUMNS = ("dossier_id", "inputs", "lines", "total", "grid_id", "trigger", "computed_at")


def _insert_cards(
    session: Session,
    cards: Iterable[tuple[int | None, str, str, Decimal]],
    *,
    grid_id: int,
    trigger: str,
) -> int:
    """Insert the cards as current, with the same grid, trigger and computation time.

    PostgreSQL gets them through COPY, row by row as they are scored, so that the server stores
    one card while the next one is computed; SQLite through one ``executemany``. Either way the
    JSON columns receive the text ``card_values`` wrote (no second encoding)."""
    connection = session.connection()
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    columns = ", ".join(quote(name) for name in (*CARD_COLUMNS, "current"))
    table = dialect.identifier_preparer.format_table(CARDS)
    constants = (grid_id, trigger, utcnow(), True)
    count = 0
    if dialect.name == "postgresql":
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for card in cards:
                copy.write_row(card + constants)
                count += 1
        return count
    bind = [
        None if isinstance(CARDS.c[name].type, JSON) else _bind_processor(CARDS.c[name], dialect)
        for name in (*CARD_COLUMNS, "current")
    ]
    constants = tuple(
        process(value) if process else value
        for process, value in zip(bind[4:], constants, strict=True)
    )
    process_total = bind[3]
    rows = [
        (dossier_id, inputs, lines, process_total(total) if process_total else total, *constants)
        for dossier_id, inputs, lines, total in cards
    ]
    if rows:
        marks = ", ".join([_placeholder(dialect.paramstyle)] * len(rows[0]))
        connection.exec_driver_sql(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
    return len(rows)


def _bind_processor(column: Any, dialect: Any) -> Any:
    """What SQLAlchemy does to a value of ``column`` before handing it to the driver."""
    return column.type.dialect_impl(dialect).bind_processor(dialect)


def _placeholder(paramstyle: str) -> str:
    return "?" if paramstyle == "qmark" else "%s"


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


def start_rescore(grid_version: ConfigVersion, *, actor: User | None) -> BackgroundJob:
    """A job that re-scores every open dossier with ``grid_version``, started after commit."""
    total = db.session.scalar(
        select(func.count()).select_from(Dossier).where(Dossier.state.in_(OPEN_STATES))
    )
    job = BackgroundJob(
        kind=RESCORE_KIND,
        state="queued",
        params={"grid_id": grid_version.id},
        total=total or 0,
        done=0,
        created_by_id=actor.id if actor is not None else None,
    )
    db.session.add(job)
    db.session.flush()
    after_commit.defer(PENDING_KEY, ("rescore", job.id, ""))
    return job


def run_rescore(job_id: int, session: Session | None = None, chunk: int = CHUNK) -> None:
    """Idempotent: resumes after the last dossier done; commits after every chunk."""
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
        for start in range(0, len(ids), chunk):
            part = ids[start : start + chunk]
            score_dossiers(part, trigger="grid_change", session=session, grid_version=grid_version)
            job.done += len(part)
            job.result = {**job.result, "last_id": part[-1]}
            session.commit()
    except Exception as exc:
        session.rollback()
        job.state, job.error = "failed", str(exc)[:500]
        session.commit()
        raise
    job.state, job.finished_at = "done", utcnow()
    session.commit()


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
