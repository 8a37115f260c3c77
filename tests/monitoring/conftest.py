"""Fixtures of the monitoring tests: an active CPOM of the promoter, staff of each role, clients."""

from __future__ import annotations

import pytest
from flask import Flask

from tests import factories
from tests.conftest import CSRFClient, login
from tests.monitoring import support


@pytest.fixture
def cpom(promoter):  # type: ignore[no-untyped-def]
    return support.make_cpom(promoter)


@pytest.fixture
def monitor(app: Flask):  # type: ignore[no-untyped-def]
    return factories.make_staff("monitor", factories.ARS_FINANCERS)


@pytest.fixture
def dd_77(app: Flask):  # type: ignore[no-untyped-def]
    return factories.make_staff("dd_instructor", factories.ARS_FINANCERS, departement="77")


@pytest.fixture
def client_for(app: Flask):  # type: ignore[no-untyped-def]
    """``client_for(user)``: a fresh test client logged in as ``user``."""

    def make(user):  # type: ignore[no-untyped-def]
        client = CSRFClient(app, app.response_class, use_cookies=True)
        login(client, user.email)
        return client

    return make
