"""Opinions (avis) on a dossier, each with a recommendation and a text, visible to every staff
user who sees the dossier. The source follows from the author's role:

- ``dd_ars``: a délégation départementale instructor (``dd_instructor``), for an ARS financer;
- ``ars``: ARS head office (``ars_instructor``, ``ars_decider``), for an ARS financer;
- ``cofinancer``: a co-financer's instructor or decider, for their financer;
- ``urps``: a URPS representative. A URPS user is modelled as a ``committee_member`` linked to
  the ARS financers: that link only scopes the dossiers they see (those the ARS co-finances, as
  for any staff user); their opinion carries no financer, so it never stands for a track's own
  opinion (guard ``financer_opinion_given``), and they read shared annotations only.

An opinion is never edited: a new one supersedes the previous ones of the same author's
institution, and the form carries the latest id it showed, so a colleague's opinion given in
the meantime answers 409 instead of being silently overtaken.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from grants.extensions import db
from grants.models import Dossier, Financer, Opinion, User
from grants.models.choices import RECOMMENDATIONS
from grants.permissions import financer_ids
from grants.services import audit

SOURCE_BY_ROLE = {
    "dd_instructor": "dd_ars",
    "ars_instructor": "ars",
    "ars_decider": "ars",
    "financer_instructor": "cofinancer",
    "financer_decider": "cofinancer",
    "committee_member": "urps",
}
ARS_KINDS = frozenset({"ars_fir", "ars_envelope"})
STALE_MESSAGE = (
    "Un autre avis de votre institution a été donné entre-temps : rechargez la page pour le lire "
    "avant de donner le vôtre."
)


class OpinionRefusedError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def source_of(user: User) -> str | None:
    return SOURCE_BY_ROLE.get(user.role)


def opinion_financers(user: User, dossier: Dossier) -> list[Financer]:
    """The financers ``user`` gives an opinion for on this dossier (none for the URPS)."""
    source = source_of(user)
    if source is None or source == "urps":
        return []
    mine = financer_ids(user)
    financers = [f for f in dossier.financers if f.id in mine]
    if source in ("dd_ars", "ars"):
        financers = [f for f in financers if f.kind in ARS_KINDS]
    return financers


def may_give_opinion(user: User, dossier: Dossier) -> bool:
    source = source_of(user)
    return source == "urps" or bool(opinion_financers(user, dossier))


def dossier_opinions(dossier: Dossier) -> list[Opinion]:
    return list(
        db.session.scalars(
            select(Opinion)
            .where(Opinion.dossier_id == dossier.id)
            .options(joinedload(Opinion.author), joinedload(Opinion.financer))
            .order_by(Opinion.created_at, Opinion.id)
        )
    )


def latest_id(dossier: Dossier, user: User) -> int:
    """The id of the latest opinion of ``user``'s institution (0 when none): the form carries
    it, and a newer one at save time means a colleague spoke in the meantime."""
    query = select(Opinion.id).where(
        Opinion.dossier_id == dossier.id, Opinion.source == source_of(user)
    )
    financers = [f.id for f in opinion_financers(user, dossier)]
    if financers:
        query = query.where(Opinion.financer_id.in_(financers))
    return db.session.scalar(query.order_by(Opinion.id.desc()).limit(1)) or 0


def give_opinion(
    dossier: Dossier,
    *,
    actor: User,
    financer_id: int | None,
    recommendation: str,
    text: str,
    seen_latest_id: int | None = None,
) -> Opinion:
    """Record an opinion; audited. Raises OpinionRefusedError (403, 409, 422)."""
    source = source_of(actor)
    if source is None or not may_give_opinion(actor, dossier):
        raise OpinionRefusedError(403, "Votre rôle ne permet pas de donner un avis sur ce dossier.")
    if source == "urps":
        financer_id = None
    elif financer_id not in {f.id for f in opinion_financers(actor, dossier)}:
        raise OpinionRefusedError(
            403, "Vous ne pouvez donner un avis qu'au nom de votre institution."
        )
    if recommendation not in RECOMMENDATIONS or not text.strip():
        raise OpinionRefusedError(422, "Indiquez la recommandation et le texte de l'avis.")
    if seen_latest_id is not None and seen_latest_id != latest_id(dossier, actor):
        raise OpinionRefusedError(409, STALE_MESSAGE)
    opinion = Opinion(
        dossier_id=dossier.id,
        financer_id=financer_id,
        author_id=actor.id,
        source=source,
        recommendation=recommendation,
        text=text.strip(),
    )
    db.session.add(opinion)
    db.session.flush()
    db.session.expire(dossier, ["opinions"])
    audit.record(
        "dossier.opinion_given",
        actor=actor,
        dossier_id=dossier.id,
        data={
            "opinion_id": opinion.id,
            "source": source,
            "financer_id": financer_id,
            "recommendation": recommendation,
        },
    )
    return opinion
