"""Demo data: the financers' decisions on the dossier the committee found favourable — the ARS
grants what the committee proposed, the Région grants part of it — each with its act, its
notification letter and its envelope movements, recorded through ``services.decisions.decide``
as a decider would. Idempotent: a dossier no longer awaiting decisions is left as it is."""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_DOWN, Decimal

from sqlalchemy import select

from grants.extensions import db
from grants.models import Dossier, User
from grants.services import decisions
from grants.services.document_requests import paris_today
from grants.services.opinions import give_opinion
from grants.workflow import engine

ARS_DECIDER = "decision.ars@demo.grants.fr"
REGION_DECIDER = "decision.region@demo.grants.fr"
ARS_CODES = ("ARS_FIR", "ARS_IMMO")
# What the Région grants of the committee's proposal (a partial grant), rounded to 1 000 €.
REGION_SHARE = Decimal("0.8")
INSTRUCTOR_ROLES = ("ars_instructor", "financer_instructor")


def seed_decisions(users: dict[str, User], title: str | None = None) -> None:
    """Decide the ARS and Région tracks of the dossier titled ``title`` (by default the one the
    demo committee found favourable) while it awaits decisions."""
    from grants.demo_committee import DRANCY

    dossier = db.session.scalar(select(Dossier).where(Dossier.title == (title or DRANCY.title)))
    if dossier is not None:
        decide_dossier(dossier, users)


def decide_dossier(dossier: Dossier, users: dict[str, User]) -> None:
    """Decide every ARS and Région track of ``dossier`` (in decisions_pending)."""
    if dossier.state != "decisions_pending":
        return
    _close_instruction(dossier, users)
    act_date = paris_today() - timedelta(days=2)
    for track in list(dossier.tracks):
        if track.state not in ("awaiting_decision", "deferred"):
            continue
        code = track.financer.code
        basis = decisions.proposed_amounts(track) or decisions.requested_amounts(track)
        if code in ARS_CODES and ARS_DECIDER in users:
            decisions.decide(
                track,
                users[ARS_DECIDER],
                "granted",
                {aid: str(amount) for aid, amount in basis.items() if amount > 0},
                "Ouverture de la maison de santé au public dans les 24 mois ; signature du "
                "contrat pluriannuel d'objectifs et de moyens (CPOM) avant tout versement.",
                "",
                f"DG-ARS-IDF-{act_date:%Y}-DOS-{track.id:04d}",
                act_date,
                "Mme Sylvie Carpentier, directrice générale adjointe",
                track.lock_version,
            )
        elif code == "REGION_IDF" and REGION_DECIDER in users:
            decisions.decide(
                track,
                users[REGION_DECIDER],
                "partially_granted",
                {aid: str(_partial(amount)) for aid, amount in basis.items() if amount > 0},
                "Versement sur présentation des factures acquittées ; mention du soutien de la "
                "Région sur le chantier et dans la maison de santé.",
                "Aide plafonnée par le règlement d'intervention régional en faveur de la santé "
                "de proximité.",
                f"CP {act_date:%Y}-{track.id:03d}",
                act_date,
                "M. Bernard Aubry, vice-président chargé de la santé",
                track.lock_version,
            )
    db.session.flush()


def _partial(amount: Decimal) -> Decimal:
    return (amount * REGION_SHARE / 1000).quantize(Decimal("1"), rounding=ROUND_DOWN) * 1000


def _close_instruction(dossier: Dossier, users: dict[str, User]) -> None:
    """Each financer's instructor gives its opinion if it has not, and closes its instruction
    (``propose``): the track then awaits its decider."""
    from grants.demo_instruction import STAFF_PROFILES

    for track in list(dossier.tracks):
        if track.state != "instructing":
            continue
        instructor = next(
            (
                users[email]
                for email, (role, codes, departement) in STAFF_PROFILES.items()
                if role in INSTRUCTOR_ROLES
                and departement is None
                and track.financer.code in codes
                and email in users
            ),
            None,
        )
        if instructor is None:
            continue
        if not any(o.financer_id == track.financer_id for o in dossier.opinions):
            give_opinion(
                dossier,
                actor=instructor,
                financer_id=track.financer_id,
                recommendation="favourable",
                text="Avis favorable, conforme à l'avis du comité d'instruction partagé.",
            )
        engine.fire(track, "propose", instructor)
