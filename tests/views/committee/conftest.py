"""Fixtures for the committee pages: one logged-in client per user, the people of a session."""

from __future__ import annotations

import html
import re

import pytest
from flask import Flask

from tests import factories
from tests.conftest import CSRFClient, login


@pytest.fixture
def client_for(app: Flask):  # type: ignore[no-untyped-def]
    """``client_for(user)``: a fresh test client logged in as ``user``."""

    def make(user):  # type: ignore[no-untyped-def]
        client = CSRFClient(app, app.response_class, use_cookies=True)
        login(client, user.email)
        return client

    return make


@pytest.fixture
def dd(app: Flask):  # type: ignore[no-untyped-def]
    return factories.make_staff("dd_instructor", factories.ARS_FINANCERS, departement="77")


@pytest.fixture
def urps(app: Flask):  # type: ignore[no-untyped-def]
    """A URPS representative: committee member, scoped to the ARS financers."""
    return factories.make_staff("committee_member", factories.ARS_FINANCERS)


@pytest.fixture
def secretary_web(client_for, committee_secretary):  # type: ignore[no-untyped-def]
    return client_for(committee_secretary)


def version(html: str, action: str) -> str:
    """The lock_version posted by the form whose action ends with ``action``."""
    start = html.index(f'action="{action}"') if f'action="{action}"' in html else html.index(action)
    match = re.search(r'name="lock_version"[^>]*value="(\d+)"', html[start:])
    assert match, action
    return match.group(1)


def text(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"[ \u202f\xa0]+", " ", html.unescape(response.get_data(as_text=True)))
