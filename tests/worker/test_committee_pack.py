"""The committee pack through the real thing: the commit publishes the task to Redis, a Celery
worker process builds the PDF, committing its progress as it goes."""

from __future__ import annotations

import pytest

from grants.extensions import db
from grants.models import BackgroundJob, CommitteeSession
from grants.services.committee_pack import PACK_TASK, start_pack
from tests.helpers.committee_pack import dossiers_of, make_agenda, pdf_text
from tests.worker.support import wait_until

pytestmark = pytest.mark.slow


def test_the_worker_builds_the_pack_while_the_secretary_watches(live_app, start_worker):
    worker = start_worker()
    committee, secretary = make_agenda(6)
    job = start_pack(committee, secretary)
    job_id, session_id = job.id, committee.id
    references = [d.reference for d in dossiers_of(committee)]
    db.session.commit()  # the after-commit hook publishes grants.committee.build_pack
    seen: list[tuple[str, int, str]] = []

    def finished() -> bool:
        db.session.rollback()  # a fresh snapshot of what the worker committed
        current = db.session.get(BackgroundJob, job_id)
        db.session.refresh(current)
        seen.append((current.state, current.done, str((current.result or {}).get("phase"))))
        return current.state in ("done", "failed")

    wait_until(finished, timeout=180, interval=0.05)
    state, done, phase = seen[-1]
    assert (state, done, phase) == ("done", 6, "done"), seen[-1]
    # The progress was visible while it ran, not only at the end.
    assert any(s == "running" for s, _done, _phase in seen), seen
    worker.wait_for_log(f"Task {PACK_TASK}[", timeout=30)

    built = db.session.get(CommitteeSession, session_id)
    data = live_app.extensions["grants_storage"].get(built.pack_key)
    text = pdf_text(data)
    assert "Sommaire" in text and all(reference in text for reference in references)

    # Running the task again for the same job changes nothing.
    result = live_app.extensions["celery"].send_task(PACK_TASK, args=[job_id])
    worker.wait_for_log(f"{result.id}] succeeded", timeout=60)
    db.session.rollback()
    assert db.session.get(CommitteeSession, session_id).pack_key == built.pack_key
