"""Work deferred to the end of a transaction runs after the real commit, never before.

SQLAlchemy fires ``after_commit`` when a ``begin_nested()`` block ends too; the
request-for-documents and answer views wrap ``engine.fire`` in one. Delivering then ran in another
session that could not see the uncommitted rows, so the promoter never got the notification (found
by the browser journey tests/browser/test_instruction_journey.py; the test client shares one
connection and hides it).
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from grants import after_commit
from grants.extensions import db
from grants.notifications import dispatch
from grants.notifications.outbox import PENDING_KEY

KEY = "grants_test_after_commit"


@pytest.fixture
def ran(app, monkeypatch: pytest.MonkeyPatch) -> list[list[object]]:
    calls: list[list[object]] = []
    monkeypatch.setitem(after_commit._handlers, KEY, lambda items: calls.append(list(items)))
    return calls


def test_a_released_savepoint_keeps_the_work_until_the_commit(ran: list[list[object]]) -> None:
    with db.session.begin_nested():
        after_commit.defer(KEY, 101, 102)
    assert ran == []
    assert db.session.info[KEY] == [101, 102]

    db.session.commit()
    assert ran == [[101, 102]]
    assert KEY not in db.session.info


def test_a_rollback_drops_the_work(ran: list[list[object]]) -> None:
    db.session.execute(text("SELECT 1"))  # services defer inside a transaction that wrote rows
    after_commit.defer(KEY, 7)
    db.session.rollback()
    db.session.commit()
    assert ran == []


def test_a_rolled_back_savepoint_keeps_the_outer_transactions_work(
    ran: list[list[object]],
) -> None:
    after_commit.defer(KEY, 1)
    nested = db.session.begin_nested()
    after_commit.defer(KEY, 2)
    nested.rollback()
    db.session.commit()
    assert ran and ran[0][0] == 1  # rows of a rolled-back savepoint are skipped by handlers


def test_outbox_rows_are_handed_to_delivery(app) -> None:
    assert after_commit._handlers[PENDING_KEY] is dispatch.dispatch
