"""The notifications page, the unread count in the header and the preference page."""

from __future__ import annotations

import re

from grants.extensions import db
from grants.models import Notification, OutboxMessage, User
from tests import factories
from tests.conftest import login


def _notify(user: User, title: str, read: bool = False) -> Notification:
    row = OutboxMessage(
        dedupe_key=f"test:{title}:{user.id}",
        event="test",
        recipient_id=user.id,
        channel="inapp",
        template="transition",
        subject=title,
        context={},
        status="delivered",
    )
    db.session.add(row)
    db.session.flush()
    from grants.models.base import utcnow

    notification = Notification(
        user_id=user.id,
        outbox_id=row.id,
        title=title,
        body="Par Alice.",
        link="http://127.0.0.1:5000/espace/dossiers/1",
        read_at=utcnow() if read else None,
    )
    db.session.add(notification)
    db.session.flush()
    return notification


def _badge(html: str) -> str | None:
    match = re.search(r'Notifications <span class="badge">(\d+)', html)
    return match.group(1) if match else None


def test_the_page_lists_newest_first_and_highlights_the_unread(promoter_client, promoter):
    _notify(promoter, "Dossier déposé", read=True)
    _notify(promoter, "Pièces demandées")
    _notify(factories.UserFactory(), "Pas pour vous")
    html = promoter_client.get("/notifications").get_data(as_text=True)
    assert html.index("Pièces demandées") < html.index("Dossier déposé")
    assert "Pas pour vous" not in html
    assert html.count("Non lu</span>") == 1 and _badge(html) == "1"
    assert 'href="http://127.0.0.1:5000/espace/dossiers/1"' in html


def test_the_header_count_costs_one_query(promoter_client, promoter, count_queries):
    _notify(promoter, "Un")
    promoter_client.get("/notifications")
    with count_queries() as counter:
        html = promoter_client.get("/espace/").get_data(as_text=True)
    assert _badge(html) == "1"
    assert sum("count(notifications.id)" in s for s in counter.statements) == 1


def test_marking_one_and_all_read(promoter_client, promoter):
    first = _notify(promoter, "Un")
    _notify(promoter, "Deux")
    other = _notify(factories.UserFactory(), "Autre")
    assert promoter_client.post(f"/notifications/{other.id}/lu", data={}).status_code == 404
    assert other.read_at is None
    response = promoter_client.post(f"/notifications/{first.id}/lu", data={})
    assert response.status_code == 302
    db.session.refresh(first)
    assert first.read_at is not None
    assert _badge(promoter_client.get("/notifications").get_data(as_text=True)) == "1"
    promoter_client.post("/notifications/tout-lu", data={})
    html = promoter_client.get("/notifications").get_data(as_text=True)
    assert _badge(html) is None and "Non lu</span>" not in html


def test_marking_read_needs_a_csrf_token(client, promoter):
    login(client, promoter.email)
    note = _notify(promoter, "Un")
    client.auto_csrf = False
    assert client.post(f"/notifications/{note.id}/lu", data={}).status_code == 400
    assert note.read_at is None


def test_the_preference_switches_to_a_daily_digest(promoter_client, promoter):
    html = promoter_client.get("/notifications/preferences").get_data(as_text=True)
    assert "Un récapitulatif par jour" in html
    assert re.search(r'<input checked[^>]*value="immediate"', html)
    response = promoter_client.post(
        "/notifications/preferences", data={"notification_mode": "daily_digest"}
    )
    assert response.status_code == 302
    assert promoter.notification_mode == "daily_digest"


def test_a_bad_preference_answers_422_in_french(promoter_client, promoter):
    response = promoter_client.post("/notifications/preferences", data={"notification_mode": "x"})
    assert response.status_code == 422
    assert "Le formulaire contient 1 erreur" in response.get_data(as_text=True)
    assert promoter.notification_mode == "immediate"


def test_staff_see_their_notifications_too(client, dd_instructor_77):
    login(client, dd_instructor_77.email)
    _notify(dd_instructor_77, "Nouveau dossier")
    assert "Nouveau dossier" in client.get("/notifications").get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get("/notifications")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]
