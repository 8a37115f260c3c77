"""The post-committee situation, built directly: a complete dossier in decisions_pending with its
tracks awaiting decision, a held committee session whose item carries a favourable opinion and
the proposed amounts, and those amounts reserved on each financer's envelope."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from grants.extensions import db
from grants.models import (
    CommitteeItem,
    CommitteeItemAmount,
    CommitteeSession,
    Dossier,
    Financer,
    FinancerTrack,
    User,
)
from grants.models.base import utcnow
from grants.services import ledger
from grants.services.envelopes import envelope_for
from grants.services.submission import submit_dossier
from tests import factories
from tests.helpers.complete_dossier import make_complete_dossier

D = Decimal
RE, OP = "investment_real_estate", "operating"
# The plan of make_complete_dossier asks ARS_IMMO, REGION_IDF and DEP_77 for 308 641,97 € each
# of the real-estate costs (1 234 567,89 €), and the two last ones for 40 000 € of operating.
REQUESTED = D("308641.97")
PROPOSED: dict[tuple[str, str], Decimal] = {
    ("ARS_IMMO", RE): D("300000.00"),
    ("REGION_IDF", RE): D("250000.00"),
    ("REGION_IDF", OP): D("40000.00"),
    ("DEP_77", RE): D("100000.00"),
}
YESTERDAY = date.today() - timedelta(days=1)
# Every financer decided, one at least granted: the dossier is decided — or already drafting its
# agreements, which the engine starts in the same step (DOMAIN T11 then T12).
CONCLUDED = frozenset({"decided", "agreements_in_progress"})


def financer(code: str) -> Financer:
    return db.session.scalar(select(Financer).where(Financer.code == code))


def track_of(dossier: Dossier, code: str) -> FinancerTrack:
    return next(t for t in dossier.tracks if t.financer.code == code)


def make_session(secretary: User, *, days_ago: int = 1, title: str | None = None):  # type: ignore[no-untyped-def]
    meets_at = utcnow() - timedelta(days=days_ago)
    session = CommitteeSession(
        title=title or f"Comité d'instruction partagé du {meets_at:%d/%m/%Y}",
        kind="instruction",
        meets_at=meets_at,
        place="ARS Île-de-France, Saint-Denis",
        state="held",
        created_by_id=secretary.id,
        frozen_at=meets_at - timedelta(days=7),
        held_at=meets_at,
    )
    db.session.add(session)
    db.session.flush()
    return session


def add_item(
    dossier: Dossier,
    session: CommitteeSession,
    secretary: User,
    *,
    opinion: str = "favourable",
    proposed: dict[tuple[str, str], Decimal] | None = None,
    reserve: bool = True,
    reservations: str = "",
    deferral_reasons: str = "",
) -> CommitteeItem:
    item = CommitteeItem(
        session_id=session.id,
        dossier_id=dossier.id,
        position=len(session.items) + 1,
        opinion=opinion,
        reservations=reservations,
        deferral_reasons=deferral_reasons,
        recorded_at=session.held_at or utcnow(),
        recorded_by_id=secretary.id,
    )
    db.session.add(item)
    db.session.flush()
    totals: dict[str, Decimal] = {}
    for (code, aid_type), amount in (proposed if proposed is not None else PROPOSED).items():
        db.session.add(
            CommitteeItemAmount(
                item_id=item.id, financer_id=financer(code).id, aid_type=aid_type, amount=amount
            )
        )
        totals[code] = totals.get(code, D("0")) + amount
    db.session.flush()
    if reserve:
        for code, total in totals.items():
            envelope = envelope_for(financer(code).id)
            if envelope is not None and total > 0:
                ledger.reserve(envelope, dossier, total, secretary, "Proposition du comité")
    db.session.expire(dossier, ["committee_items"])
    db.session.expire(item, ["amounts"])
    return item


def decisions_pending(
    promoter: User,
    secretary: User | None = None,
    *,
    proposed: dict[tuple[str, str], Decimal] | None = None,
    opinion: str = "favourable",
    reserve: bool = True,
) -> Dossier:
    """A filed dossier (ARS_IMMO, REGION_IDF, DEP_77) examined by the committee, whose
    financers are to decide."""
    secretary = secretary or factories.make_staff("committee_secretary", factories.ARS_FINANCERS)
    dossier = make_complete_dossier(promoter)
    submit_dossier(dossier, actor=promoter, expected_lock_version=dossier.lock_version)
    now = utcnow()
    dossier.state = "decisions_pending"
    dossier.admissible_at = now
    for track in dossier.tracks:
        track.state = "awaiting_decision"
        track.checklist_completed_at = now
    db.session.flush()
    session = make_session(secretary)
    add_item(dossier, session, secretary, opinion=opinion, proposed=proposed, reserve=reserve)
    return dossier


def balance(dossier: Dossier, code: str) -> ledger.DossierBalance:
    envelope = envelope_for(financer(code).id)
    assert envelope is not None
    return ledger.dossier_balance(envelope, dossier)


def deciders() -> dict[str, User]:
    return {
        "ARS_IMMO": factories.make_staff("ars_decider", factories.ARS_FINANCERS),
        "REGION_IDF": factories.make_staff("financer_decider", ("REGION_IDF",)),
        "DEP_77": factories.make_staff("financer_decider", ("DEP_77",)),
    }
