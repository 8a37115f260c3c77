"""Every (state, event, role) of the four machines (dossier, financer track, agreement,
amendment) against the transition table.

The expected outcome is computed here from the table's data and from the role scopes of DOMAIN
§1.2, not from the engine: 422 "not available" when the state is not a source of the event, 403
when the actor holds none of the event's roles on that object (wrong role, or out of scope),
otherwise the guards decide — the data below passes the guards that read a form, and those that
need more fixtures must answer 422 with their reasons. Whatever the engine allows is then fired
for real inside a savepoint (rolled back) to prove the database accepts the new state.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from grants.extensions import db
from grants.models import Dossier, User
from grants.models.choices import (
    AGREEMENT_STATES,
    AMENDMENT_STATES,
    DOSSIER_STATES,
    TRACK_STATES,
    USER_ROLES,
)
from grants.workflow import engine
from grants.workflow.agreement_table import AGREEMENT_TRANSITIONS, AMENDMENT_TRANSITIONS
from grants.workflow.engine import NOT_AVAILABLE_MESSAGE, TransitionError
from grants.workflow.table import DOSSIER_TRANSITIONS, TRACK_TRANSITIONS, Transition
from tests import factories
from tests.workflow import agreement_support, support

ARS = factories.ARS_FINANCERS
# Staff accounts: (role, financers, département). The dossier is in 77 and targets ARS_IMMO,
# REGION_IDF and DEP_77.
STAFF: dict[str, tuple[str, tuple[str, ...], str | None]] = {
    **{role: (role, ARS, "77" if role == "dd_instructor" else None) for role in USER_ROLES},
    "financer_instructor": ("financer_instructor", ("REGION_IDF",), None),
    "financer_decider": ("financer_decider", ("REGION_IDF",), None),
    "dd_instructor_91": ("dd_instructor", ARS, "91"),
    "instructor_dep_91": ("financer_instructor", ("DEP_91",), None),
}
del STAFF["promoter"]
ACTORS = (*STAFF, "promoter_owner", "promoter_member", "other_promoter", "system")
# The roles that act on the dossiers of their scope (DOMAIN §1.2); observer and admin do not.
SCOPED_ROLES = frozenset(
    {
        "dd_instructor",
        "ars_instructor",
        "ars_decider",
        "financer_instructor",
        "financer_decider",
        "committee_secretary",
        "committee_member",
        "monitor",
    }
)
FORM_DATA: dict[str, Any] = {
    "reason": "Motif saisi dans le formulaire",
    "items": [{"kind": "piece", "code": "kbis", "label": "Extrait Kbis", "reason": "Illisible"}],
    "due_on": date.today() + timedelta(days=30),
    "message": "Merci de compléter.",
    "opening_date": date.today(),
    "signature": {"method": "typed", "name": "Claire Martin", "confirmed": True, "ip": "10.0.0.1"},
}
# What the guards answer with the fixtures built below (True: they pass).
DOSSIER_GUARDS_PASS = {
    "submit": False,  # a bare draft has blocking problems
    "open_completeness_check": True,
    "request_documents": True,
    "respond": True,  # an awaiting_documents dossier has an open request
    "declare_admissible": False,  # the ARS track is still checking
    "start_instruction": True,
    "schedule": False,  # no DD ARS opinion
    "unschedule": True,
    "record_opinion": False,  # no agenda item with an opinion
    "defer": False,
    "await_decisions": False,
    "conclude": False,  # tracks still open
    "reject": False,
    "hold": True,
    "resume": True,
    "withdraw": True,
    "start_agreements": False,  # no track granted
    "start_execution": False,  # no agreement in force
    "record_opening": True,  # the opening date comes with the form
    "close": False,  # no agreement (let alone ended)
    "terminate": False,  # no agreement terminated
}
TRACK_GUARDS_PASS = {
    "complete_checklist": lambda code: False,  # no piece accepted
    "withdraw_interest": lambda code: True,
    "propose": lambda code: code == "ARS_IMMO",  # only the ARS gave its opinion
    # Decisions come after the committee (the dossier is under instruction here).
    "grant": lambda code: False,
    "grant_partially": lambda code: False,
    "refuse": lambda code: False,
    "defer_decision": lambda code: False,
}
# The agreement of ARS_IMMO (a CPOM) or REGION_IDF (a convention), its document rendered, its
# term five years away; FORM_DATA brings a reason and a typed signature.
AGREEMENT_GUARDS_PASS = {
    "send": True,
    "recall": True,
    "sign": True,
    "reject_signature": True,
    "countersign": True,
    "end": False,  # the term is not reached
    "terminate": True,
}
# An amendment of an agreement in force, its document rendered.
AMENDMENT_GUARDS_PASS = {"send": True, "sign": True, "countersign": True, "cancel": True}


def held_roles(actor: str, machine: str, dossier_state: str, track_financer: str | None) -> set:
    if actor == "system":
        return {"system"}
    if actor == "promoter_owner":
        return {"promoter_owner", "promoter_member"}
    if actor == "promoter_member":
        return {"promoter_member"}
    if actor == "other_promoter":
        return set()
    role, codes, departement = STAFF[actor]
    if role not in SCOPED_ROLES or dossier_state == "draft":
        return set()
    if departement not in (None, "77") or not set(codes) & set(support.DOSSIER_FINANCERS):
        return set()
    if machine != "dossier" and track_financer not in codes:
        return set()
    return {role}


def expected(t: Transition, state: str, roles: set, guards_pass: bool) -> tuple[int, str]:
    if state not in t.sources:
        return 422, "not available"
    if not roles & t.roles:
        return 403, "forbidden"
    return (200, "fired") if guards_pass else (422, "reasons")


def outcome(obj: Any, event: str, user: User | None) -> tuple[int, str]:
    try:
        engine.check(obj, event, user, FORM_DATA)
    except TransitionError as refused:
        if refused.status == 422 and refused.message == NOT_AVAILABLE_MESSAGE:
            return 422, "not available" if not refused.reasons else "?"
        if refused.status == 422:
            return 422, "reasons" if refused.reasons else "422 without reasons"
        if refused.status == 403:
            return 403, "forbidden"
        return refused.status, refused.message
    return 200, "fired"


def fire_in_savepoint(obj: Any, t: Transition, user: User | None) -> str | None:
    """Fire for real, check the state reached, roll back. Returns a problem, or None."""
    held_from = obj.held_from_state if isinstance(obj, Dossier) else None
    savepoint = db.session.begin_nested()
    try:
        engine.fire(obj, t.event, user, data=FORM_DATA)
        reached = obj.state
    except Exception as exc:  # noqa: BLE001 - reported as a matrix mismatch
        savepoint.rollback()
        return f"fire raised {exc!r}"
    savepoint.rollback()
    wanted = {t.target or held_from}
    if t.event == "start_instruction" or t.event == "resume":
        wanted |= {"under_instruction", "admissible"}  # automatic transitions may follow
    return None if reached in wanted else f"reached {reached}, wanted {wanted}"


@pytest.fixture
def actors(promoter) -> dict[str, User | None]:  # type: ignore[no-untyped-def]
    users: dict[str, User | None] = {
        key: factories.make_staff(role, codes, departement)
        for key, (role, codes, departement) in STAFF.items()
    }
    users["promoter_owner"] = promoter
    users["promoter_member"] = support.member_of(promoter)
    users["other_promoter"] = support.outsider_promoter()
    users["system"] = None
    return users


def _run(obj: Any, machine: str, state: str, transitions, actors, guards_pass, financer=None):  # type: ignore[no-untyped-def]
    mismatches = []
    for t in transitions:
        for actor in ACTORS:
            dossier_state = engine.dossier_of(obj).state if machine != "dossier" else state
            roles = held_roles(actor, machine, dossier_state, financer)
            want = expected(t, state, roles, guards_pass(t.event))
            got = outcome(obj, t.event, actors[actor])
            if got != want:
                mismatches.append(f"{state} × {t.event} × {actor}: got {got}, want {want}")
            elif got[0] == 200:
                problem = fire_in_savepoint(obj, t, actors[actor])
                if problem:
                    mismatches.append(f"{state} × {t.event} × {actor}: {problem}")
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize("state", list(DOSSIER_STATES))
def test_dossier_machine(state: str, promoter, actors) -> None:  # type: ignore[no-untyped-def]
    dossier = support.make_dossier(
        promoter,
        state,
        track_states={"ARS_IMMO": "checking", "REGION_IDF": "instructing", "DEP_77": "instructing"},
    )
    _run(dossier, "dossier", state, DOSSIER_TRANSITIONS, actors, DOSSIER_GUARDS_PASS.__getitem__)


@pytest.mark.parametrize("financer", ["ARS_IMMO", "REGION_IDF"])
@pytest.mark.parametrize("state", list(TRACK_STATES))
def test_track_machine(state: str, financer: str, promoter, actors) -> None:  # type: ignore[no-untyped-def]
    others = {code: "instructing" for code in support.DOSSIER_FINANCERS if code != financer}
    dossier = support.make_dossier(
        promoter, "under_instruction", track_states={**others, financer: state}
    )
    support.give_opinion(dossier, actors["ars_instructor"], "ars", "ARS_IMMO")
    track = next(t for t in dossier.tracks if t.financer.code == financer)
    _run(
        track,
        "track",
        state,
        TRACK_TRANSITIONS,
        actors,
        lambda event: TRACK_GUARDS_PASS[event](financer),
        financer,
    )


@pytest.mark.parametrize("financer", ["ARS_IMMO", "REGION_IDF"])
@pytest.mark.parametrize("state", list(AGREEMENT_STATES))
def test_agreement_machine(state: str, financer: str, promoter, actors) -> None:  # type: ignore[no-untyped-def]
    agreement = agreement_support.agreement_in(promoter, financer, state)
    _run(
        agreement,
        "agreement",
        state,
        AGREEMENT_TRANSITIONS,
        actors,
        AGREEMENT_GUARDS_PASS.__getitem__,
        financer,
    )


@pytest.mark.parametrize("state", list(AMENDMENT_STATES))
def test_amendment_machine(state: str, promoter, actors) -> None:  # type: ignore[no-untyped-def]
    amendment = agreement_support.amendment_in(
        promoter, "ARS_IMMO", state, actors["ars_instructor"]
    )
    _run(
        amendment,
        "amendment",
        state,
        AMENDMENT_TRANSITIONS,
        actors,
        AMENDMENT_GUARDS_PASS.__getitem__,
        "ARS_IMMO",
    )


def test_the_matrix_covers_every_state_event_and_actor() -> None:
    assert set(DOSSIER_GUARDS_PASS) == {t.event for t in DOSSIER_TRANSITIONS}
    assert set(TRACK_GUARDS_PASS) == {t.event for t in TRACK_TRANSITIONS}
    assert set(AGREEMENT_GUARDS_PASS) == {t.event for t in AGREEMENT_TRANSITIONS}
    assert set(AMENDMENT_GUARDS_PASS) == {t.event for t in AMENDMENT_TRANSITIONS}
    assert {role for role, _, _ in STAFF.values()} == set(USER_ROLES) - {"promoter"}
