"""The embedded default's SQLite connections: WAL, synchronous=NORMAL, foreign keys, a busy wait."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from grants import create_app
from grants.extensions import db
from tests.conftest import make_settings


def test_a_file_database_gets_the_pragmas(tmp_path: Path) -> None:
    app = create_app(make_settings(f"sqlite:///{tmp_path / 'grants.db'}", tmp_path))
    with app.app_context():
        with db.engine.connect() as connection:
            pragma = lambda name: connection.execute(text(f"PRAGMA {name}")).scalar()  # noqa: E731
            assert pragma("journal_mode") == "wal"
            assert pragma("synchronous") == 1  # NORMAL: commits do not wait for an fsync
            assert pragma("foreign_keys") == 1
            assert pragma("busy_timeout") == 30000
        db.engine.dispose()
