"""The embedded default (no broker): outbox rows are delivered in-process right after commit."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, update

from grants.extensions import db
from grants.models import Notification, OutboxMessage
from grants.models.base import utcnow
from grants.notifications.dispatch import dispatch
from grants.notifications.periodic import build_digests, stale_pending_ids
from tests import factories
from tests.helpers.complete_dossier import make_complete_dossier
from tests.views.test_submission import post


def _rows() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_submitting_delivers_the_emails_and_notifications_once(
    app, dd_instructor_77, region_instructor, promoter_client, promoter, mailbox
):
    dossier = make_complete_dossier(promoter)
    assert post(promoter_client, dossier).status_code == 302

    rows = _rows()
    staff_ids = {dd_instructor_77.id, region_instructor.id}
    assert {row.recipient_id for row in rows} == staff_ids  # the actor is not notified
    assert {row.status for row in rows} == {"delivered"}
    assert {message["To"] for message in mailbox} == {
        dd_instructor_77.email,
        region_instructor.email,
    }
    by_id = {m["Message-ID"]: m for m in mailbox}
    email_rows = [row for row in rows if row.channel == "email"]
    assert set(by_id) == {f"<outbox-{row.id}@grants>" for row in email_rows}
    message = by_id[f"<outbox-{email_rows[0].id}@grants>"]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert dossier.reference in message["Subject"] and "Bonjour" in text
    assert f"/instruction/dossiers/{dossier.id}" in text and "<a href=" in html
    notifications = db.session.scalars(select(Notification)).all()
    assert sorted(n.user_id for n in notifications) == sorted(staff_ids)
    assert all(n.link.endswith(f"/dossiers/{dossier.id}") for n in notifications)

    dispatch([row.id for row in rows])  # a duplicate run sends nothing more
    db.session.commit()
    assert len(mailbox) == 2 and len(db.session.scalars(select(Notification)).all()) == 2


def test_a_rollback_dispatches_nothing(app, dd_instructor_77, promoter, mailbox):
    from grants.services.submission import submit_dossier

    dossier = make_complete_dossier(promoter)
    db.session.commit()
    submit_dossier(dossier, actor=promoter, expected_lock_version=dossier.lock_version)
    db.session.rollback()
    db.session.commit()
    assert mailbox == [] and _rows() == []


def test_digest_mode_groups_the_emails_into_one(
    app, dd_instructor_77, region_instructor, promoter, mailbox
):
    from grants.services.submission import submit_dossier

    dd_instructor_77.notification_mode = "daily_digest"
    first = make_complete_dossier(promoter, title="Maison de santé des Sources")
    second = make_complete_dossier(promoter, title="Pôle de santé du Loing")
    for dossier in (first, second):
        submit_dossier(dossier, actor=promoter, expected_lock_version=dossier.lock_version)
    db.session.commit()

    assert [m["To"] for m in mailbox] == [region_instructor.email] * 2
    waiting = [r for r in _rows() if r.recipient_id == dd_instructor_77.id and r.channel == "email"]
    assert [r.status for r in waiting] == ["digest", "digest"]
    in_app = db.session.scalars(
        select(Notification).where(Notification.user_id == dd_instructor_77.id)
    ).all()
    assert len(in_app) == 2  # in-app notifications are never held back

    mailbox.clear()
    day = date(2026, 3, 2)
    dispatch(build_digests(day))
    dispatch(build_digests(day))  # a second run the same day writes and sends nothing
    db.session.commit()
    assert len(mailbox) == 1
    digest = mailbox[0]
    assert digest["To"] == dd_instructor_77.email
    assert digest["Subject"] == "Récapitulatif de vos notifications du 02/03/2026"
    body = digest.get_body(("plain",)).get_content()
    assert first.reference in body and second.reference in body
    db.session.expire_all()
    assert {r.status for r in waiting} == {"delivered"}


def test_a_failed_delivery_is_recorded_and_swept_later(app, dd_instructor_77, promoter, mailbox):
    from dataclasses import replace

    from grants.services.submission import submit_dossier

    settings = app.extensions["grants_settings"]
    app.extensions["grants_settings"] = replace(
        settings, mail_backend="smtp", smtp_port=_closed_port()
    )
    try:
        dossier = make_complete_dossier(promoter)
        submit_dossier(dossier, actor=promoter, expected_lock_version=dossier.lock_version)
        db.session.commit()
    finally:
        app.extensions["grants_settings"] = settings
    row = next(r for r in _rows() if r.channel == "email")
    assert (row.status, row.attempts) == ("pending", 1)
    assert "Connection" in (row.last_error or "") or "refused" in (row.last_error or "")
    assert row.id not in stale_pending_ids(120)  # too recent for the sweep

    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row.id)
        .values(created_at=utcnow() - timedelta(minutes=5))
    )
    db.session.commit()
    ids = stale_pending_ids(120)
    assert ids == [row.id]
    dispatch(ids)
    db.session.commit()
    db.session.expire_all()
    assert (row.status, row.attempts) == ("delivered", 2)
    assert [m["Message-ID"] for m in mailbox] == [f"<outbox-{row.id}@grants>"]


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_inactive_recipients_are_skipped(app, promoter, mailbox):
    staff = factories.make_staff("dd_instructor", factories.ARS_FINANCERS, departement="77")
    staff.active = False
    from grants.services.submission import submit_dossier

    dossier = make_complete_dossier(promoter)
    submit_dossier(dossier, actor=promoter, expected_lock_version=dossier.lock_version)
    db.session.commit()
    assert mailbox == [] and _rows() == []
