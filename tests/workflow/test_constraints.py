"""The database itself refuses states that break the workflow's invariants (CHECK constraints),
on PostgreSQL and on SQLite alike: each violation is tried inside a savepoint."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.exc import IntegrityError

from grants.extensions import db
from grants.models.base import utcnow
from tests.workflow import support


def refused(change: Callable[[], None]) -> None:
    savepoint = db.session.begin_nested()
    change()
    with pytest.raises(IntegrityError):
        db.session.flush()
    savepoint.rollback()


def accepted(change: Callable[[], None]) -> None:
    savepoint = db.session.begin_nested()
    change()
    db.session.flush()
    savepoint.rollback()


@pytest.fixture
def track(promoter):  # type: ignore[no-untyped-def]
    dossier = support.make_dossier(promoter, "completeness_check")
    return support.track_of(dossier, "ARS_IMMO")


def test_a_decided_track_has_its_decision_date(track):
    refused(lambda: setattr(track, "state", "granted"))
    accepted(
        lambda: (
            setattr(track, "state", "granted"),
            setattr(track, "decided_at", utcnow()),
            setattr(track, "checklist_completed_at", utcnow()),
        )
    )


def test_an_undecided_track_has_no_decision_date(track):
    refused(lambda: setattr(track, "decided_at", utcnow()))


def test_a_track_instructs_only_after_its_checklist(track):
    refused(lambda: setattr(track, "state", "instructing"))
    refused(lambda: setattr(track, "state", "awaiting_decision"))
    accepted(
        lambda: (
            setattr(track, "state", "instructing"),
            setattr(track, "checklist_completed_at", utcnow()),
        )
    )
    accepted(lambda: setattr(track, "state", "not_concerned"))


def test_a_track_state_is_from_the_vocabulary(track):
    refused(lambda: setattr(track, "state", "lost"))


@pytest.fixture
def filed(promoter):  # type: ignore[no-untyped-def]
    return support.make_dossier(promoter, "completeness_check")


def test_a_held_dossier_remembers_where_it_was(filed):
    refused(lambda: setattr(filed, "state", "on_hold"))
    accepted(
        lambda: (
            setattr(filed, "state", "on_hold"),
            setattr(filed, "held_from_state", "completeness_check"),
        )
    )


def test_only_a_held_dossier_has_a_held_from_state(filed):
    refused(lambda: setattr(filed, "held_from_state", "completeness_check"))


def test_awaiting_documents_pauses_the_clock(filed):
    refused(lambda: setattr(filed, "state", "awaiting_documents"))
    accepted(
        lambda: (
            setattr(filed, "state", "awaiting_documents"),
            setattr(filed, "clock_paused_at", utcnow()),
        )
    )


def test_a_filed_dossier_has_a_reference_and_a_filing_date(filed, dossier):
    refused(lambda: setattr(filed, "reference", None))
    refused(lambda: setattr(filed, "submitted_at", None))
    refused(lambda: setattr(dossier, "state", "submitted"))  # a draft moved without filing


def test_a_dossier_state_is_from_the_vocabulary(filed):
    refused(lambda: setattr(filed, "state", "lost"))
