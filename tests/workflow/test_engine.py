"""The engine's guarantees: compare-and-set (409), one transaction for the state, its audit event
and its outbox rows, automatic advance, hold/resume, withdraw — and no state assigned elsewhere."""

from __future__ import annotations

import ast
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from grants.extensions import db
from grants.models import AuditEvent, Dossier, FinancerTrack, OutboxMessage
from grants.models.base import utcnow
from grants.workflow import engine
from grants.workflow.engine import STALE_MESSAGE, TransitionError
from grants.workflow.states import PRE_AGREEMENT_STATES
from tests import factories
from tests.workflow import support

REASON = {"reason": "Consensus local à construire avec la commune voisine"}
REQUEST = {
    "items": [{"kind": "piece", "code": "kbis", "label": "Extrait Kbis", "reason": "Illisible"}],
    "due_on": date.today() + timedelta(days=20),
}


def audit_actions(dossier: Dossier) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.dossier_id == dossier.id)
            .order_by(AuditEvent.id)
        )
    )


def outbox_rows(dossier: Dossier) -> list[OutboxMessage]:
    return list(
        db.session.scalars(select(OutboxMessage).where(OutboxMessage.dossier_id == dossier.id))
    )


def bump_version_behind_the_session(table, row_id: int) -> None:  # type: ignore[no-untyped-def]
    """What another request committing in between does: a Core UPDATE the session doesn't see."""
    db.session.execute(
        update(table).where(table.c.id == row_id).values(lock_version=table.c.lock_version + 1)
    )


# --- Compare-and-set ---------------------------------------------------------------------------


def test_stale_expected_version_is_409_and_changes_nothing(submitted_dossier, ars_instructor):
    stale = submitted_dossier.lock_version - 1
    with pytest.raises(TransitionError) as refused:
        engine.fire(submitted_dossier, "hold", ars_instructor, data=REASON, expected_version=stale)
    assert refused.value.status == 409
    assert refused.value.message == STALE_MESSAGE
    assert submitted_dossier.state == "completeness_check"
    assert "dossier.hold" not in audit_actions(submitted_dossier)


def test_current_expected_version_passes(submitted_dossier, ars_instructor):
    version = submitted_dossier.lock_version
    engine.fire(submitted_dossier, "hold", ars_instructor, data=REASON, expected_version=version)
    assert submitted_dossier.state == "on_hold"
    assert submitted_dossier.lock_version > version


def test_concurrent_change_between_load_and_flush_is_409(submitted_dossier, ars_instructor):
    bump_version_behind_the_session(Dossier.__table__, submitted_dossier.id)
    savepoint = db.session.begin_nested()
    with pytest.raises(TransitionError) as refused:
        engine.fire(submitted_dossier, "hold", ars_instructor, data=REASON)
    savepoint.rollback()
    assert refused.value.status == 409
    assert refused.value.message == STALE_MESSAGE
    assert db.session.get(Dossier, submitted_dossier.id).state == "completeness_check"


def test_concurrent_track_transitions_on_one_dossier_conflict(
    submitted_dossier, dd_instructor_77, region_instructor
):
    """Two financers validating at once must not both believe the other is still checking."""
    ars_track = support.track_of(submitted_dossier, "ARS_IMMO")
    support.accept_pieces(submitted_dossier, ars_track.financer, dd_instructor_77)
    # Another request has just moved another track of the same dossier (and so the dossier).
    bump_version_behind_the_session(Dossier.__table__, submitted_dossier.id)
    savepoint = db.session.begin_nested()
    with pytest.raises(TransitionError) as refused:
        engine.fire(ars_track, "complete_checklist", dd_instructor_77)
    savepoint.rollback()
    assert refused.value.status == 409


def test_concurrent_change_of_a_track_is_409(submitted_dossier, region_instructor):
    track = support.track_of(submitted_dossier, "REGION_IDF")
    bump_version_behind_the_session(FinancerTrack.__table__, track.id)
    savepoint = db.session.begin_nested()
    with pytest.raises(TransitionError) as refused:
        engine.fire(track, "withdraw_interest", region_instructor, data=REASON)
    savepoint.rollback()
    assert refused.value.status == 409


# --- One transaction ---------------------------------------------------------------------------


def test_state_audit_and_outbox_roll_back_together(submitted_dossier, ars_instructor):
    audits_before = len(audit_actions(submitted_dossier))
    outbox_before = len(outbox_rows(submitted_dossier))
    savepoint = db.session.begin_nested()
    engine.fire(submitted_dossier, "hold", ars_instructor, data=REASON)
    assert audit_actions(submitted_dossier)[-1] == "dossier.hold"
    assert len(outbox_rows(submitted_dossier)) > outbox_before
    savepoint.rollback()

    assert db.session.get(Dossier, submitted_dossier.id).state == "completeness_check"
    assert len(audit_actions(submitted_dossier)) == audits_before
    assert len(outbox_rows(submitted_dossier)) == outbox_before


def test_audit_event_records_the_move(submitted_dossier, ars_instructor):
    engine.fire(submitted_dossier, "hold", ars_instructor, data=REASON)
    event = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.dossier_id == submitted_dossier.id)
        .order_by(AuditEvent.id.desc())
    ).first()
    assert event.action == "dossier.hold"
    assert event.actor_id == ars_instructor.id
    assert event.data["from"] == "completeness_check"
    assert event.data["to"] == "on_hold"
    assert event.data["reason"] == REASON["reason"]


# --- Outbox recipients ------------------------------------------------------------------------


def test_outbox_goes_to_members_and_staff_in_scope_never_the_actor(
    submitted_dossier, promoter, ars_instructor, dd_instructor_77, region_instructor
):
    member = support.member_of(promoter)
    outsider_dd = factories.make_staff("dd_instructor", factories.ARS_FINANCERS, "91")
    other_financer = factories.make_staff("financer_instructor", ("DEP_91",))
    before = {row.id for row in outbox_rows(submitted_dossier)}

    engine.fire(submitted_dossier, "hold", ars_instructor, data=REASON)

    rows = [row for row in outbox_rows(submitted_dossier) if row.id not in before]
    recipients = {row.recipient_id for row in rows}
    assert {promoter.id, member.id, dd_instructor_77.id, region_instructor.id} <= recipients
    assert ars_instructor.id not in recipients
    assert outsider_dd.id not in recipients and other_financer.id not in recipients
    assert {row.channel for row in rows} == {"email", "inapp"}
    assert all(row.event == "dossier.hold" for row in rows)
    promoter_rows = [row for row in rows if row.recipient_id == promoter.id]
    assert promoter_rows[0].context["audience"] == "promoter"
    assert promoter_rows[0].context["event_label"] == "Instruction suspendue"


def test_track_effects_reach_only_that_financers_staff(
    submitted_dossier, region_instructor, ars_instructor, dd_instructor_77
):
    colleague = factories.make_staff("financer_instructor", ("REGION_IDF",))
    before = {row.id for row in outbox_rows(submitted_dossier)}
    track = support.track_of(submitted_dossier, "REGION_IDF")
    engine.fire(track, "withdraw_interest", region_instructor, data=REASON)
    staff_rows = [
        row
        for row in outbox_rows(submitted_dossier)
        if row.id not in before and row.context["audience"] == "staff"
    ]
    assert {row.recipient_id for row in staff_rows} == {colleague.id}


# --- Automatic advance -------------------------------------------------------------------------


def complete(dossier: Dossier, code: str, user) -> None:  # type: ignore[no-untyped-def]
    track = support.track_of(dossier, code)
    support.accept_pieces(dossier, track.financer, user)
    engine.fire(track, "complete_checklist", user)


def test_last_track_checked_makes_the_dossier_admissible_then_under_instruction(
    submitted_dossier, dd_instructor_77, region_instructor, departement_77_instructor
):
    complete(submitted_dossier, "ARS_IMMO", dd_instructor_77)
    assert submitted_dossier.state == "completeness_check"
    engine.fire(
        support.track_of(submitted_dossier, "DEP_77"),
        "withdraw_interest",
        departement_77_instructor,
        data=REASON,
    )
    assert submitted_dossier.state == "completeness_check"
    complete(submitted_dossier, "REGION_IDF", region_instructor)

    assert submitted_dossier.state == "under_instruction"
    assert submitted_dossier.admissible_at is not None
    actions = audit_actions(submitted_dossier)
    assert actions[-3:] == [
        "track.complete_checklist",
        "dossier.declare_admissible",
        "dossier.start_instruction",
    ]
    automatic = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.dossier_id == submitted_dossier.id,
            AuditEvent.action == "dossier.declare_admissible",
        )
    ).one()
    assert automatic.actor_id is None
    assert support.track_of(submitted_dossier, "REGION_IDF").checklist_completed_at is not None


def test_all_tracks_not_concerned_is_not_admissible(
    submitted_dossier, ars_instructor, region_instructor, departement_77_instructor
):
    for code, user in (
        ("ARS_IMMO", ars_instructor),
        ("REGION_IDF", region_instructor),
        ("DEP_77", departement_77_instructor),
    ):
        engine.fire(
            support.track_of(submitted_dossier, code), "withdraw_interest", user, data=REASON
        )
    assert submitted_dossier.state == "completeness_check"
    with pytest.raises(TransitionError) as refused:
        engine.check(submitted_dossier, "declare_admissible", None)
    assert refused.value.reasons == ["Aucun cofinanceur n'est concerné par ce dossier."]


def test_an_open_request_keeps_the_dossier_out_of_admissibility(
    submitted_dossier, promoter, dd_instructor_77, region_instructor, departement_77_instructor
):
    engine.fire(submitted_dossier, "request_documents", region_instructor, data=REQUEST)
    assert submitted_dossier.state == "awaiting_documents"
    assert submitted_dossier.clock_paused_at is not None
    complete(submitted_dossier, "ARS_IMMO", dd_instructor_77)
    complete(submitted_dossier, "DEP_77", departement_77_instructor)
    complete(submitted_dossier, "REGION_IDF", region_instructor)
    assert submitted_dossier.state == "awaiting_documents"

    engine.fire(submitted_dossier, "respond", promoter)
    assert submitted_dossier.state == "under_instruction"
    assert submitted_dossier.clock_paused_at is None
    assert [r.state for r in submitted_dossier.document_requests] == ["answered"]


# --- Hold and resume ---------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["completeness_check", "awaiting_documents", "under_instruction"])
def test_hold_then_resume_returns_to_the_previous_state(state, promoter, ars_instructor):
    dossier = support.make_dossier(promoter, state)
    paused = dossier.clock_paused_at
    engine.fire(dossier, "hold", ars_instructor, data=REASON)
    assert (dossier.state, dossier.held_from_state) == ("on_hold", state)
    assert dossier.hold_reason == REASON["reason"]

    engine.fire(dossier, "resume", ars_instructor)
    assert dossier.state == state
    assert dossier.held_from_state is None and dossier.hold_reason is None
    assert dossier.clock_paused_at == paused
    assert audit_actions(dossier)[-1] == "dossier.resume"


def test_a_held_dossier_freezes_its_tracks(promoter, ars_instructor):
    dossier = support.make_dossier(promoter, "completeness_check")
    engine.fire(dossier, "hold", ars_instructor, data=REASON)
    with pytest.raises(TransitionError) as refused:
        engine.fire(
            support.track_of(dossier, "ARS_IMMO"), "withdraw_interest", ars_instructor, data=REASON
        )
    assert refused.value.status == 422
    assert "En attente" in refused.value.reasons[0]


# --- Withdraw ----------------------------------------------------------------------------------


@pytest.mark.parametrize("state", sorted(PRE_AGREEMENT_STATES))
def test_withdraw_cancels_open_requests_and_resumes_the_clock(state, promoter, ars_instructor):
    dossier = support.make_dossier(promoter, state, held_from="awaiting_documents")
    if not dossier.document_requests:
        support.open_request(dossier, ars_instructor)
    paused = dossier.clock_paused_at is not None
    if paused:
        dossier.clock_paused_at = utcnow() - timedelta(hours=2)
        db.session.flush()

    engine.fire(dossier, "withdraw", promoter, data={"reason": "Projet abandonné"})

    assert dossier.state == "withdrawn"
    assert dossier.held_from_state is None
    assert dossier.clock_paused_at is None
    assert {r.state for r in dossier.document_requests} == {"cancelled"}
    if paused:
        assert dossier.clock_paused_seconds >= 2 * 3600
    assert audit_actions(dossier)[-1] == "dossier.withdraw"


def test_a_draft_is_not_withdrawn(dossier, promoter):
    with pytest.raises(TransitionError) as refused:
        engine.fire(dossier, "withdraw", promoter, data={"reason": "x"})
    assert refused.value.status == 422


def test_only_the_owner_withdraws(submitted_dossier, promoter):
    member = support.member_of(promoter)
    with pytest.raises(TransitionError) as refused:
        engine.fire(submitted_dossier, "withdraw", member, data={"reason": "x"})
    assert refused.value.status == 403
    assert "responsable" in refused.value.message


# --- can / available_transitions -----------------------------------------------------------------


def test_can_and_available_transitions(submitted_dossier, ars_instructor, committee_secretary):
    assert engine.can(submitted_dossier, "hold", ars_instructor, REASON)
    assert not engine.can(submitted_dossier, "hold", ars_instructor)  # no reason given
    assert not engine.can(submitted_dossier, "hold", committee_secretary, REASON)
    events = {
        a.transition.event for a in engine.available_transitions(submitted_dossier, ars_instructor)
    }
    assert events == {"request_documents", "hold"}
    assert all(a.ready for a in engine.available_transitions(submitted_dossier, ars_instructor))
    assert engine.available_transitions(submitted_dossier, committee_secretary) == []


def test_unknown_event_is_not_available(submitted_dossier, ars_instructor):
    with pytest.raises(TransitionError) as refused:
        engine.fire(submitted_dossier, "complete_checklist", ars_instructor)
    assert refused.value.status == 422


# --- Nothing outside the engine assigns a state ------------------------------------------------

GRANTS = Path(__file__).resolve().parents[2] / "grants"
# Objects whose ``state`` is not a dossier's or a track's (variable names), e.g. a document
# request closed by a service. Add an entry here only for such objects, never for a dossier.
NOT_WORKFLOW_OBJECTS = frozenset(
    {"request", "document_request", "req", "committee", "minutes"}  # committee: a session
    # Issue 6: objects with a state of their own and no engine machine (DOMAIN §3.7): a
    # reporting period, a monitoring alert, a recovery order.
    | {"period", "alert", "order"}
)
STATEFUL_MODELS = frozenset({"Dossier", "FinancerTrack", "Agreement", "Amendment"})
# The state each of them is created in (the one state not entered through the engine).
INITIAL_STATES = {"Dossier": "'draft'", "Agreement": "'drafted'", "Amendment": "'drafted'"}


def _state_assignments(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Attribute) and target.attr == "state":
                owner = ast.unparse(target.value)
                if owner.split(".")[-1] not in NOT_WORKFLOW_OBJECTS:
                    found.append(f"{path}:{node.lineno}: {owner}.state = …")
        if isinstance(node, ast.Call):
            name = ast.unparse(node.func).split(".")[-1]
            if name == "setattr" and len(node.args) > 1 and ast.unparse(node.args[1]) == "'state'":
                found.append(f"{path}:{node.lineno}: setattr(…, 'state', …)")
            # A new dossier is a draft, a new agreement or amendment drafted: the one state not
            # entered through the engine.
            found += [
                f"{path}:{node.lineno}: {name}(state=…)"
                for keyword in node.keywords
                if name in STATEFUL_MODELS
                and keyword.arg == "state"
                and ast.unparse(keyword.value) != INITIAL_STATES.get(name)
            ]
    return found


def test_no_state_is_assigned_outside_the_engine():
    offenders = [
        line
        for path in sorted(GRANTS.rglob("*.py"))
        if "workflow" not in path.relative_to(GRANTS).parts
        for line in _state_assignments(path)
    ]
    assert not offenders, (
        "Change a dossier's or a track's state through grants.workflow.engine.fire only:\n"
        + "\n".join(offenders)
    )


def test_the_state_assignment_detector_finds_assignments(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "dossier.state = 'admissible'\n"
        "track.state = x\n"
        "request.state = 'cancelled'\n"
        "Dossier(state='draft')\n"
        "Dossier(state='submitted')\n"
        "setattr(d, 'state', 'x')\n",
        encoding="utf-8",
    )
    assert [line.split(": ", 1)[1] for line in _state_assignments(sample)] == [
        "dossier.state = …",
        "track.state = …",
        "Dossier(state=…)",
        "setattr(…, 'state', …)",
    ]
