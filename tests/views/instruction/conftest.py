"""Fixtures for the instructors' pages: one logged-in client per user."""

from __future__ import annotations

import pytest
from flask import Flask, g

from tests.conftest import CSRFClient, login


class UserClient(CSRFClient):
    """A client that forgets the user Flask-Login cached in ``g``: the tests keep one app
    context for the whole test, so without this a request would act as the previous client."""

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        g.pop("_login_user", None)
        try:
            return super().open(*args, **kwargs)
        finally:
            g.pop("_login_user", None)


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
