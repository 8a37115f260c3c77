"""Recording the sitting: attendance, conflicts, opinions, amounts reserved on the envelopes,
corrections, and the deferred dossier that comes back to a later session."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from grants.extensions import db
from grants.models import AuditEvent, CommitteeSession, Envelope, EnvelopeMovement, User
from grants.services import committee_agenda as agenda
from grants.services import committee_recording as recording
from grants.services import ledger
from grants.services.committee import CommitteeRefused
from grants.services.committee_recording import ItemRecord
from tests import factories
from tests.helpers import committee as data
from tests.workflow import support

D = Decimal


@pytest.fixture
def dd(app):  # type: ignore[no-untyped-def]
    return factories.make_staff("dd_instructor", factories.ARS_FINANCERS, departement="77")


def frozen(secretary: User, *dossiers) -> CommitteeSession:  # type: ignore[no-untyped-def]
    session = data.make_session(secretary)
    for dossier in dossiers:
        agenda.add_item(session, dossier, actor=secretary, expected_version=None)
    data.name_members(session, secretary, (data.urps_member(), "member"), (secretary, "secretary"))
    agenda.freeze(session, actor=secretary, expected_version=None)
    return session


def envelope(code: str) -> Envelope:
    from grants.services.envelopes import envelope_for

    found = envelope_for(data.financer_id(code))
    assert found is not None
    return found


def held(envelope_: Envelope, dossier) -> ledger.DossierBalance:  # type: ignore[no-untyped-def]
    return ledger.dossier_balance(envelope_, dossier)


def favourable(**amounts: str) -> ItemRecord:
    return ItemRecord(
        opinion="favourable",
        discussion="Projet solide, équipe constituée.",
        amounts={
            (data.financer_id(code), "investment_real_estate"): D(value)
            for code, value in amounts.items()
        },
    )


def test_attendance_opens_the_session(committee_secretary, promoter, dd):
    session = frozen(committee_secretary, data.instructed_dossier(promoter, dd))
    members = session.members
    recording.record_attendance(
        session,
        {members[0].id: "present", members[1].id: "excused"},
        actor=committee_secretary,
        expected_version=session.lock_version,
    )
    assert session.state == "held" and session.held_at is not None
    assert [m.attendance for m in members] == ["present", "excused", None]
    with pytest.raises(CommitteeRefused, match="présent, excusé ou absent"):
        recording.record_attendance(
            session, {members[0].id: "late"}, actor=committee_secretary, expected_version=None
        )


def test_favourable_reserves_per_financer_then_moves_to_decisions(
    committee_secretary, promoter, dd
):
    dossier = data.instructed_dossier(promoter, dd)
    session = frozen(committee_secretary, dossier)
    item = session.items[0]
    ars, region = envelope("ARS_IMMO"), envelope("REGION_IDF")
    before = ars.reserved
    record = favourable(ARS_IMMO="440000", REGION_IDF="150000")
    record.amounts[(data.financer_id("ARS_IMMO"), "operating")] = D("20000")
    recording.record_item(
        item, record, actor=committee_secretary, expected_version=item.lock_version
    )
    assert item.opinion == "favourable" and item.recorded_by_id == committee_secretary.id
    assert dossier.state == "decisions_pending"
    assert session.state == "held"
    assert held(ars, dossier).reserved == D("460000.00")
    assert held(region, dossier).reserved == D("150000.00")
    db.session.refresh(ars)
    assert ars.reserved == before + D("460000")
    actions = list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.stream == f"dossier:{dossier.id}")
            .order_by(AuditEvent.id)
        )
    )
    assert actions[-3:] == [
        "committee.item_recorded",
        "dossier.record_opinion",
        "dossier.await_decisions",
    ]


def test_re_recording_reserves_or_releases_only_the_difference(committee_secretary, promoter, dd):
    dossier = data.instructed_dossier(promoter, dd)
    session = frozen(committee_secretary, dossier)
    item = session.items[0]
    ars, region = envelope("ARS_IMMO"), envelope("REGION_IDF")
    recording.record_item(
        item,
        favourable(ARS_IMMO="440000", REGION_IDF="150000"),
        actor=committee_secretary,
        expected_version=None,
    )
    stale = item.lock_version - 1
    with pytest.raises(CommitteeRefused) as refused:
        recording.record_item(
            item, favourable(ARS_IMMO="1"), actor=committee_secretary, expected_version=stale
        )
    assert refused.value.status == 409
    correction = favourable(ARS_IMMO="400000", REGION_IDF="180000")
    correction.opinion = "favourable_with_reservations"
    correction.reservations = "Loyer modéré à justifier."
    recording.record_item(item, correction, actor=committee_secretary, expected_version=None)
    assert held(ars, dossier).reserved == D("400000.00")
    assert held(region, dossier).reserved == D("180000.00")
    kinds = list(
        db.session.scalars(
            select(EnvelopeMovement.kind)
            .where(EnvelopeMovement.dossier_id == dossier.id)
            .order_by(EnvelopeMovement.id)
        )
    )
    assert kinds == ["reserved", "reserved", "released", "reserved"]
    # Unfavourable after all: the reservations go back, the financers still decide.
    recording.record_item(
        item, ItemRecord(opinion="unfavourable"), actor=committee_secretary, expected_version=None
    )
    assert held(ars, dossier).reserved == 0 and held(region, dossier).reserved == 0
    assert item.amounts == [] and dossier.state == "decisions_pending"
    # It cannot become a deferral any more, nor change once a financer decided.
    with pytest.raises(CommitteeRefused, match="ajournement"):
        recording.record_item(
            item,
            ItemRecord(opinion="deferred", deferral_reasons="x"),
            actor=committee_secretary,
            expected_version=None,
        )
    support.track_of(dossier, "DEP_77").state = "refused"
    support.track_of(dossier, "DEP_77").decided_at = item.recorded_at
    db.session.flush()
    with pytest.raises(CommitteeRefused, match="décision"):
        recording.record_item(
            item, favourable(ARS_IMMO="1"), actor=committee_secretary, expected_version=None
        )


def test_the_ledger_refusal_is_reported_and_nothing_is_kept(committee_secretary, promoter, dd):
    dossier = data.instructed_dossier(promoter, dd)
    session = frozen(committee_secretary, dossier)
    item = session.items[0]
    small = data.small_envelope("DEP_77", "100000")
    savepoint = db.session.begin_nested()  # what the view's rollback undoes
    with pytest.raises(CommitteeRefused) as refused:
        recording.record_item(
            item,
            favourable(ARS_IMMO="440000", DEP_77="150000"),
            actor=committee_secretary,
            expected_version=None,
        )
    assert refused.value.status == 422
    assert refused.value.message.startswith("Département de Seine-et-Marne : ")
    assert "100\u202f000,00" in refused.value.message
    assert held(envelope("ARS_IMMO"), dossier).reserved == D("440000.00")  # reserved first…
    savepoint.rollback()
    assert item.opinion is None and dossier.state == "ready_for_committee"
    assert held(envelope("ARS_IMMO"), dossier).reserved == 0  # …and undone with the rest
    assert held(small, dossier).reserved == 0


def test_opinion_rules(committee_secretary, promoter, dd):
    dossier = data.instructed_dossier(promoter, dd, codes=("ARS_IMMO", "REGION_IDF"))
    session = frozen(committee_secretary, dossier)
    item = session.items[0]
    cases = [
        (ItemRecord(opinion="maybe"), "avis"),
        (ItemRecord(opinion="favourable_with_reservations"), "réserves"),
        (ItemRecord(opinion="deferred"), "motifs"),
        (
            ItemRecord(
                opinion="unfavourable",
                amounts={(data.financer_id("ARS_IMMO"), "operating"): D("10")},
            ),
            "aucun montant",
        ),
        (favourable(DEP_77="10"), "pas sollicité"),
        (favourable(ARS_IMMO="-1"), "positifs"),
        (favourable(ARS_IMMO="1.005"), "deux décimales"),
    ]
    for record, words in cases:
        with pytest.raises(CommitteeRefused, match=words):
            recording.record_item(item, record, actor=committee_secretary, expected_version=None)
    assert item.opinion is None


def test_conflicts_are_recorded_and_replaced(committee_secretary, promoter, dd):
    dossier = data.instructed_dossier(promoter, dd)
    session = frozen(committee_secretary, dossier)
    item = session.items[0]
    urps = session.members[0]
    record = favourable(ARS_IMMO="100000")
    record.conflicts = {urps.id: "Associé de la SISA porteuse."}
    recording.record_item(item, record, actor=committee_secretary, expected_version=None)
    assert [(c.member_id, c.note) for c in item.conflicts] == [
        (urps.id, "Associé de la SISA porteuse.")
    ]
    record.conflicts = {}
    recording.record_item(item, record, actor=committee_secretary, expected_version=None)
    assert item.conflicts == []


def test_deferred_goes_back_to_instruction_and_to_a_later_session(
    committee_secretary, promoter, dd
):
    dossier = data.instructed_dossier(promoter, dd)
    first = frozen(committee_secretary, dossier)
    recording.record_item(
        first.items[0],
        ItemRecord(opinion="deferred", deferral_reasons="Plan de financement à consolider."),
        actor=committee_secretary,
        expected_version=None,
    )
    assert dossier.state == "under_instruction"
    back = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "dossier.defer", AuditEvent.dossier_id == dossier.id
        )
    ).one()
    assert back.data["reasons"] == "Plan de financement à consolider."
    # Only the reasons of a deferral can be corrected there.
    with pytest.raises(CommitteeRefused, match="prochaine séance"):
        recording.record_item(
            first.items[0], favourable(), actor=committee_secretary, expected_version=None
        )

    second = frozen(committee_secretary, dossier)
    assert dossier.state == "ready_for_committee"
    recording.record_item(
        second.items[0],
        favourable(ARS_IMMO="440000"),
        actor=committee_secretary,
        expected_version=None,
    )
    assert dossier.state == "decisions_pending"
    assert [i.opinion for i in dossier.committee_items] == ["deferred", "favourable"]
    with pytest.raises(CommitteeRefused, match="autre séance"):
        recording.record_item(
            first.items[0],
            ItemRecord(opinion="deferred", deferral_reasons="Autre motif."),
            actor=committee_secretary,
            expected_version=None,
        )


def test_a_withdrawn_dossier_cannot_receive_an_opinion(committee_secretary, promoter, dd):
    from grants.workflow import engine

    dossier = data.instructed_dossier(promoter, dd)
    session = frozen(committee_secretary, dossier)
    engine.fire(dossier, "withdraw", promoter, data={"reason": "Projet abandonné."})
    with pytest.raises(CommitteeRefused, match="Abandonné"):
        recording.record_item(
            session.items[0], favourable(), actor=committee_secretary, expected_version=None
        )


def test_only_the_secretary_records(committee_secretary, promoter, dd):
    dossier = data.instructed_dossier(promoter, dd)
    session = frozen(committee_secretary, dossier)
    with pytest.raises(CommitteeRefused) as refused:
        recording.record_item(
            session.items[0], favourable(), actor=session.members[0].user, expected_version=None
        )
    assert refused.value.status == 403
