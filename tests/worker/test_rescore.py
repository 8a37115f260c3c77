"""The re-score job through the real thing: the commit that starts it publishes the task to Redis,
and a Celery worker process re-scores every open dossier chunk by chunk (reading and storing on a
helper thread with a connection of its own), committing its progress with each chunk."""

from __future__ import annotations

import copy

import pytest

from grants.extensions import db
from grants.models import BackgroundJob, Dossier
from grants.models.scoring import ScoreCard
from grants.services import config_versions, scoring
from grants.services.submission import submit_dossier
from tests import factories
from tests.helpers.complete_dossier import make_complete_dossier
from tests.worker.support import wait_until

pytestmark = pytest.mark.slow

FILED = 5


def test_the_worker_rescores_every_open_dossier_after_a_grid_change(live_app, start_worker):
    worker = start_worker()
    for _ in range(FILED):
        promoter = factories.UserFactory()
        factories.MembershipFactory(user=promoter, role="owner")
        dossier = make_complete_dossier(promoter)
        submit_dossier(dossier, actor=promoter, expected_lock_version=dossier.lock_version)
    factories.DossierFactory(organisation=promoter.memberships[0].organisation)  # a draft
    admin = factories.UserFactory(role="admin")
    db.session.commit()  # publishes the filings' scoring
    payload = copy.deepcopy(config_versions.active("scoring_grid").payload)
    payload["components"][0]["weight"] = 30
    payload["components"][1]["weight"] = 5
    grid = config_versions.create_version("scoring_grid", payload, actor=admin, version="2027-w")
    job = scoring.start_rescore(grid, actor=admin, chunk=2)
    job_id, grid_id = job.id, grid.id
    db.session.commit()  # publishes grants.scoring.rescore
    seen: list[tuple[str, int]] = []

    def finished() -> bool:
        db.session.rollback()  # a fresh snapshot of what the worker committed
        current = db.session.get(BackgroundJob, job_id)
        db.session.refresh(current)
        seen.append((current.state, current.done))
        return current.state in ("done", "failed")

    wait_until(finished, timeout=120, interval=0.05)
    job = db.session.get(BackgroundJob, job_id)
    assert (job.state, job.done, job.total, job.error) == ("done", FILED, FILED, None), seen
    worker.wait_for_log(f"Task {scoring.RESCORE_TASK}[", timeout=30)
    filed = db.session.scalars(db.select(Dossier.id).where(Dossier.state != "draft")).all()
    current = db.session.execute(
        db.select(ScoreCard.dossier_id, ScoreCard.grid_id, ScoreCard.trigger).where(
            ScoreCard.current
        )
    ).all()
    assert sorted(current) == sorted((i, grid_id, "grid_change") for i in filed)
    assert job.result == {"last_id": max(filed)}

    # Running the task again for the same job changes nothing.
    result = live_app.extensions["celery"].send_task(scoring.RESCORE_TASK, args=[job_id])
    worker.wait_for_log(f"{result.id}] succeeded", timeout=60)
    db.session.rollback()
    rescored = db.select(db.func.count()).where(ScoreCard.trigger == "grid_change")
    assert db.session.scalar(rescored) == len(filed)
