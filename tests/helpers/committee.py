"""Test data for the committee: dossiers under instruction (tracks instructing, DD ARS opinion,
a score card), sessions created through the service, a small envelope to exhaust."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

from sqlalchemy import select

from grants.extensions import db
from grants.models import CommitteeSession, Dossier, Envelope, Financer, User
from grants.models.scoring import ScoreCard
from grants.services import committee as service
from grants.services import config_versions
from tests import factories
from tests.workflow import support

FINANCERS = ("ARS_IMMO", "REGION_IDF", "DEP_77")
MEETS_ON = date(2027, 1, 14)


def instructed_dossier(
    owner: User,
    dd: User,
    *,
    codes: tuple[str, ...] = FINANCERS,
    score: str | None = "60",
    opinion: bool = True,
    title: str | None = None,
) -> Dossier:
    """A dossier under instruction, every track instructing, with the DD ARS opinion (unless
    ``opinion`` is False) and a current score card of ``score`` points (none if None)."""
    dossier = support.make_dossier(
        owner,
        "under_instruction",
        track_states={code: "instructing" for code in codes},
        financer_codes=codes,
    )
    dossier.aid_types = ["investment_real_estate", "operating"]
    if title:
        dossier.title = title
    if opinion:
        support.give_opinion(dossier, dd, "dd_ars", "ARS_IMMO")
    if score is not None:
        grid = config_versions.active("scoring_grid")
        db.session.add(
            ScoreCard(
                dossier_id=dossier.id,
                grid_id=grid.id,
                inputs={},
                lines=[
                    {
                        "code": "C1",
                        "label": "Zonage",
                        "points": score,
                        "max": "100",
                        "explanation": "Zone d'intervention prioritaire.",
                    }
                ],
                total=Decimal(score),
                trigger="test",
                current=True,
            )
        )
    db.session.flush()
    return dossier


def make_session(secretary: User, title: str = "Comité d'instruction partagé — janvier 2027"):  # type: ignore[no-untyped-def]
    return service.create_session(
        actor=secretary,
        title=title,
        kind="instruction",
        meets_at=service.paris_to_utc(MEETS_ON, time(14, 30)),
        place="ARS Île-de-France, 13 rue du Landy, Saint-Denis — salle 4.12",
    )


def name_members(session: CommitteeSession, secretary: User, *people: tuple[User, str]) -> None:
    """The people given (user, role), then a guest without an account."""
    for user, role in people:
        service.add_member(session, actor=secretary, expected_version=None, role=role, user=user)
    service.add_member(
        session,
        actor=secretary,
        expected_version=None,
        role="guest",
        full_name="Martine Roussel",
        institution="Région Île-de-France",
        email="martine.roussel@iledefrance.example",
    )


def small_envelope(code: str, amount: str) -> Envelope:
    """A fresh open envelope of the financer, which ``envelope_for`` prefers (opens today)."""
    financer = db.session.scalar(select(Financer).where(Financer.code == code))
    envelope = Envelope(
        code=f"TEST_{code}",
        name=f"Enveloppe de test {code}",
        financer=financer,
        amount=Decimal(amount),
        opens_on=date.today(),
        closes_on=date(2030, 12, 31),
        reserved=Decimal("0"),
        committed=Decimal("0"),
        paid=Decimal("0"),
    )
    db.session.add(envelope)
    db.session.flush()
    return envelope


def urps_member() -> User:
    return factories.make_staff("committee_member", factories.ARS_FINANCERS)


def financer_id(code: str) -> int:
    return db.session.scalar(select(Financer.id).where(Financer.code == code))  # type: ignore[return-value]
