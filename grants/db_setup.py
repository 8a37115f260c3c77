"""Engine options per backend; SQLite gets WAL, foreign keys and a busy timeout."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from grants.settings import Settings


def engine_options(settings: Settings) -> dict[str, Any]:
    if settings.is_sqlite:
        return {"connect_args": {"timeout": 30}}
    return {"pool_pre_ping": True, "pool_size": 5, "max_overflow": 5}


def install_sqlite_pragmas(app: Flask) -> None:
    settings: Settings = app.extensions["grants_settings"]
    if not settings.is_sqlite:
        return
    with app.app_context():
        from grants.extensions import db

        _configure_sqlite(db.engine)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (the pysqlite driver's own handling is unreliable).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if engine.url.database not in (None, "", ":memory:"):
            # WAL with synchronous=NORMAL (Rails' and SQLite's own advice for WAL): a commit no
            # longer waits for an fsync, checkpoints still do; the database cannot be corrupted,
            # only the last commits can be lost on a power cut (production runs PostgreSQL).
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")
