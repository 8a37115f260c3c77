"""Test fixtures: a real database per run (PostgreSQL by default, SQLite on request), each test
inside a transaction rolled back at the end, an HTTP client and logged-in role fixtures."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, g, has_app_context
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSQLAlchemySession
from sqlalchemy import event

from grants import create_app
from grants.devtools import throwaway_database
from grants.extensions import db
from grants.settings import Settings
from tests import factories

DEFAULT_TEST_DATABASE = "postgresql+psycopg://127.0.0.1:5432/test"


def test_database_url() -> str:
    return os.environ.get("GRANTS_TEST_DATABASE_URL", DEFAULT_TEST_DATABASE)


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A fresh database for this run: a new PostgreSQL database, or a new SQLite file."""
    with throwaway_database(test_database_url(), "grants_test") as url:
        yield url


def make_settings(database_url: str, instance_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "instance_dir": instance_dir,
        "database_url": database_url,
        "secret_key": "test-secret",
        "mail_backend": "memory",
        "cookie_secure": False,
        "testing": True,
        "login_rate_limit": "1000 per minute",
    }
    values.update(overrides)
    return Settings(**values).resolved()  # type: ignore[arg-type]


class CSRFClient(FlaskClient):
    """A test client that signs every form POST with a valid CSRF token, as a browser would.

    Set ``auto_csrf = False`` to send exactly what the test gives (CSRF rejection tests).
    """

    auto_csrf = True

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        data = kwargs.get("data")
        if (
            self.auto_csrf
            and kwargs.get("method", "GET") == "POST"
            and isinstance(data, dict)
            and "csrf_token" not in data
        ):
            kwargs["data"] = {**data, "csrf_token": self.csrf_token()}
        # Tests keep one app context open across requests, and Flask-Login caches the user in
        # ``g``: forget it, so that each request (and each client) loads its own user.
        if has_app_context():
            g.pop("_login_user", None)
        return super().open(*args, **kwargs)

    def csrf_token(self) -> str:
        import hashlib

        from itsdangerous import URLSafeTimedSerializer

        with self.session_transaction() as session:
            raw = session.setdefault("csrf_token", hashlib.sha1(os.urandom(64)).hexdigest())
        serializer = URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token")
        return serializer.dumps(raw)


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    settings = make_settings(database_url, tmp_path_factory.mktemp("instance"))
    application = create_app(settings)
    application.test_client_class = CSRFClient
    with application.app_context():
        from flask_migrate import upgrade

        from grants.services.reference import load_all

        upgrade()
        load_all()
        db.session.commit()
        db.session.remove()
    yield application
    with application.app_context():
        db.engine.dispose()


class _BoundSession(FlaskSQLAlchemySession):
    """Flask-SQLAlchemy's session picks the app's engine over ``bind``; honour the test bind, or
    every commit of a test would escape the rolled-back outer transaction."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):  # type: ignore[no-untyped-def]
        return bind or self.bind or super().get_bind(mapper, clause, bind, **kwargs)


@pytest.fixture(autouse=True)
def _transaction(request: pytest.FixtureRequest) -> Iterator[None]:
    """Run each test that uses the app inside a transaction rolled back afterwards."""
    if "app" not in request.fixturenames or "live_server" in request.fixturenames:
        yield
        return
    application: Flask = request.getfixturevalue("app")
    with application.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = db._make_scoped_session(
            {
                "bind": connection,
                "join_transaction_mode": "create_savepoint",
                "class_": _BoundSession,
            }
        )
        try:
            yield
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def mailbox(app: Flask) -> list:
    from grants import mail

    mail.memory_outbox(app).clear()
    return mail.memory_outbox(app)


class QueryCounter:
    """Counts the SQL statements the application sends (savepoint bookkeeping excluded)."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, _conn, _cursor, statement: str, *_args) -> None:  # type: ignore[no-untyped-def]
        if not re.match(r"\s*(SAVEPOINT|RELEASE|ROLLBACK TO|BEGIN)", statement, re.I):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app: Flask):  # type: ignore[no-untyped-def]
    """Context manager factory: ``with count_queries() as counter: ...``."""
    from contextlib import contextmanager

    @contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()
        engine = db.engine
        event.listen(engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", counter)

    return counting


def login(client: FlaskClient, email: str, password: str = factories.PASSWORD) -> None:
    response = client.post("/connexion", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


@pytest.fixture
def promoter(app: Flask):  # type: ignore[no-untyped-def]
    """A promoter user who owns one organisation."""
    user = factories.UserFactory()
    factories.MembershipFactory(user=user, role="owner")
    db.session.flush()
    return user


@pytest.fixture
def promoter_client(client: FlaskClient, promoter) -> FlaskClient:  # type: ignore[no-untyped-def]
    login(client, promoter.email)
    return client


@pytest.fixture
def dossier(promoter):  # type: ignore[no-untyped-def]
    organisation = promoter.memberships[0].organisation
    result = factories.DossierFactory(organisation=organisation, created_by=promoter)
    db.session.flush()
    return result


def csrf_token(client: FlaskClient, url: str) -> str:
    """Fetch a page and return the CSRF token of its form (for apps with CSRF enabled)."""
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token on " + url
    return match.group(1)


# --- Staff role fixtures (DOMAIN §1.2) ---------------------------------------------------------


@pytest.fixture
def ars_instructor(app: Flask):  # type: ignore[no-untyped-def]
    """ARS head office (DOS): both ARS financers, every département."""
    return factories.make_staff("ars_instructor", factories.ARS_FINANCERS)


@pytest.fixture
def dd_instructor_77(app: Flask):  # type: ignore[no-untyped-def]
    """ARS délégation départementale of Seine-et-Marne."""
    return factories.make_staff("dd_instructor", factories.ARS_FINANCERS, departement="77")


@pytest.fixture
def region_instructor(app: Flask):  # type: ignore[no-untyped-def]
    return factories.make_staff("financer_instructor", ("REGION_IDF",))


@pytest.fixture
def departement_77_instructor(app: Flask):  # type: ignore[no-untyped-def]
    return factories.make_staff("financer_instructor", ("DEP_77",))


@pytest.fixture
def committee_secretary(app: Flask):  # type: ignore[no-untyped-def]
    return factories.make_staff("committee_secretary", factories.ARS_FINANCERS)


@pytest.fixture
def submitted_dossier(promoter):  # type: ignore[no-untyped-def]
    """A complete dossier of ``promoter`` (77, ARS_IMMO + REGION_IDF + DEP_77), filed through the
    workflow: it stands in completeness_check with one track per financer."""
    from grants.services.submission import submit_dossier
    from tests.helpers.complete_dossier import make_complete_dossier

    dossier = make_complete_dossier(promoter)
    submit_dossier(dossier, actor=promoter, expected_lock_version=dossier.lock_version)
    db.session.flush()
    return dossier
