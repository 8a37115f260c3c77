"""Access matrix over every route of the url map: login required by default, and a promoter
never reaches another organisation's dossier, pieces or organisation page (404, not 403).

Routes are enumerated from ``app.url_map``: a new route is checked without editing this file.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from grants.extensions import db
from grants.models import Attachment, Dossier, Organisation, PieceKind, User
from grants.security import PUBLIC_ENDPOINTS
from tests import factories, routes
from tests.conftest import login

OWN_PARAMS = {"dossier_id", "organisation_id", "section"}


@dataclass
class World:
    promoter: User
    dossier_a: Dossier
    attachment_a: Attachment
    organisation_b: Organisation
    dossier_b: Dossier
    attachment_b: Attachment


def _attachment(dossier: Dossier, user: User) -> Attachment:
    attachment = Attachment(
        dossier=dossier,
        piece_code=db.session.scalars(select(PieceKind.code)).first(),
        storage_key=f"matrix/{uuid.uuid4().hex}",
        original_name="statuts.pdf",
        content_type="application/pdf",
        size=4,
        sha256="0" * 64,
        status="uploaded",
        uploaded_by_id=user.id,
    )
    db.session.add(attachment)
    return attachment


@pytest.fixture
def world(promoter, dossier) -> World:  # type: ignore[no-untyped-def]
    other = factories.UserFactory()
    membership_b = factories.MembershipFactory(user=other, role="owner")
    dossier_b = factories.DossierFactory(organisation=membership_b.organisation, created_by=other)
    db.session.flush()
    attachment_a = _attachment(dossier, promoter)
    attachment_b = _attachment(dossier_b, other)
    db.session.flush()
    return World(
        promoter, dossier, attachment_a, membership_b.organisation, dossier_b, attachment_b
    )


def _status(client: FlaskClient, route: routes.Route) -> int:
    post = route.method == "POST"
    response = client.post(route.url, data={}) if post else client.get(route.url)
    response.close()
    return response.status_code


def test_anonymous_visitors_are_sent_to_the_login_page(app: Flask, client: FlaskClient) -> None:
    private = [r for r in routes.routes(app, "GET", {}) if r.endpoint not in PUBLIC_ENDPOINTS]
    assert len(private) >= 5
    wrong = {}
    for route in private:
        response = client.get(route.url)
        response.close()
        location = response.headers.get("Location", "")
        if response.status_code != 302 or not location.startswith("/connexion?next="):
            wrong[str(route)] = (response.status_code, location)
    assert wrong == {}


def test_public_pages_do_not_ask_to_log_in(app: Flask, client: FlaskClient) -> None:
    public = [r for r in routes.routes(app, "GET", {}) if r.endpoint in PUBLIC_ENDPOINTS]
    assert {"auth.login", "auth.accept_invitation"} <= {r.endpoint for r in public}
    for route in public:
        response = client.get(route.url)
        response.close()
        assert "/connexion?next=" not in response.headers.get("Location", ""), route
        assert response.status_code < 500, route


def _matrix(app: Flask, param: str, values: dict[str, object]) -> list[routes.Route]:
    return [
        route
        for method in ("GET", "POST")
        for route in routes.routes(app, method, values)
        if param in route.rule.arguments
    ]


def _statuses(client: FlaskClient, matrix: list[routes.Route]) -> dict[str, int]:
    return {str(route): _status(client, route) for route in matrix}


def test_another_organisations_dossier_is_404_on_every_route(
    app: Flask, client: FlaskClient, world: World
) -> None:
    login(client, world.promoter.email)
    values = {
        "dossier_id": world.dossier_b.id,
        "organisation_id": world.organisation_b.id,
        "attachment_id": world.attachment_b.id,
    }
    matrix = _matrix(app, "dossier_id", values)
    assert {"promoter.dossier", "promoter.edit_section"} <= {r.endpoint for r in matrix}
    statuses = _statuses(client, matrix)
    assert statuses == dict.fromkeys(statuses, 404)


def test_another_dossiers_attachment_is_404_through_ones_own_dossier(
    app: Flask, client: FlaskClient, world: World
) -> None:
    login(client, world.promoter.email)
    values = {"dossier_id": world.dossier_a.id, "attachment_id": world.attachment_b.id}
    matrix = _matrix(app, "attachment_id", values)
    statuses = _statuses(client, matrix)
    assert statuses == dict.fromkeys(statuses, 404)


def test_another_organisation_is_404_on_every_route(
    app: Flask, client: FlaskClient, world: World
) -> None:
    login(client, world.promoter.email)
    matrix = _matrix(app, "organisation_id", {"organisation_id": world.organisation_b.id})
    assert {"promoter.organisation", "promoter.edit_organisation", "promoter.invite"} <= {
        r.endpoint for r in matrix
    }
    statuses = _statuses(client, matrix)
    assert statuses == dict.fromkeys(statuses, 404)


def test_ones_own_dossier_and_organisation_pages_open(
    app: Flask, client: FlaskClient, world: World
) -> None:
    """The 404s above are not vacuous: the same pages open for the promoter's own objects."""
    login(client, world.promoter.email)
    values = {"dossier_id": world.dossier_a.id, "organisation_id": world.dossier_a.organisation_id}
    own = [
        route
        for route in routes.routes(app, "GET", values)
        if route.rule.arguments & {"dossier_id", "organisation_id"}
        and route.rule.arguments <= OWN_PARAMS
        and not route.endpoint.startswith("instruction.")  # staff pages: 404 for promoters
    ]
    statuses = _statuses(client, own)
    assert statuses and all(code in (200, 302) for code in statuses.values()), statuses
