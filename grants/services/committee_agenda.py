"""A session's agenda: the candidates (dossiers under instruction, ranked by score, with their
score card, opinions and proposed amounts), adding, removing and reordering items while the
session is being prepared, and freezing the agenda, which sends the convocation and starts the
committee pack in the background.

Adding fires the workflow's ``schedule`` (the dossier becomes ready_for_committee; its guard wants
the DD ARS opinion), removing fires ``unschedule``. A dossier waits on one agenda at a time: it
cannot be added while an item of another session not yet closed still awaits its examination
(an item examined and deferred does not count — the deferred dossier is back in instruction and
goes to a later session).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from grants.extensions import db
from grants.models import (
    CommitteeItem,
    CommitteeSession,
    Dossier,
    FinancerTrack,
    Opinion,
    User,
)
from grants.models.base import utcnow
from grants.models.scoring import ScoreCard
from grants.permissions import staff_dossier_filter
from grants.services import committee as base
from grants.services import committee_convocation
from grants.services.committee import CommitteeRefused
from grants.services.proposed_amounts import amounts_of
from grants.services.scoring import effective_total
from grants.workflow import engine
from grants.workflow.engine import TransitionError


@dataclass
class Candidate:
    """A dossier the secretary may put on the agenda, with what the committee reads first."""

    dossier: Dossier
    card: ScoreCard | None
    total: Decimal | None
    opinions: list[Opinion] = field(default_factory=list)
    # (financer name, aid type, amount) proposed by each financer's instructors
    amounts: list[tuple[str, str, Decimal]] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)  # why ``schedule`` would be refused now

    @property
    def ready(self) -> bool:
        return not self.reasons


def cards_of(dossier_ids: list[int]) -> dict[int, ScoreCard]:
    """The current score card of each dossier (one query, adjustments loaded)."""
    if not dossier_ids:
        return {}
    cards = db.session.scalars(
        select(ScoreCard)
        .where(ScoreCard.dossier_id.in_(dossier_ids), ScoreCard.current.is_(True))
        .options(selectinload(ScoreCard.adjustments))
        .order_by(ScoreCard.id)
    )
    return {card.dossier_id: card for card in cards}  # the latest current card wins


def candidates(session: CommitteeSession, actor: User) -> list[Candidate]:
    """Dossiers under instruction the actor sees, best score first (unscored last)."""
    if session.state != "preparing":
        return []
    dossiers = list(
        db.session.scalars(
            select(Dossier)
            .where(Dossier.state == "under_instruction", staff_dossier_filter(actor))
            .options(
                selectinload(Dossier.opinions).selectinload(Opinion.author),
                selectinload(Dossier.opinions).selectinload(Opinion.financer),
                selectinload(Dossier.tracks).selectinload(FinancerTrack.financer),
                selectinload(Dossier.organisation),
            )
            .order_by(Dossier.reference)
        )
    )
    cards = cards_of([d.id for d in dossiers])
    result = []
    for dossier in dossiers:
        card = cards.get(dossier.id)
        result.append(
            Candidate(
                dossier=dossier,
                card=card,
                total=effective_total(card) if card is not None else None,
                opinions=list(dossier.opinions),
                amounts=proposals(dossier),
                reasons=_schedule_reasons(dossier, actor),
            )
        )
    result.sort(key=lambda c: (c.total is None, -(c.total or 0)))
    return result


def proposals(dossier: Dossier) -> list[tuple[str, str, Decimal]]:
    names = {track.id: track.financer.name for track in dossier.tracks}
    return [(names[p.track_id], p.aid_type, p.amount) for p in amounts_of(dossier)]


def _schedule_reasons(dossier: Dossier, actor: User) -> list[str]:
    try:
        engine.check(dossier, "schedule", actor)
    except TransitionError as refused:
        return refused.reasons or [refused.message]
    return []


# --- changing the agenda -------------------------------------------------------------------------


def _prepare(session: CommitteeSession, actor: User, expected_version: int | None) -> None:
    base.require_secretary(actor)
    base.check_version(session, expected_version)
    base.require_state(session, "preparing", message=base.NOT_PREPARING_MESSAGE)


def _fire(dossier: Dossier, event: str, actor: User) -> None:
    try:
        engine.fire(dossier, event, actor)
    except TransitionError as refused:
        raise CommitteeRefused(refused.status, refused.message, refused.reasons) from refused


def add_item(
    session: CommitteeSession, dossier: Dossier, *, actor: User, expected_version: int | None
) -> CommitteeItem:
    """Put the dossier at the end of the agenda, with its current score as a snapshot."""
    _prepare(session, actor, expected_version)
    if any(item.dossier_id == dossier.id for item in session.items):
        raise CommitteeRefused(422, "Ce dossier est déjà inscrit à l'ordre du jour de la séance.")
    elsewhere = _waiting_elsewhere(dossier, session)
    if elsewhere is not None:
        raise CommitteeRefused(
            422,
            f"Ce dossier est déjà inscrit à l'ordre du jour de la séance « {elsewhere.title} » "
            "et n'y a pas encore été examiné.",
        )
    _fire(dossier, "schedule", actor)
    card = cards_of([dossier.id]).get(dossier.id)
    position = (
        db.session.scalar(
            select(func.max(CommitteeItem.position)).where(CommitteeItem.session_id == session.id)
        )
        or 0
    ) + 1
    item = CommitteeItem(
        session=session,
        dossier_id=dossier.id,
        position=position,
        score_card_id=card.id if card else None,
        score_total=effective_total(card) if card else None,
    )
    db.session.add(item)
    base.touch(session)
    db.session.expire(dossier, ["committee_items"])
    base.record(
        session,
        "item_added",
        actor,
        {
            "item": item.id,
            "reference": dossier.reference,
            "position": position,
            "score_card": item.score_card_id,
            "score_total": item.score_total,
        },
        dossier_id=dossier.id,
    )
    return item


def _waiting_elsewhere(dossier: Dossier, session: CommitteeSession) -> CommitteeSession | None:
    return db.session.scalar(
        select(CommitteeSession)
        .join(CommitteeItem, CommitteeItem.session_id == CommitteeSession.id)
        .where(
            CommitteeItem.dossier_id == dossier.id,
            CommitteeItem.opinion.is_(None),
            CommitteeSession.id != session.id,
            CommitteeSession.state != "closed",
        )
        .limit(1)
    )


def remove_item(
    session: CommitteeSession, item: CommitteeItem, *, actor: User, expected_version: int | None
) -> None:
    """Take the dossier off the agenda: it goes back to instruction (``unschedule``); a dossier
    that left the agenda's state meanwhile (withdrawn, on hold) is simply taken off."""
    _prepare(session, actor, expected_version)
    dossier = item.dossier
    if dossier.state == "ready_for_committee":
        _fire(dossier, "unschedule", actor)
    data = {"item": item.id, "reference": dossier.reference, "dossier_state": dossier.state}
    session.items.remove(item)
    db.session.flush()
    _renumber(session)
    base.touch(session)
    db.session.expire(dossier, ["committee_items"])
    base.record(session, "item_removed", actor, data, dossier_id=dossier.id)


def move_item(
    session: CommitteeSession,
    item: CommitteeItem,
    direction: str,
    *,
    actor: User,
    expected_version: int | None,
) -> None:
    """Swap the item with its neighbour above (``up``) or below (``down``)."""
    _prepare(session, actor, expected_version)
    items = list(session.items)
    index = items.index(item)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(items):
        raise CommitteeRefused(422, "Ce dossier ne peut pas être déplacé dans ce sens.")
    items[index], items[other] = items[other], items[index]
    _apply_order(session, items, actor)


def reorder(
    session: CommitteeSession,
    positions: dict[int, int],
    *,
    actor: User,
    expected_version: int | None,
) -> None:
    """Explicit positions (item id → wanted rank, 1 = first); ties keep the current order."""
    _prepare(session, actor, expected_version)
    items = list(session.items)
    if set(positions) != {item.id for item in items}:
        raise CommitteeRefused(422, "Indiquez un rang pour chaque dossier de l'ordre du jour.")
    if any(rank < 1 for rank in positions.values()):
        raise CommitteeRefused(422, "Les rangs commencent à 1.")
    current = {item.id: index for index, item in enumerate(items)}
    items.sort(key=lambda item: (positions[item.id], current[item.id]))
    _apply_order(session, items, actor)


def _apply_order(session: CommitteeSession, items: list[CommitteeItem], actor: User) -> None:
    for rank, item in enumerate(items, start=1):
        item.position = rank
    base.touch(session)
    db.session.expire(session, ["items"])
    base.record(
        session,
        "agenda_reordered",
        actor,
        {"order": [item.dossier.reference for item in items]},
    )


def _renumber(session: CommitteeSession) -> None:
    for rank, item in enumerate(sorted(session.items, key=lambda i: i.position), start=1):
        item.position = rank


# --- freezing ----------------------------------------------------------------------------------


def freeze(session: CommitteeSession, *, actor: User, expected_version: int | None) -> None:
    """Arrêter l'ordre du jour: no more changes to it, the convocation goes to the members and
    guests, and the committee pack is built in the background (after the commit)."""
    _prepare(session, actor, expected_version)
    if not session.items:
        raise CommitteeRefused(
            422, "Inscrivez au moins un dossier avant d'arrêter l'ordre du jour."
        )
    if not session.members:
        raise CommitteeRefused(
            422, "Nommez les membres et les invités avant d'arrêter l'ordre du jour."
        )
    base.set_state(session, "frozen")
    session.frozen_at = utcnow()
    base.flush()
    sent = committee_convocation.send_convocation(session, actor)
    base.record(
        session,
        "agenda_frozen",
        actor,
        {"agenda": [item.dossier.reference for item in session.items], "convoked": sent},
    )
    from grants.services.committee_pack import start_pack

    start_pack(session, actor)
