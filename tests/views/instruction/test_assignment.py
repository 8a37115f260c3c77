"""Assignment to a named instructor (audited, notified) and following a dossier."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from grants.extensions import db
from grants.models import AuditEvent, DossierFollower, OutboxMessage


def test_assign_to_an_instructor_who_sees_the_dossier(
    client_for, submitted_dossier, ars_instructor, dd_instructor_77, region_instructor
):
    from tests import factories

    client = client_for(ars_instructor)
    page = client.get(f"/instruction/dossiers/{submitted_dossier.id}").get_data(as_text=True)
    assert dd_instructor_77.full_name in page and region_instructor.full_name in page
    outsider = factories.make_staff("dd_instructor", factories.ARS_FINANCERS, departement="93")
    assert outsider.full_name not in page

    url = f"/instruction/dossiers/{submitted_dossier.id}/attribution"
    assert client.post(url, data={"assignee_id": outsider.id}).status_code == 422
    response = client.post(url, data={"assignee_id": dd_instructor_77.id})
    assert response.status_code == 302
    db.session.expire_all()
    assert submitted_dossier.assigned_instructor_id == dd_instructor_77.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "dossier.assigned"))
    assert event.data == {"from": None, "to": dd_instructor_77.id}
    rows = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.event == "dossier.assigned")
    ).all()
    assert {(r.recipient_id, r.channel) for r in rows} == {
        (dd_instructor_77.id, "email"),
        (dd_instructor_77.id, "inapp"),
    }
    page = client.get(f"/instruction/dossiers/{submitted_dossier.id}").get_data(as_text=True)
    assert f"<strong>{dd_instructor_77.full_name}</strong>" in page
    # Unassign.
    assert client.post(url, data={"assignee_id": ""}).status_code == 302
    db.session.expire_all()
    assert submitted_dossier.assigned_instructor_id is None


def test_committee_members_cannot_assign(
    client_for, submitted_dossier, urps_member, ars_instructor
):
    url = f"/instruction/dossiers/{submitted_dossier.id}/attribution"
    assert (
        client_for(urps_member).post(url, data={"assignee_id": ars_instructor.id}).status_code
        == 403
    )


def test_promoter_cannot_assign_or_follow(promoter_web, submitted_dossier):
    base = f"/instruction/dossiers/{submitted_dossier.id}"
    assert promoter_web.post(f"{base}/attribution", data={"assignee_id": ""}).status_code == 404
    assert promoter_web.post(f"{base}/suivre", data={}).status_code == 404


def test_follow_and_unfollow(client_for, submitted_dossier, region_instructor):
    client = client_for(region_instructor)
    base = f"/instruction/dossiers/{submitted_dossier.id}"
    assert client.post(f"{base}/suivre", data={}).status_code == 302
    assert client.post(f"{base}/suivre", data={}).status_code == 302  # twice is harmless
    followers = db.session.scalars(select(DossierFollower)).all()
    assert [(f.dossier_id, f.user_id) for f in followers] == [
        (submitted_dossier.id, region_instructor.id)
    ]
    assert "Ne plus suivre ce dossier" in client.get(base).get_data(as_text=True)
    assert client.post(f"{base}/ne-plus-suivre", data={}).status_code == 302
    assert db.session.scalars(select(DossierFollower)).all() == []


@pytest.fixture
def promoter_web(client_for, promoter):  # type: ignore[no-untyped-def]
    return client_for(promoter)
