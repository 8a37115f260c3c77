"""Security baseline over HTTP: headers, cookies, login throttling, escaping, CSRF, redirects."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from grants import create_app
from grants.extensions import db
from tests import factories, routes
from tests.conftest import CSRFClient, login, make_settings


def _other_app(database_url: str, tmp_path, **overrides: object) -> Flask:  # type: ignore[no-untyped-def]
    application = create_app(make_settings(database_url, tmp_path, **overrides))
    application.test_client_class = CSRFClient
    return application


@pytest.fixture
def secure_app(app: Flask, database_url: str, tmp_path) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    """The application as deployed behind HTTPS (``cookie_secure`` on)."""
    application = _other_app(database_url, tmp_path, cookie_secure=True)
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def throttled_app(app: Flask, database_url: str, tmp_path) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    application = _other_app(database_url, tmp_path, login_rate_limit="3 per minute")
    yield application
    with application.app_context():
        db.engine.dispose()


def _cookie_header(response, name: str = "session") -> str:  # type: ignore[no-untyped-def]
    headers = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]
    assert headers, response.headers
    return headers[0]


@pytest.mark.parametrize("url", ["/connexion", "/espace/", "/page-inexistante"])
def test_security_headers_on_pages(promoter_client: FlaskClient, url: str) -> None:
    response = promoter_client.get(url)
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_anonymous_pages_carry_the_headers_too(client: FlaskClient) -> None:
    response = client.get("/connexion")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_session_cookie_is_httponly_and_lax(client: FlaskClient) -> None:
    cookie = _cookie_header(client.get("/connexion"))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # the test settings turn cookie_secure off


def test_session_cookie_is_secure_when_configured(secure_app: Flask) -> None:
    client = secure_app.test_client()
    cookie = _cookie_header(client.get("/connexion"))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_login_is_rate_limited_with_a_french_message(throttled_app: Flask) -> None:
    client = throttled_app.test_client()
    data = {"email": "personne@exemple.fr", "password": "mauvais mot de passe"}
    statuses = [client.post("/connexion", data=data).status_code for _ in range(3)]
    assert statuses == [422, 422, 422]
    blocked = client.post("/connexion", data=data)
    assert blocked.status_code == 429
    assert "Trop de tentatives" in blocked.get_data(as_text=True)
    # Reading the page stays possible: only the POST is throttled.
    assert client.get("/connexion").status_code == 200


def test_user_text_is_escaped(client: FlaskClient) -> None:
    user = factories.UserFactory()
    membership = factories.MembershipFactory(
        user=user, organisation__legal_name="<script>alert(1)</script>"
    )
    db.session.flush()
    login(client, user.email)
    for url in (f"/espace/organisations/{membership.organisation_id}", "/espace/organisations"):
        html = client.get(url).get_data(as_text=True)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<script>alert(1)" not in html


def test_every_post_route_refuses_a_missing_csrf_token(app: Flask, dossier, promoter) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    login(client, promoter.email)  # the login form itself needs the token
    client.auto_csrf = False
    values = {"dossier_id": dossier.id, "organisation_id": dossier.organisation_id}
    post_routes = routes.routes(app, "POST", values)
    assert any(r.endpoint == "auth.login" for r in post_routes)
    refused = {}
    for route in post_routes:
        response = client.post(route.url, data={"x": "1"})
        refused[str(route)] = (
            response.status_code,
            "Formulaire expiré" in response.get_data(as_text=True),
        )
    assert refused == {name: (400, True) for name in refused}
    # Still logged in: the refusals did not depend on the session being gone.
    assert client.get("/espace/").status_code == 200


def test_anonymous_post_without_token_is_refused(client: FlaskClient) -> None:
    client.auto_csrf = False
    response = client.post("/connexion", data={"email": "a@exemple.fr", "password": "x"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "target",
    ["//evil.example", "https://evil.example/", "//evil.example/espace/", "http:evil.example"],
)
def test_login_refuses_open_redirects(client: FlaskClient, target: str) -> None:
    user = factories.UserFactory()
    db.session.flush()
    response = client.post(
        "/connexion",
        query_string={"next": target},
        data={"email": user.email, "password": factories.PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/espace/"


def test_login_refuses_backslash_open_redirect(client: FlaskClient) -> None:
    user = factories.UserFactory()
    db.session.flush()
    response = client.post(
        "/connexion",
        query_string={"next": "/\\evil.example"},
        data={"email": user.email, "password": factories.PASSWORD},
    )
    assert response.headers["Location"] == "/espace/"


def test_login_keeps_a_local_next(client: FlaskClient) -> None:
    user = factories.UserFactory()
    db.session.flush()
    response = client.post(
        "/connexion",
        query_string={"next": "/espace/organisations"},
        data={"email": user.email, "password": factories.PASSWORD},
    )
    assert response.headers["Location"] == "/espace/organisations"
