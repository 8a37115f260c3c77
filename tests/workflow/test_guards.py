"""Guards are pure predicates: given an object and a context they return the reasons (in French)
a transition cannot happen now, and an empty list when it can. Most run on transient objects."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from grants.models import DocumentRequest, Dossier, Financer, FinancerTrack, Opinion, User
from grants.workflow import guards
from grants.workflow.guards import Context

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
TODAY = NOW.date()


def ctx(actor: User | None = None, **data) -> Context:  # type: ignore[no-untyped-def]
    return Context(actor=actor, now=NOW, data=data)


def financer(fid: int, name: str) -> Financer:
    return Financer(id=fid, code=name.upper(), name=name)


def dossier_with_tracks(*states: str, state: str = "completeness_check") -> Dossier:
    dossier = Dossier(state=state)
    dossier.tracks = [
        FinancerTrack(state=s, financer=financer(i + 1, f"Financeur {i + 1}"))
        for i, s in enumerate(states)
    ]
    return dossier


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_reason_given_refuses_blank(reason):
    assert guards.reason_given(None, ctx(reason=reason)) == ["Indiquez le motif."]


def test_reason_given_accepts_text():
    assert guards.reason_given(None, ctx(reason="Consensus local absent")) == []


def test_request_is_complete():
    items = [{"kind": "piece", "code": "kbis", "label": "Kbis"}]
    assert guards.request_is_complete(None, ctx()) == [
        "Indiquez au moins une pièce ou une rubrique à compléter.",
        "Indiquez la date limite de réponse.",
    ]
    assert guards.request_is_complete(None, ctx(items=items, due_on=TODAY)) == [
        "La date limite de réponse doit être postérieure à aujourd'hui."
    ]
    assert guards.request_is_complete(None, ctx(items=items, due_on="2030-01-01")) == [
        "Indiquez la date limite de réponse."
    ]
    assert guards.request_is_complete(None, ctx(items=items, due_on=TODAY + timedelta(1))) == []


def test_every_track_checked():
    assert guards.every_track_checked(dossier_with_tracks(), ctx()) == [
        "Aucun cofinanceur n'instruit ce dossier."
    ]
    assert guards.every_track_checked(dossier_with_tracks("instructing", "checking"), ctx()) == [
        "Complétude non encore validée par : Financeur 2."
    ]
    assert guards.every_track_checked(
        dossier_with_tracks("not_concerned", "not_concerned"), ctx()
    ) == ["Aucun cofinanceur n'est concerné par ce dossier."]
    # not_concerned counts as done as soon as one financer goes on.
    assert (
        guards.every_track_checked(dossier_with_tracks("instructing", "not_concerned"), ctx()) == []
    )


def _request(state: str, financer_id: int | None = None) -> DocumentRequest:
    return DocumentRequest(state=state, financer_id=financer_id, items=[], due_on=date(2030, 1, 1))


def test_open_request_guards():
    dossier = Dossier(state="awaiting_documents")
    dossier.document_requests = [_request("answered")]
    assert guards.has_open_request(dossier, ctx()) == [
        "Aucune demande de pièces n'est en attente de réponse."
    ]
    assert guards.no_open_request(dossier, ctx()) == []
    dossier.document_requests = [_request("answered"), _request("open")]
    assert guards.has_open_request(dossier, ctx()) == []
    assert guards.no_open_request(dossier, ctx()) == [
        "Une demande de pièces est en attente de réponse du porteur."
    ]


def test_opinions():
    dossier = dossier_with_tracks("instructing", state="under_instruction")
    track = dossier.tracks[0]
    track.financer_id = track.financer.id
    assert guards.dd_opinion_given(dossier, ctx()) != []
    assert guards.financer_opinion_given(track, ctx()) == [
        "Donnez d'abord l'avis de votre institution sur ce dossier."
    ]
    dossier.opinions = [
        Opinion(source="urps", recommendation="favourable", text="…"),
        Opinion(source="dd_ars", recommendation="favourable", text="…"),
    ]
    assert guards.dd_opinion_given(dossier, ctx()) == []
    assert guards.financer_opinion_given(track, ctx()) != []
    dossier.opinions.append(
        Opinion(source="cofinancer", financer_id=track.financer_id, recommendation="favourable")
    )
    assert guards.financer_opinion_given(track, ctx()) == []


@pytest.mark.parametrize(
    ("state", "open_for_tracks", "proposal"),
    [
        ("completeness_check", True, False),
        ("awaiting_documents", True, False),
        ("admissible", True, False),
        ("under_instruction", True, True),
        ("ready_for_committee", True, True),
        ("on_hold", False, None),
        ("withdrawn", False, None),
    ],
)
def test_tracks_move_only_while_the_dossier_is_instructed(state, open_for_tracks, proposal):
    track = dossier_with_tracks("instructing", state=state).tracks[0]
    assert (guards.dossier_open_for_tracks(track, ctx()) == []) is open_for_tracks
    under = guards.dossier_under_instruction(track, ctx())
    if proposal is None:  # already reported by dossier_open_for_tracks: no second reason
        assert under == []
    else:
        assert (under == []) is proposal


def test_a_request_is_made_in_the_name_of_ones_own_financer():
    mine, other = financer(1, "Région"), financer(2, "Département")
    actor = User(role="financer_instructor")
    actor.financers = [mine]
    dossier = Dossier(state="completeness_check")
    dossier.financers = [mine, other]
    assert guards.request_financer_in_scope(dossier, ctx(actor)) == []
    assert guards.request_financer_in_scope(dossier, ctx(actor, financer_id=1)) == []
    assert guards.request_financer_in_scope(dossier, ctx(actor, financer_id=2)) == [
        "Vous ne pouvez demander des pièces qu'au nom de votre institution."
    ]


def test_pieces_accepted_by_the_financer(submitted_dossier, region_instructor):
    from tests.workflow import support

    track = support.track_of(submitted_dossier, "REGION_IDF")
    reasons = guards.financer_pieces_accepted(track, ctx())
    assert reasons and all(r.startswith("Pièce non acceptée : ") for r in reasons)
    support.accept_pieces(submitted_dossier, track.financer, region_instructor)
    assert guards.financer_pieces_accepted(track, ctx()) == []
    support.open_request(submitted_dossier, region_instructor, track.financer)
    assert guards.financer_pieces_accepted(track, ctx()) == [
        "Votre demande de pièces attend encore la réponse du porteur."
    ]
