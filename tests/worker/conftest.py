"""Fixtures for the real-delivery tests: Redis on 127.0.0.1:6379 (a missing Redis fails), an
aiosmtpd server on a free loopback port, an app on its own committed database and Celery
worker processes consuming a queue unique to this run."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from grants.devtools import throwaway_database
from tests.conftest import make_settings, test_database_url
from tests.worker.support import RecordingHandler, WorkerProcess, free_port

REDIS_URL = "redis://127.0.0.1:6379/5"
VISIBILITY_TIMEOUT = 3


@pytest.fixture(scope="module")
def redis_url() -> str:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        assert client.ping(), "Redis must answer on 127.0.0.1:6379 (scripts/test.sh starts it)"
    finally:
        client.close()
    return REDIS_URL


@pytest.fixture
def smtp_sink() -> Iterator[tuple[RecordingHandler, int]]:
    from aiosmtpd.controller import Controller

    handler = RecordingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        handler.release.set()
        controller.stop()


@pytest.fixture(scope="module")
def worker_queue() -> str:
    return f"grants-test-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="module")
def committed_database() -> Iterator[str]:
    with throwaway_database(test_database_url(), "grants_worker") as url:
        yield url


@pytest.fixture(scope="module")
def instance_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("worker-instance")


@pytest.fixture
def live_app(
    committed_database: str, instance_dir: Path, redis_url: str, worker_queue: str, smtp_sink
) -> Iterator[Flask]:
    """The web side: commits for real and publishes to the broker after each commit."""
    from flask_migrate import upgrade

    from grants import create_app
    from grants.extensions import db
    from grants.services.reference import load_all

    _handler, port = smtp_sink
    settings = make_settings(
        committed_database,
        instance_dir,
        broker_url=redis_url,
        celery_queue=worker_queue,
        broker_visibility_timeout=VISIBILITY_TIMEOUT,
        mail_backend="smtp",
        smtp_port=port,
    )
    app = create_app(settings)
    with app.app_context():
        upgrade()
        load_all()
        db.session.commit()
        yield app
        db.session.remove()
        db.engine.dispose()
    app.extensions["celery"].close()


@pytest.fixture
def worker_env(committed_database, instance_dir, redis_url, worker_queue, smtp_sink):  # type: ignore[no-untyped-def]
    _handler, port = smtp_sink
    return {
        "GRANTS_DATABASE_URL": committed_database,
        "GRANTS_INSTANCE_DIR": str(instance_dir),
        "GRANTS_SECRET_KEY": "test-secret",
        "GRANTS_BROKER_URL": redis_url,
        "GRANTS_CELERY_QUEUE": worker_queue,
        "GRANTS_BROKER_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "GRANTS_OUTBOX_SWEEP_AFTER_SECONDS": "1",
        "GRANTS_MAIL_BACKEND": "smtp",
        "GRANTS_SMTP_PORT": str(port),
    }


@pytest.fixture
def start_worker(worker_env, worker_queue, tmp_path) -> Iterator:  # type: ignore[no-untyped-def]
    """``start_worker()`` starts one more worker process; all are stopped at the end."""
    started: list[WorkerProcess] = []

    def start() -> WorkerProcess:
        process = WorkerProcess(worker_env, worker_queue, tmp_path).start()
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()
