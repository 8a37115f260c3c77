"""The re-score job on a database it commits to for real (no outer test transaction), as in a
worker or the embedded default's in-process run: its reading and storing stages run on a helper
thread with a connection of its own while the main thread scores, every open dossier ends with one
current card equal to what the pure functions give, the job's progress is committed with each
chunk, and a failed job keeps what it committed and resumes after it."""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from grants import create_app
from grants.devtools import throwaway_database
from grants.extensions import db
from grants.models import BackgroundJob, Dossier
from grants.models.scoring import ConfigVersion, ScoreCard
from grants.scoring import grid
from grants.scoring.inputs import from_dossier
from grants.services import config_versions, scoring, scoring_pipeline
from grants.services.dossiers import load_full
from grants.services.submission import submit_dossier
from tests import conftest, factories
from tests.helpers.complete_dossier import make_complete_dossier

FILED = 7
CHUNK = 3


@pytest.fixture(scope="module")
def committed_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app on a database of its own, seeded with seven filed dossiers and a draft."""
    from flask_migrate import upgrade

    from grants.services.reference import load_all

    with throwaway_database(conftest.test_database_url(), "grants_pipeline") as url:
        app = create_app(conftest.make_settings(url, Path(tmp_path_factory.mktemp("pipeline"))))
        with app.app_context():
            upgrade()
            load_all()
            db.session.commit()
            for _ in range(FILED):
                promoter = factories.UserFactory()
                factories.MembershipFactory(user=promoter, role="owner")
                dossier = make_complete_dossier(promoter)
                submit_dossier(dossier, actor=promoter, expected_lock_version=dossier.lock_version)
            factories.DossierFactory(organisation=promoter.memberships[0].organisation)
            db.session.commit()  # the filings' scoring runs in-process after this commit
            yield app
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def filed_ids(committed_app: Flask) -> Iterator[list[int]]:
    with committed_app.app_context():
        yield list(
            db.session.scalars(
                select(Dossier.id).where(Dossier.state != "draft").order_by(Dossier.id)
            )
        )
        db.session.remove()


def new_grid(weight: int) -> ConfigVersion:
    payload = copy.deepcopy(config_versions.active("scoring_grid").payload)
    payload["components"][0]["weight"] = weight
    payload["components"][1]["weight"] = 35 - weight
    admin = factories.UserFactory(role="admin")
    return config_versions.create_version(
        "scoring_grid", payload, actor=admin, version=f"2027-{weight}"
    )


def current_cards(dossier_ids: list[int]) -> dict[int, list[ScoreCard]]:
    found: dict[int, list[ScoreCard]] = {i: [] for i in dossier_ids}
    for card in db.session.scalars(
        select(ScoreCard).where(ScoreCard.dossier_id.in_(dossier_ids), ScoreCard.current)
    ):
        found[card.dossier_id].append(card)
    return found


def test_reading_and_storing_run_on_a_helper_thread_beside_the_scoring(committed_app, filed_ids):
    stored: list[tuple[list[int], str]] = []

    def on_stored(_connection, part):  # type: ignore[no-untyped-def]
        stored.append((part, threading.current_thread().name))

    with committed_app.app_context():
        grid_version = config_versions.active("scoring_grid")
        scoring_pipeline.score_in_chunks(
            db.session,
            filed_ids,
            grid_version,
            trigger="instructor",
            chunk=CHUNK,
            on_stored=on_stored,
        )
        assert [part for part, _thread in stored] == [
            filed_ids[i : i + CHUNK] for i in range(0, FILED, CHUNK)
        ]
        assert all(thread.startswith("scoring") for _part, thread in stored)
        db.session.rollback()
        for dossier_id, cards in current_cards(filed_ids).items():
            [card] = cards
            result = grid.score(from_dossier(load_full(dossier_id)), grid_version.payload)
            assert card.trigger == "instructor" and card.total == result.total
            assert card.lines == [line.to_json() for line in result.lines]
        db.session.remove()


def test_grid_change_rescores_every_open_dossier_chunk_by_chunk(committed_app, filed_ids):
    with committed_app.app_context():
        grid_version = new_grid(30)
        job = scoring.start_rescore(grid_version, actor=None, chunk=CHUNK)
        db.session.commit()  # no broker: the job runs in-process after the commit
        db.session.expire_all()
        job = db.session.get(BackgroundJob, job.id)
        assert (job.state, job.done, job.total) == ("done", FILED, FILED)
        assert job.result == {"last_id": filed_ids[-1]} and job.error is None
        for dossier_id, cards in current_cards(filed_ids).items():
            [card] = cards
            inputs = from_dossier(load_full(dossier_id))
            assert card.grid_id == grid_version.id and card.trigger == "grid_change"
            assert card.total == grid.score(inputs, grid_version.payload).total
        draft = db.session.scalar(select(Dossier.id).where(Dossier.state == "draft"))
        assert current_cards([draft]) == {draft: []}
        db.session.remove()


def test_a_failed_job_keeps_its_committed_chunks_and_resumes_after_them(
    committed_app, filed_ids, monkeypatch
):
    broken = filed_ids[CHUNK + 1]  # in the second chunk
    real_score = grid.score

    def score(inputs, payload):  # type: ignore[no-untyped-def]
        if inputs.dossier_id == broken:
            raise ValueError("grille illisible pour ce dossier")
        return real_score(inputs, payload)

    with committed_app.app_context():
        grid_version = new_grid(28)
        job = scoring.start_rescore(grid_version, actor=None, chunk=CHUNK)
        job_id = job.id
        monkeypatch.setattr(scoring_pipeline.grid, "score", score)
        db.session.commit()  # runs in-process; the failure is logged, the job shows it
        db.session.expire_all()
        job = db.session.get(BackgroundJob, job_id)
        assert (job.state, job.done) == ("failed", CHUNK)
        assert job.result == {"last_id": filed_ids[CHUNK - 1]}
        assert "grille illisible" in job.error
        grids = {i: cards[0].grid_id for i, cards in current_cards(filed_ids).items()}
        assert [grids[i] == grid_version.id for i in filed_ids] == [True] * CHUNK + [False] * (
            FILED - CHUNK
        )

        monkeypatch.undo()
        scoring.run_rescore(job_id)
        db.session.expire_all()
        job = db.session.get(BackgroundJob, job_id)
        assert (job.state, job.done, job.total, job.error) == ("done", FILED, FILED, None)
        assert job.result == {"last_id": filed_ids[-1]}
        for cards in current_cards(filed_ids).values():
            assert [card.grid_id for card in cards] == [grid_version.id]
        rescored = db.session.scalars(
            select(ScoreCard.dossier_id).where(
                ScoreCard.grid_id == grid_version.id, ScoreCard.trigger == "grid_change"
            )
        ).all()
        assert sorted(rescored) == filed_ids  # the first chunk was not scored twice
        db.session.remove()
