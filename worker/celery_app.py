"""Celery bound to the Flask app (Flask's documented ``celery_init_app`` pattern).

Every task runs inside the Flask app context. ``celery -A worker.celery_app worker`` (or
``grants worker``) builds the Flask app from the ``GRANTS_*`` environment on first access.
"""

from __future__ import annotations

from typing import Any

from celery import Celery, Task
from celery.signals import worker_process_init
from flask import Flask

from grants.settings import Settings

TASK_MODULES = [
    "worker.tasks.notifications",
    "worker.tasks.noop",
    "worker.tasks.scoring",
    "worker.tasks.committee",
    "worker.tasks.monitoring",
    "worker.tasks.agreements",
]


def celery_config(settings: Settings) -> dict[str, Any]:
    from worker.schedule import beat_schedule

    return {
        "broker_url": settings.broker_url,
        "broker_connection_retry_on_startup": True,
        "broker_transport_options": {"visibility_timeout": settings.broker_visibility_timeout},
        "task_default_queue": settings.celery_queue,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "task_ignore_result": True,
        # Tasks are idempotent (they lock the row and check its state), so a task that was
        # running when its worker died is handed out again instead of being lost.
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "timezone": "Europe/Paris",
        "enable_utc": True,
        "beat_schedule": beat_schedule(),
    }


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery = Celery(app.name, task_cls=FlaskTask, include=TASK_MODULES)
    celery.config_from_object(celery_config(app.extensions["grants_settings"]))
    celery.set_default()
    app.extensions["celery"] = celery

    @worker_process_init.connect(weak=False)
    def _fresh_connections(**_: object) -> None:
        # A forked child must not share the parent's database sockets.
        from grants.extensions import db

        with app.app_context():
            db.engine.dispose(close=False)

    return celery


_celery: Celery | None = None


def get_celery() -> Celery:
    """The worker's Celery app, built with its Flask app from the environment on first use."""
    global _celery
    if _celery is None:
        from grants import create_app

        flask_app = create_app()
        _celery = flask_app.extensions.get("celery") or celery_init_app(flask_app)
    return _celery


def __getattr__(name: str) -> Celery:
    if name in {"app", "celery"}:
        return get_celery()
    raise AttributeError(name)
