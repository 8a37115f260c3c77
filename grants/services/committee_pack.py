"""The committee pack (dossier de séance), built in the background once the agenda is frozen.

``start_pack`` records a job in the caller's transaction; an ``after_commit`` listener
publishes it to Celery (``grants.committee.build_pack``) or, with no broker, runs it in-process.
``build_pack`` loads the whole agenda in a fixed number of queries, renders each dossier's
summary (committing progress every few dossiers), lays the PDF out (reporting the page being
laid out), stores it under a new key and points the session at it. A failure marks the job
failed with its error.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from grants import after_commit
from grants.documents import committee_pack as document
from grants.documents.pdf import html_to_pdf
from grants.extensions import db
from grants.models import BackgroundJob, CommitteeItem, CommitteeSession, User
from grants.models.base import utcnow
from grants.services import audit

log = logging.getLogger("grants.committee")

PACK_KIND = "committee_pack"
PACK_TASK = "grants.committee.build_pack"
PENDING_KEY = "grants_committee_pack_pending"
FINISHED = ("done", "failed")
SUPERSEDED = "Remplacée par une génération plus récente du dossier de séance."
TOC_LINES_PER_PAGE = 30
LAYOUT_COMMIT_SECONDS = 1.0


class PackRefusedError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# --- starting ----------------------------------------------------------------------------------


def start_pack(
    committee: CommitteeSession, actor: User | None, *, reason: str = "freeze"
) -> BackgroundJob:
    """A job building the pack of ``committee``'s frozen agenda, started after commit.

    The previous pack (if any) stops being offered: a re-frozen agenda may differ from it. Its
    file stays in storage and its key is kept in the audit trail.
    """
    if committee.state == "preparing":
        raise PackRefusedError(
            409,
            "L'ordre du jour n'est pas encore arrêté : le dossier de séance est généré "
            "quand il est figé.",
        )
    total = db.session.scalar(
        select(func.count())
        .select_from(CommitteeItem)
        .where(CommitteeItem.session_id == committee.id)
    )
    job = BackgroundJob(
        kind=PACK_KIND,
        state="queued",
        params={"session_id": committee.id},
        total=total or 0,
        done=0,
        result={"phase": "queued"},
        created_by_id=actor.id if actor is not None else None,
    )
    db.session.add(job)
    db.session.flush()
    previous = {"key": committee.pack_key, "sha256": committee.pack_sha256}
    committee.pack_job_id = job.id
    committee.pack_key = None
    committee.pack_sha256 = None
    db.session.flush()
    audit.record(
        "committee.pack_requested",
        stream=f"committee:{committee.id}",
        actor=actor,
        data={"job": job.id, "items": job.total, "reason": reason, "previous": previous},
    )
    after_commit.defer(PENDING_KEY, job.id)
    return job


# --- building ----------------------------------------------------------------------------------


def build_pack(job_id: int, session: Session | None = None) -> None:
    """Idempotent: a finished job is left alone; a job interrupted midway starts over."""
    if session is not None:
        _build(job_id, session)
        return
    with after_commit.own_session() as own:
        _build(job_id, own)


def _build(job_id: int, session: Session) -> None:
    job = session.get(BackgroundJob, job_id)
    if job is None or job.kind != PACK_KIND or job.state in FINISHED:
        return
    committee = session.get(CommitteeSession, job.params.get("session_id"))
    if committee is None or committee.pack_job_id != job.id:
        _finish(session, job, "failed", error=SUPERSEDED)
        return
    job.state, job.started_at, job.done, job.error = "running", utcnow(), 0, None
    job.result = {"phase": "summaries"}
    session.commit()
    try:
        result = _render_and_store(session, job, committee)
    except Exception as exc:
        session.rollback()
        log.exception("committee pack job %s failed", job_id)
        _finish(session, job, "failed", error=f"{type(exc).__name__}: {exc}"[:500])
        return
    if result is None:
        _finish(session, job, "failed", error=SUPERSEDED)
        return
    job.done = job.total or 0
    _finish(session, job, "done", result=result)


def _render_and_store(
    session: Session, job: BackgroundJob, committee: CommitteeSession
) -> dict[str, Any] | None:
    data = document.load_pack(session, committee)
    job.total = len(data.entries)
    progress = _Progress(session, job)
    fragments = document.render_entries(data, progress.summary_done)
    generated_at = utcnow()
    html = document.render_pack_html(data, fragments, generated_at)
    progress.phase("layout")
    with watch_layout(progress.page_laid_out):
        pdf = html_to_pdf(html)
    progress.phase("storing")
    key = f"committee/{committee.id}/{uuid.uuid4().hex}.pdf"
    storage = current_app.extensions["grants_storage"]
    storage.put(key, pdf, "application/pdf")
    digest = hashlib.sha256(pdf).hexdigest()
    # A plain UPDATE: the pack is derived data, it must not bump the session's lock version
    # (the secretary's open forms stay valid); the condition drops a superseded job's file.
    claimed = session.execute(
        update(CommitteeSession)
        .where(CommitteeSession.id == committee.id, CommitteeSession.pack_job_id == job.id)
        .values(pack_key=key, pack_sha256=digest)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        storage.delete(key)
        return None
    return {
        "phase": "done",
        "key": key,
        "sha256": digest,
        "size": len(pdf),
        "pages": progress.pages,
        "items": len(data.entries),
        "generated_at": generated_at.isoformat(),
    }


def _finish(
    session: Session,
    job: BackgroundJob,
    state: str,
    *,
    error: str | None = None,
    result: dict[str, Any] | None = None,
) -> None:
    job.state, job.finished_at, job.error = state, utcnow(), error
    job.result = result if result is not None else {**(job.result or {}), "phase": state}
    session.commit()


class _Progress:
    """Commits the job's progress in short transactions: every few summaries, then at most
    once a second while the PDF is laid out."""

    def __init__(self, session: Session, job: BackgroundJob) -> None:
        self.session = session
        self.job = job
        self.every = max(1, math.ceil((job.total or 0) / 10))
        self.pages: int | None = None
        self._last_commit = 0.0

    def summary_done(self, count: int) -> None:
        if count % self.every == 0 or count == self.job.total:
            self.job.done = count
            self._commit()

    def phase(self, name: str) -> None:
        self.job.result = {"phase": name, "pages": self.pages}
        self._commit()

    def page_laid_out(self, number: int) -> None:
        self.pages = max(self.pages or 0, number)
        now = time.monotonic()
        if now - self._last_commit >= LAYOUT_COMMIT_SECONDS:
            self._last_commit = now
            self.job.result = {"phase": "layout", "pages": self.pages}
            self._commit()

    def _commit(self) -> None:
        if self.session.get_bind().dialect.name == "postgresql":
            # A progress line need not wait for the WAL flush (the render waits on this
            # commit); losing the last one in a database crash costs nothing.
            self.session.execute(text("SET LOCAL synchronous_commit = off"))
        self.session.commit()


# --- WeasyPrint's layout progress ----------------------------------------------------------------
# WeasyPrint reports each page it lays out on its documented ``weasyprint.progress`` logger. While
# a pack is laid out, a filter on that logger hands this thread's page numbers to the job and
# swallows its records, so the application's log does not fill with them.

_PROGRESS_LOGGER = logging.getLogger("weasyprint.progress")
_LAYOUT_MESSAGE = "Step 5 - Creating layout - Page %d"
_watch_lock = threading.Lock()
_watchers = 0
_saved = (logging.NOTSET, False)


class _LayoutWatcher(logging.Filter):
    def __init__(self, on_page: Callable[[int], None]) -> None:
        super().__init__()
        self.thread = threading.get_ident()
        self.on_page = on_page

    def filter(self, record: logging.LogRecord) -> bool:
        if threading.get_ident() != self.thread:
            return True
        if record.msg == _LAYOUT_MESSAGE and record.args:
            self.on_page(int(record.args[0]))  # type: ignore[index]
        return False


@contextmanager
def watch_layout(on_page: Callable[[int], None]) -> Iterator[None]:
    """Call ``on_page(number)`` for each page WeasyPrint lays out in this thread meanwhile."""
    global _watchers, _saved
    watcher = _LayoutWatcher(on_page)
    with _watch_lock:
        if _watchers == 0:
            # A logging fileConfig (Alembic's, in-process migrations) may have disabled it.
            _saved = (_PROGRESS_LOGGER.level, _PROGRESS_LOGGER.disabled)
            _PROGRESS_LOGGER.setLevel(logging.INFO)
            _PROGRESS_LOGGER.disabled = False
        _watchers += 1
        _PROGRESS_LOGGER.addFilter(watcher)
    try:
        yield
    finally:
        with _watch_lock:
            _PROGRESS_LOGGER.removeFilter(watcher)
            _watchers -= 1
            if _watchers == 0:
                _PROGRESS_LOGGER.setLevel(_saved[0])
                _PROGRESS_LOGGER.disabled = _saved[1]


# --- what the secretary and the members see ------------------------------------------------------


@dataclass(frozen=True)
class PackStatus:
    """The pack of a session as its pages show it (progress line, download link)."""

    state: str  # none | queued | running | done | failed
    phase: str
    done: int
    total: int
    pages: int | None
    error: str | None
    ready: bool
    size: int | None
    generated_at: datetime | None

    @property
    def active(self) -> bool:
        return self.state in ("queued", "running")

    @property
    def expected_pages(self) -> int:
        """Cover, table of contents and about a page per dossier (for the progress bar)."""
        return 1 + max(1, math.ceil(self.total / TOC_LINES_PER_PAGE)) + self.total

    @property
    def bar(self) -> tuple[int, int]:
        """(value, max) of the progress bar."""
        if self.state == "done":
            return 1, 1
        if self.phase in ("layout", "storing"):
            laid = self.expected_pages if self.phase == "storing" else (self.pages or 0)
            return min(laid, self.expected_pages), self.expected_pages
        return self.done, max(self.total, 1)

    @property
    def message(self) -> str:
        if self.state == "none":
            return "Le dossier de séance n'a pas encore été généré."
        if self.state == "queued":
            return "Génération du dossier de séance : en attente de démarrage…"
        if self.state == "failed":
            return f"La génération du dossier de séance a échoué ({self.error})."
        if self.state == "done":
            pages = f", {self.pages} pages" if self.pages else ""
            plural = "s" if self.total > 1 else ""
            return f"Dossier de séance prêt : {self.total} dossier{plural}{pages}."
        if self.phase == "layout":
            page = f" (page {self.pages})" if self.pages else ""
            return f"Génération du dossier de séance : mise en page du PDF{page}…"
        if self.phase == "storing":
            return "Génération du dossier de séance : enregistrement du fichier…"
        return f"Génération du dossier de séance : {self.done} / {self.total}"


def pack_status(committee: CommitteeSession, job: BackgroundJob | None = None) -> PackStatus:
    job = job if job is not None else committee.pack_job
    ready = committee.pack_key is not None
    if job is None:
        return PackStatus("done" if ready else "none", "", 0, 0, None, None, ready, None, None)
    result = job.result or {}
    generated = result.get("generated_at")
    return PackStatus(
        state=job.state,
        phase=str(result.get("phase", "")),
        done=job.done,
        total=job.total or 0,
        pages=result.get("pages"),
        error=job.error,
        ready=ready,
        size=result.get("size"),
        generated_at=datetime.fromisoformat(generated) if generated else None,
    )


# --- after commit ------------------------------------------------------------------------------


def dispatch(job_ids: list[int]) -> None:
    """Publish each job to Celery, or build it here when no broker is configured. A job whose
    publication failed stays queued: the secretary can ask for it again."""
    celery = current_app.extensions.get("celery")
    for job_id in dict.fromkeys(job_ids):
        try:
            if celery is not None:
                celery.send_task(PACK_TASK, args=[job_id])
            else:
                build_pack(job_id)
        except Exception:
            log.exception("committee pack job %s could not be started", job_id)


after_commit.register(PENDING_KEY, dispatch)
