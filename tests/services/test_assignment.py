"""Edit presence: the two-instructors warning and its opportunistic cleaning."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from grants.extensions import db
from grants.models import EditPresence
from grants.models.base import utcnow
from grants.services.assignment import leave, touch_presence


def test_presence_warns_others_within_ten_minutes(
    submitted_dossier, ars_instructor, dd_instructor_77
):
    now = utcnow()
    assert touch_presence(submitted_dossier.id, "opinion", ars_instructor, now) == []
    others = touch_presence(submitted_dossier.id, "opinion", dd_instructor_77, now)
    assert [p.user_id for p in others] == [ars_instructor.id]
    # Another item is not concerned; the same user twice is one row.
    assert touch_presence(submitted_dossier.id, "piece:1", dd_instructor_77, now) == []
    touch_presence(submitted_dossier.id, "opinion", ars_instructor, now)
    assert len(db.session.scalars(select(EditPresence)).all()) == 3
    # Eleven minutes later the old presences are gone.
    later = now + timedelta(minutes=11)
    assert touch_presence(submitted_dossier.id, "opinion", dd_instructor_77, later) == []
    assert [p.user_id for p in db.session.scalars(select(EditPresence))] == [dd_instructor_77.id]
    leave(submitted_dossier.id, "opinion", dd_instructor_77)
    assert db.session.scalars(select(EditPresence)).all() == []
