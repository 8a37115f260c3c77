"""Fixtures of the decision tests: the deciders, a dossier awaiting their decisions, clients."""

from __future__ import annotations

import pytest
from flask import Flask

from tests import factories
from tests.conftest import CSRFClient, login
from tests.decisions import support


@pytest.fixture
def secretary(app: Flask):  # type: ignore[no-untyped-def]
    return factories.make_staff("committee_secretary", factories.ARS_FINANCERS)


@pytest.fixture
def deciders(app: Flask):  # type: ignore[no-untyped-def]
    return support.deciders()


@pytest.fixture
def pending(promoter, secretary):  # type: ignore[no-untyped-def]
    """A dossier in decisions_pending, the committee's amounts reserved on the envelopes."""
    return support.decisions_pending(promoter, secretary)


@pytest.fixture
def client_for(app: Flask):  # type: ignore[no-untyped-def]
    """``client_for(user)``: a fresh test client logged in as ``user``."""

    def make(user):  # type: ignore[no-untyped-def]
        client = CSRFClient(app, app.response_class, use_cookies=True)
        login(client, user.email)
        return client

    return make
