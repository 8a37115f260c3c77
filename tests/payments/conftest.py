"""Fixtures of the payment tests: an active CPOM of the ARS real-estate envelope, its staff,
clients logged in as anyone."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.conftest import CSRFClient, login
from tests.payments import support


@pytest.fixture
def agreement(promoter):  # type: ignore[no-untyped-def]
    return support.make_agreement(promoter)


@pytest.fixture
def team(agreement):  # type: ignore[no-untyped-def]
    return support.staff(agreement)


@pytest.fixture
def client_for(app: Flask):  # type: ignore[no-untyped-def]
    """``client_for(user)``: a fresh test client logged in as ``user``."""

    def make(user):  # type: ignore[no-untyped-def]
        client = CSRFClient(app, app.response_class, use_cookies=True)
        login(client, user.email)
        return client

    return make
