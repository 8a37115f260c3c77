"""Releasing a savepoint is not a commit: outbox rows wait for the real one before delivery.

SQLAlchemy fires ``after_commit`` when a ``begin_nested()`` block ends; the request-for-documents
and answer views wrap ``engine.fire`` in one. Delivering then ran in another session that could
not see the uncommitted rows, so the promoter never got the notification (found by the browser
journey tests/browser/test_instruction_journey.py; the test client shares one connection and
hides it).
"""

from __future__ import annotations

import pytest

from grants.extensions import db
from grants.notifications import dispatch as dispatch_module
from grants.notifications.outbox import PENDING_KEY


def test_a_released_savepoint_keeps_the_rows_pending_until_the_commit(
    app, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[list[int]] = []
    monkeypatch.setattr(dispatch_module, "dispatch", lambda ids: sent.append(list(ids)))
    with db.session.begin_nested():
        db.session.info.setdefault(PENDING_KEY, []).extend([101, 102])
    assert sent == []
    assert db.session.info[PENDING_KEY] == [101, 102]

    db.session.commit()
    assert sent == [[101, 102]]
    assert PENDING_KEY not in db.session.info
