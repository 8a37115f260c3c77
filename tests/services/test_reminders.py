"""Reminders of open requests for documents: D-7, D-1 and overdue, each once, idempotent."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from grants.extensions import db
from grants.models import AuditEvent, OutboxMessage
from grants.services.reminders import reminder_kind, send_due_reminders
from grants.workflow import engine
from tests import factories

DUE = date(2026, 6, 30)


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 8, 0, tzinfo=UTC)


@pytest.fixture
def open_request(submitted_dossier, dd_instructor_77):
    from tests.views.document_request_support import financer_id

    engine.fire(
        submitted_dossier,
        "request_documents",
        dd_instructor_77,
        data={
            "items": [{"kind": "piece", "code": "projet_sante", "label": "Projet de santé"}],
            "message": "Merci.",
            "due_on": date.today() + timedelta(days=20),
            "financer_id": financer_id("ARS_IMMO"),
        },
    )
    [request] = submitted_dossier.document_requests
    request.due_on = DUE
    db.session.flush()
    return request


def _reminders(dossier_id: int) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.dossier_id == dossier_id,
                OutboxMessage.event == "document_request.reminder",
            )
            .order_by(OutboxMessage.id)
        )
    )


def test_kinds():
    assert reminder_kind(DUE, DUE - timedelta(days=8)) is None
    assert reminder_kind(DUE, DUE - timedelta(days=7)) == "d7"
    assert reminder_kind(DUE, DUE - timedelta(days=2)) == "d7"
    assert reminder_kind(DUE, DUE - timedelta(days=1)) == "d1"
    assert reminder_kind(DUE, DUE) == "d1"
    assert reminder_kind(DUE, DUE + timedelta(days=1)) == "overdue"


def test_d7_then_d1_then_overdue_each_once(open_request, promoter):
    member = factories.UserFactory()
    factories.MembershipFactory(
        user=member, organisation=promoter.memberships[0].organisation, role="member"
    )
    db.session.flush()
    dossier_id = open_request.dossier_id
    assert send_due_reminders(_at(DUE - timedelta(days=8))) == 0
    assert _reminders(dossier_id) == []

    assert send_due_reminders(_at(DUE - timedelta(days=7))) == 1
    rows = _reminders(dossier_id)
    assert {(r.recipient_id, r.channel) for r in rows} == {
        (user.id, channel) for user in (promoter, member) for channel in ("email", "inapp")
    }
    assert rows[0].template == "reminder" and rows[0].context["kind"] == "d7"
    assert rows[0].context["link"].endswith(f"/espace/dossiers/{dossier_id}/reponse")
    assert rows[0].context["items"] == ["Projet de santé"]
    # Running again the same day, or the next, writes nothing.
    assert send_due_reminders(_at(DUE - timedelta(days=7))) == 0
    assert send_due_reminders(_at(DUE - timedelta(days=6))) == 0
    assert len(_reminders(dossier_id)) == 4

    assert send_due_reminders(_at(DUE - timedelta(days=1))) == 1
    assert send_due_reminders(_at(DUE - timedelta(days=1))) == 0
    assert send_due_reminders(_at(DUE + timedelta(days=1))) == 1
    assert send_due_reminders(_at(DUE + timedelta(days=5))) == 0
    kinds = [r.context["kind"] for r in _reminders(dossier_id) if r.recipient_id == promoter.id]
    assert kinds == ["d7", "d7", "d1", "d1", "overdue", "overdue"]
    assert set(open_request.reminded_at) == {"d7", "d1", "overdue"}
    audited = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "document_request.reminded")
        .order_by(AuditEvent.id)
    ).all()
    assert [e.data["kind"] for e in audited if e.dossier_id == dossier_id] == [
        "d7",
        "d1",
        "overdue",
    ]


def test_a_lost_record_of_the_sent_kind_still_sends_nothing_twice(open_request):
    send_due_reminders(_at(DUE - timedelta(days=3)))
    open_request.reminded_at = {}  # as if a concurrent run had not seen ours yet
    db.session.flush()
    assert send_due_reminders(_at(DUE - timedelta(days=3))) == 0
    assert len(_reminders(open_request.dossier_id)) == 2


def test_answered_requests_are_not_reminded(open_request, submitted_dossier, promoter):
    engine.fire(submitted_dossier, "respond", promoter)
    db.session.flush()
    assert send_due_reminders(_at(DUE - timedelta(days=1))) == 0


def test_cli_command(app, open_request, monkeypatch):
    from grants.services import reminders

    monkeypatch.setattr(reminders, "paris_today", lambda now=None: DUE - timedelta(days=1))
    result = app.test_cli_runner().invoke(args=["reminders"])
    assert result.exit_code == 0, result.output
    assert "rappels envoyés : 1" in result.output
    assert len(_reminders(open_request.dossier_id)) == 2
