"""Fixtures of the agreement tests: a decided dossier whose agreements are drafted, the staff of
each financer, and clients logged in as anyone."""

from __future__ import annotations

import pytest
from flask import Flask

from tests import factories
from tests.agreements import support
from tests.conftest import CSRFClient, login


@pytest.fixture
def dossier_decided(promoter):  # type: ignore[no-untyped-def]
    return support.decided(promoter)


@pytest.fixture
def cpom(dossier_decided):  # type: ignore[no-untyped-def]
    return support.agreement_of(dossier_decided, "ARS_IMMO")


@pytest.fixture
def convention(dossier_decided):  # type: ignore[no-untyped-def]
    return support.agreement_of(dossier_decided, "REGION_IDF")


@pytest.fixture
def staff(app: Flask) -> dict:  # type: ignore[type-arg]
    ars = factories.ARS_FINANCERS
    return {
        "ars_instructor": factories.make_staff("ars_instructor", ars),
        "ars_decider": factories.make_staff("ars_decider", ars),
        "dd_instructor": factories.make_staff("dd_instructor", ars, departement="77"),
        "monitor": factories.make_staff("monitor", ars),
        "region_instructor": factories.make_staff("financer_instructor", ("REGION_IDF",)),
        "region_decider": factories.make_staff("financer_decider", ("REGION_IDF",)),
        "dep91_instructor": factories.make_staff("financer_instructor", ("DEP_91",)),
    }


@pytest.fixture
def client_for(app: Flask):  # type: ignore[no-untyped-def]
    """``client_for(user)``: a fresh test client logged in as ``user``."""

    def make(user):  # type: ignore[no-untyped-def]
        client = CSRFClient(app, app.response_class, use_cookies=True)
        login(client, user.email)
        return client

    return make
