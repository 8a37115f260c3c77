"""Fixtures for the instructors' pages: one logged-in client per user."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.conftest import CSRFClient, login

# Each client is the shared CSRFClient, which forgets Flask-Login's cached user before every
# request (tests keep one app context, so ``g`` outlives requests).
UserClient = CSRFClient


@pytest.fixture
def client_for(app: Flask):  # type: ignore[no-untyped-def]
    """``client_for(user)``: a fresh test client logged in as ``user``."""

    def make(user):  # type: ignore[no-untyped-def]
        client = UserClient(app, app.response_class, use_cookies=True)
        login(client, user.email)
        return client

    return make


@pytest.fixture
def urps_member(app: Flask):  # type: ignore[no-untyped-def]
    """A URPS representative: a committee member linked to the ARS financers (scope only)."""
    from tests import factories

    return factories.make_staff("committee_member", factories.ARS_FINANCERS)
