"""Migrations are the only way the schema is made: the models match the head, and the downgrade
path works (upgrade → downgrade to base → upgrade on a throwaway database)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Connection, make_url

from grants import create_app
from grants.extensions import db
from grants.models import Base
from grants.models.base import include_in_autogenerate
from tests import conftest


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(
        connection,
        opts={
            "compare_type": True,
            "compare_server_default": False,
            "include_object": include_in_autogenerate,
        },
    )
    return list(compare_metadata(context, Base.metadata))


def test_models_match_the_migration_head(app: Flask) -> None:
    with app.app_context(), db.engine.connect() as connection:
        assert _differences(connection) == []


@pytest.fixture
def throwaway_url(tmp_path: Path) -> Iterator[str]:
    """An empty database of the same backend as the run's, dropped afterwards."""
    base = conftest.test_database_url()
    if base.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'throwaway.db'}"
        return
    name = f"grants_mig_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _tables(application: Flask) -> set[str]:
    with db.engine.connect() as connection:
        return set(inspect(connection).get_table_names()) - {"alembic_version"}


def test_downgrade_to_base_then_upgrade_again(throwaway_url: str, tmp_path: Path) -> None:
    application = create_app(conftest.make_settings(throwaway_url, tmp_path / "instance"))
    model_tables = set(Base.metadata.tables)
    with application.app_context():
        try:
            upgrade()
            assert _tables(application) == model_tables
            downgrade(revision="base")
            assert _tables(application) == set()
            upgrade()
            assert _tables(application) == model_tables
            with db.engine.connect() as connection:
                assert _differences(connection) == []
                connection.rollback()
                # The append-only triggers came back with the second upgrade.
                with connection.begin():
                    connection.execute(
                        text(
                            "INSERT INTO audit_events (at, stream, action, data, prev_hash, hash)"
                            " VALUES (CURRENT_TIMESTAMP, 's', 'a', '{}', '', '')"
                        )
                    )
                for statement in (
                    "UPDATE audit_events SET action = 'x'",
                    "DELETE FROM audit_events",
                ):
                    with pytest.raises(Exception, match="append-only"), connection.begin():
                        connection.execute(text(statement))
        finally:
            db.session.remove()
            db.engine.dispose()
