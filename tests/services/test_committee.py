"""Committee sessions, members and the agenda (grants/services/committee*.py), on the database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
from sqlalchemy import select

from grants.extensions import db
from grants.models import AuditEvent, BackgroundJob, CommitteeItem, OutboxMessage
from grants.services import audit
from grants.services import committee as service
from grants.services import committee_agenda as agenda
from grants.services.committee import CommitteeRefused
from tests import factories
from tests.helpers import committee as data


@pytest.fixture
def dd(app):  # type: ignore[no-untyped-def]
    return factories.make_staff("dd_instructor", factories.ARS_FINANCERS, departement="77")


def _events(stream: str) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.stream == stream).order_by(AuditEvent.id)
        )
    )


def test_a_session_is_stored_in_utc_from_paris_time(committee_secretary):
    session = data.make_session(committee_secretary)
    assert session.meets_at == datetime(2027, 1, 14, 13, 30, tzinfo=UTC)  # CET = UTC+1
    summer = service.paris_to_utc(date(2027, 6, 10), time(9, 0))
    assert summer == datetime(2027, 6, 10, 7, 0, tzinfo=UTC)  # CEST = UTC+2
    assert session.state == "preparing" and session.frozen_at is None
    assert _events(f"committee:{session.id}") == ["committee.session_created"]


def test_place_or_link_required_and_only_the_secretary_creates(committee_secretary, dd):
    when = service.paris_to_utc(date(2027, 1, 14), time(10, 0))
    with pytest.raises(CommitteeRefused) as refused:
        service.create_session(
            actor=committee_secretary, title="T", kind="instruction", meets_at=when
        )
    assert refused.value.status == 422 and "lieu" in refused.value.message
    with pytest.raises(CommitteeRefused) as refused:
        service.create_session(
            actor=committee_secretary,
            title="T",
            kind="instruction",
            meets_at=when,
            video_link="ftp://exemple.fr",
        )
    assert "https://" in refused.value.message
    visio = service.create_session(
        actor=committee_secretary,
        title="Séance à distance",
        kind="extraordinary",
        meets_at=when,
        video_link="https://visio.exemple.fr/comite",
    )
    assert visio.place == "" and visio.video_link.startswith("https://")
    with pytest.raises(CommitteeRefused) as refused:
        service.create_session(actor=dd, title="T", kind="instruction", meets_at=when, place="x")
    assert refused.value.status == 403


def test_members_with_and_without_account(committee_secretary):
    session = data.make_session(committee_secretary)
    region = factories.make_staff("financer_instructor", ("REGION_IDF",))
    member = service.add_member(
        session,
        actor=committee_secretary,
        expected_version=session.lock_version,
        role="guest",
        user=region,
    )
    assert member.institution == "Région Île-de-France" and member.email == region.email
    guest = service.add_member(
        session,
        actor=committee_secretary,
        expected_version=None,
        role="member",
        full_name="Dr Paul Lefort",
        institution="URPS médecins libéraux Île-de-France",
    )
    assert guest.user_id is None
    with pytest.raises(CommitteeRefused) as twice:
        service.add_member(
            session, actor=committee_secretary, expected_version=None, role="member", user=region
        )
    assert twice.value.status == 422 and "déjà" in twice.value.message
    service.add_member(
        session,
        actor=committee_secretary,
        expected_version=None,
        role="chair",
        full_name="Dr A",
        institution="ARS",
    )
    with pytest.raises(CommitteeRefused, match="présidence"):
        service.add_member(
            session,
            actor=committee_secretary,
            expected_version=None,
            role="chair",
            full_name="Dr B",
            institution="ARS",
        )
    with pytest.raises(CommitteeRefused, match="institution"):
        service.add_member(
            session,
            actor=committee_secretary,
            expected_version=None,
            role="member",
            full_name="Sans institution",
        )


def test_a_stale_version_is_409(committee_secretary):
    session = data.make_session(committee_secretary)
    seen = session.lock_version
    service.add_member(
        session,
        actor=committee_secretary,
        expected_version=seen,
        role="member",
        full_name="Dr A",
        institution="URPS",
    )
    assert session.lock_version == seen + 1
    with pytest.raises(CommitteeRefused) as stale:
        service.add_member(
            session,
            actor=committee_secretary,
            expected_version=seen,
            role="member",
            full_name="Dr B",
            institution="URPS",
        )
    assert stale.value.status == 409 and "rechargez" in stale.value.message


def test_candidates_ranked_by_score_with_the_reason_when_schedule_fails(
    committee_secretary, promoter, dd
):
    low = data.instructed_dossier(promoter, dd, score="40")
    high = data.instructed_dossier(promoter, dd, score="80")
    unscored = data.instructed_dossier(promoter, dd, score=None)
    no_opinion = data.instructed_dossier(promoter, dd, score="90", opinion=False)
    outside = data.instructed_dossier(promoter, dd, codes=("REGION_IDF",), score="99")
    session = data.make_session(committee_secretary)
    found = agenda.candidates(session, committee_secretary)
    assert [c.dossier for c in found] == [no_opinion, high, low, unscored]
    assert outside not in [c.dossier for c in found]  # the secretary does not see it
    assert found[0].reasons == [
        "L'avis technique de la délégation départementale de l'ARS est requis."
    ]
    assert found[1].ready and found[1].total == Decimal("80")
    assert [o.source for o in found[1].opinions] == ["dd_ars"]


def test_add_reorder_remove(committee_secretary, promoter, dd):
    first = data.instructed_dossier(promoter, dd, score="80")
    second = data.instructed_dossier(promoter, dd, score="50")
    third = data.instructed_dossier(promoter, dd, score="30")
    session = data.make_session(committee_secretary)
    for dossier in (first, second, third):
        agenda.add_item(session, dossier, actor=committee_secretary, expected_version=None)
    assert [i.dossier for i in session.items] == [first, second, third]
    item = session.items[0]
    assert first.state == "ready_for_committee"
    assert item.score_total == Decimal("80.00") and item.score_card_id is not None
    with pytest.raises(CommitteeRefused, match="déjà inscrit"):
        agenda.add_item(session, first, actor=committee_secretary, expected_version=None)

    agenda.move_item(
        session, session.items[2], "up", actor=committee_secretary, expected_version=None
    )
    assert [i.dossier for i in session.items] == [first, third, second]
    agenda.reorder(
        session,
        {i.id: rank for i, rank in zip(session.items, (3, 1, 2), strict=True)},
        actor=committee_secretary,
        expected_version=session.lock_version,
    )
    assert [i.dossier for i in session.items] == [third, second, first]
    assert [i.position for i in session.items] == [1, 2, 3]

    agenda.remove_item(session, session.items[1], actor=committee_secretary, expected_version=None)
    assert [i.dossier for i in session.items] == [third, first]
    assert [i.position for i in session.items] == [1, 2]
    assert second.state == "under_instruction"
    dossier_events = _events(f"dossier:{second.id}")
    assert dossier_events[-4:] == [
        "dossier.schedule",
        "committee.item_added",
        "dossier.unschedule",
        "committee.item_removed",
    ]
    assert "committee.agenda_reordered" in _events(f"committee:{session.id}")
    assert audit.verify_stream(f"committee:{session.id}")


def test_a_dossier_waits_on_one_agenda_at_a_time(committee_secretary, promoter, dd):
    dossier = data.instructed_dossier(promoter, dd)
    one = data.make_session(committee_secretary, "Séance A")
    two = data.make_session(committee_secretary, "Séance B")
    agenda.add_item(one, dossier, actor=committee_secretary, expected_version=None)
    with pytest.raises(CommitteeRefused) as refused:
        agenda.add_item(two, dossier, actor=committee_secretary, expected_version=None)
    assert "Séance A" in refused.value.message


def test_schedule_guard_reason_is_reported(committee_secretary, promoter, dd):
    dossier = data.instructed_dossier(promoter, dd, opinion=False)
    session = data.make_session(committee_secretary)
    with pytest.raises(CommitteeRefused) as refused:
        agenda.add_item(session, dossier, actor=committee_secretary, expected_version=None)
    assert refused.value.status == 422
    assert refused.value.reasons == [
        "L'avis technique de la délégation départementale de l'ARS est requis."
    ]


def test_freeze_sends_the_convocation_and_starts_the_pack(committee_secretary, promoter, dd):
    dossier = data.instructed_dossier(promoter, dd)
    session = data.make_session(committee_secretary)
    with pytest.raises(CommitteeRefused, match="au moins un dossier"):
        agenda.freeze(session, actor=committee_secretary, expected_version=None)
    agenda.add_item(session, dossier, actor=committee_secretary, expected_version=None)
    with pytest.raises(CommitteeRefused, match="membres"):
        agenda.freeze(session, actor=committee_secretary, expected_version=None)
    urps = data.urps_member()
    data.name_members(
        session, committee_secretary, (urps, "member"), (committee_secretary, "secretary")
    )
    agenda.freeze(session, actor=committee_secretary, expected_version=session.lock_version)
    assert session.state == "frozen" and session.frozen_at is not None

    rows = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.event == "committee.convocation")
    ).all()
    assert {(r.recipient_id, r.channel) for r in rows} == {
        (user.id, channel) for user in (urps, committee_secretary) for channel in ("email", "inapp")
    }
    context = rows[0].context
    assert context["agenda"][0]["reference"] == dossier.reference
    assert context["when"] == "14 janvier 2027 à 14:30"
    assert "13 rue du Landy" in context["place"]
    pending = db.session.info.get("grants_committee_mail")
    assert [entry[0] for entry in pending] == ["martine.roussel@iledefrance.example"]
    job = db.session.scalar(select(BackgroundJob).where(BackgroundJob.kind == "committee_pack"))
    assert job is not None and session.pack_job_id == job.id
    frozen = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "committee.agenda_frozen")
    ).one()
    assert {"name": "Martine Roussel", "way": "courriel"} in frozen.data["convoked"]

    with pytest.raises(CommitteeRefused) as refused:
        agenda.add_item(session, dossier, actor=committee_secretary, expected_version=None)
    assert refused.value.status == 422 and "arrêté" in refused.value.message
    with pytest.raises(CommitteeRefused):
        agenda.remove_item(
            session, session.items[0], actor=committee_secretary, expected_version=None
        )
    assert db.session.scalar(select(CommitteeItem.id).where(CommitteeItem.session_id == session.id))
