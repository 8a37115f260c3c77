"""The grants web application: ``create_app`` builds it from typed settings."""

from __future__ import annotations

from flask import Flask

from grants.settings import Settings


def create_app(settings: Settings | None = None) -> Flask:
    from grants import db_setup, security, templating
    from grants.extensions import babel, csrf, db, limiter, login_manager, migrate
    from grants.models.base import include_in_autogenerate
    from grants.storage import storage_from_settings
    from grants.views import register_blueprints

    settings = settings or Settings.from_env()
    app = Flask(__name__, instance_path=str(settings.instance_dir))
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SQLALCHEMY_DATABASE_URI=settings.database_url,
        SQLALCHEMY_ENGINE_OPTIONS=db_setup.engine_options(settings),
        MAX_CONTENT_LENGTH=(settings.max_upload_mb + 1) * 1024 * 1024,
        SESSION_COOKIE_SECURE=settings.cookie_secure,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=settings.cookie_secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        BABEL_DEFAULT_LOCALE="fr",
        BABEL_DEFAULT_TIMEZONE="Europe/Paris",
        WTF_CSRF_TIME_LIMIT=None,
        WTF_I18N_ENABLED=True,
        RATELIMIT_STORAGE_URI=settings.ratelimit_storage_uri,
        RATELIMIT_HEADERS_ENABLED=True,
        TESTING=settings.testing,
    )
    app.extensions["grants_settings"] = settings

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(_migrations_dir()),
        render_as_batch=True,
        include_object=include_in_autogenerate,
    )
    db_setup.install_sqlite_pragmas(app)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=lambda: "fr")
    app.extensions["grants_storage"] = storage_from_settings(settings)

    security.init_app(app)
    templating.init_app(app)
    register_blueprints(app)

    from grants.notifications import dispatch

    dispatch.init_app(app)
    _install_after_commit_listeners()

    from grants import cli

    cli.init_app(app)
    return app


def _migrations_dir():  # type: ignore[no-untyped-def]
    from pathlib import Path

    return Path(__file__).resolve().parent / "migrations"


def _install_after_commit_listeners() -> None:
    """Work recorded in a transaction and started after its commit (notification delivery,
    scoring, committee pack and convocation, agreement documents): each module registers its
    handler when imported; the session listeners are installed once, here, before any request or
    worker thread runs — installing them lazily while another thread commits fails ("deque
    mutated during iteration")."""
    from grants import after_commit
    from grants.notifications import dispatch  # noqa: F401  (registers its handler)
    from grants.services import (  # noqa: F401
        agreement_versions,
        committee_convocation,
        committee_pack,
        scoring,
    )

    after_commit.install()
