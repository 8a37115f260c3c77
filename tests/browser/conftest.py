"""A live server on loopback with its own database (real commits) and Debian's Chromium."""

from __future__ import annotations

import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from grants.devtools import throwaway_database
from tests.conftest import make_settings, test_database_url

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def live_database() -> Iterator[str]:
    with throwaway_database(test_database_url(), "grants_live") as url:
        yield url


@pytest.fixture(scope="module")
def live_server(live_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve the app with the demo data on a free loopback port; yields the base URL."""
    from flask_migrate import upgrade

    from grants import create_app
    from grants.demo import seed_demo
    from grants.extensions import db
    from grants.services.reference import load_all

    port = _free_port()
    settings = make_settings(
        live_database, tmp_path_factory.mktemp("live-instance"), base_url=f"http://127.0.0.1:{port}"
    )
    app = create_app(settings)
    with app.app_context():
        upgrade()
        load_all()
        seed_demo()
        db.session.commit()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's Chromium driven by Playwright; a missing browser is a failure, not a skip."""
    from playwright.sync_api import sync_playwright

    assert shutil.which(CHROMIUM) or Path(CHROMIUM).exists(), (
        "Debian's chromium is required at /usr/bin/chromium (apt-get install chromium)"
    )
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def page(browser, tmp_path):  # type: ignore[no-untyped-def]
    context = browser.new_context(accept_downloads=True, locale="fr-FR")
    context.set_default_timeout(15000)
    tab = context.new_page()
    yield tab
    context.close()
