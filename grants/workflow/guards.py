"""Conditions on transitions: pure predicates that return the reasons (in French) a transition
cannot happen now. An empty list means the guard passes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from grants.models import Dossier, FinancerTrack, User


@dataclass
class Context:
    """What a transition is fired with: who, when, and the data typed in its form."""

    actor: User | None
    now: datetime
    data: dict[str, Any] = field(default_factory=dict)
    # Filled by actions for the audit event and the notifications.
    audit: dict[str, Any] = field(default_factory=dict)


Guard = Callable[[Any, Context], list[str]]


def no_blocking_problems(dossier: Dossier, ctx: Context) -> list[str]:
    from grants.services.completeness import blocking_problems

    return [problem.message for problem in blocking_problems(dossier)]


def reason_given(_obj: object, ctx: Context) -> list[str]:
    if not str(ctx.data.get("reason") or "").strip():
        return ["Indiquez le motif."]
    return []


def request_is_complete(_dossier: Dossier, ctx: Context) -> list[str]:
    reasons = []
    if not ctx.data.get("items"):
        reasons.append("Indiquez au moins une pièce ou une rubrique à compléter.")
    due_on = ctx.data.get("due_on")
    if not isinstance(due_on, date):
        reasons.append("Indiquez la date limite de réponse.")
    elif due_on <= ctx.now.date():
        reasons.append("La date limite de réponse doit être postérieure à aujourd'hui.")
    return reasons


def has_open_request(dossier: Dossier, _ctx: Context) -> list[str]:
    if any(request.state == "open" for request in dossier.document_requests):
        return []
    return ["Aucune demande de pièces n'est en attente de réponse."]


def every_track_checked(dossier: Dossier, _ctx: Context) -> list[str]:
    tracks = dossier.tracks
    if not tracks:
        return ["Aucun cofinanceur n'instruit ce dossier."]
    waiting = [t.financer.name for t in tracks if t.state == "checking"]
    if waiting:
        return [f"Complétude non encore validée par : {', '.join(waiting)}."]
    if all(t.state == "not_concerned" for t in tracks):
        return ["Aucun cofinanceur n'est concerné par ce dossier."]
    return []


def no_open_request(dossier: Dossier, _ctx: Context) -> list[str]:
    if any(request.state == "open" for request in dossier.document_requests):
        return ["Une demande de pièces est en attente de réponse du porteur."]
    return []


def dd_opinion_given(dossier: Dossier, _ctx: Context) -> list[str]:
    if any(opinion.source == "dd_ars" for opinion in dossier.opinions):
        return []
    return ["L'avis technique de la délégation départementale de l'ARS est requis."]


def financer_pieces_accepted(track: FinancerTrack, _ctx: Context) -> list[str]:
    """Every mandatory piece this financer asks for carries its acceptance."""
    from grants.services.pieces import required_pieces

    reasons = []
    for piece in required_pieces(track.dossier):
        if track.financer not in piece.mandatory_for:
            continue
        accepted = any(
            review.financer_id == track.financer_id and review.status == "accepted"
            for attachment in piece.attachments
            for review in attachment.reviews
        )
        if not accepted:
            reasons.append(f"Pièce non acceptée : {piece.kind.label}.")
    if any(
        request.state == "open" and request.financer_id == track.financer_id
        for request in track.dossier.document_requests
    ):
        reasons.append("Votre demande de pièces attend encore la réponse du porteur.")
    return reasons


def financer_opinion_given(track: FinancerTrack, _ctx: Context) -> list[str]:
    if any(opinion.financer_id == track.financer_id for opinion in track.dossier.opinions):
        return []
    return ["Donnez d'abord l'avis de votre institution sur ce dossier."]


def dossier_open_for_tracks(track: FinancerTrack, _ctx: Context) -> list[str]:
    """A track does not move while its dossier is on hold, withdrawn or past the committee."""
    from grants.workflow.states import TRACK_WORK_STATES

    dossier = track.dossier
    if dossier.state in TRACK_WORK_STATES:
        return []
    return [f"Le dossier est dans l'état « {dossier.state_label} » : son instruction est arrêtée."]


def dossier_under_instruction(track: FinancerTrack, _ctx: Context) -> list[str]:
    from grants.workflow.states import PROPOSAL_STATES, TRACK_WORK_STATES

    state = track.dossier.state
    if state in PROPOSAL_STATES or state not in TRACK_WORK_STATES:  # the latter: reported above
        return []
    return ["Le dossier doit d'abord être déclaré complet et mis en instruction."]


def request_financer_in_scope(dossier: Dossier, ctx: Context) -> list[str]:
    """A request names a financer the actor acts for and the dossier targets (or none)."""
    financer_id = ctx.data.get("financer_id")
    if financer_id is None or ctx.actor is None:
        return []
    mine = {f.id for f in ctx.actor.financers} & {f.id for f in dossier.financers}
    if financer_id in mine:
        return []
    return ["Vous ne pouvez demander des pièces qu'au nom de votre institution."]


# --- committee and decisions (DOMAIN T7–T11) ---------------------------------------------------


def _latest_item(dossier: Dossier):  # type: ignore[no-untyped-def]
    items = dossier.committee_items
    return items[-1] if items else None


def committee_opinion_recorded(dossier: Dossier, _ctx: Context) -> list[str]:
    item = _latest_item(dossier)
    if item is None or item.opinion is None:
        return ["Enregistrez d'abord l'avis du comité sur ce dossier, depuis la séance."]
    return []


def committee_deferred(dossier: Dossier, _ctx: Context) -> list[str]:
    item = _latest_item(dossier)
    if item is not None and item.opinion == "deferred":
        return []
    return ["Le comité n'a pas ajourné ce dossier."]


def committee_not_deferred(dossier: Dossier, _ctx: Context) -> list[str]:
    item = _latest_item(dossier)
    if item is not None and item.opinion not in (None, "deferred"):
        return []
    return ["Le comité a ajourné ce dossier ou ne l'a pas encore examiné."]


def every_financer_decided(dossier: Dossier, _ctx: Context) -> list[str]:
    from grants.workflow.states import OPEN_TRACK_STATES

    waiting = [
        t.financer.name for t in dossier.tracks if t.state in OPEN_TRACK_STATES | {"deferred"}
    ]
    if waiting:
        return [f"Décision attendue de : {', '.join(waiting)}."]
    return []


def some_financer_granted(dossier: Dossier, _ctx: Context) -> list[str]:
    from grants.workflow.states import GRANTED_TRACK_STATES

    if any(t.state in GRANTED_TRACK_STATES for t in dossier.tracks):
        return []
    return ["Aucun financeur n'a accordé d'aide."]


def no_financer_granted(dossier: Dossier, ctx: Context) -> list[str]:
    if some_financer_granted(dossier, ctx):
        return []
    return ["Au moins un financeur a accordé une aide."]


def dossier_awaits_decisions(track: FinancerTrack, _ctx: Context) -> list[str]:
    if track.dossier.state == "decisions_pending":
        return []
    return ["Les financeurs décident après l'avis du comité d'instruction partagé."]


def decision_recorded(track: FinancerTrack, ctx: Context) -> list[str]:
    """The decision act itself (outcome, amounts, reference, signatory) comes with the event."""
    decision = ctx.data.get("decision")
    if decision is None or decision.track_id != track.id:
        return ["Enregistrez la décision dans son formulaire (montants, acte, signataire)."]
    return []
