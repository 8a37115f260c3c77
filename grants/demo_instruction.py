"""Demo data for instruction: instructor accounts tied to their financers, and filed demo dossiers
moved further along the workflow — always through ``engine.fire``, never by assigning a state."""

from __future__ import annotations

from sqlalchemy import select

from grants.extensions import db
from grants.models import Dossier, Financer, Opinion, PieceReview, User
from grants.workflow import engine

ARS = ("ARS_FIR", "ARS_IMMO")
# email → (role, financer codes, département of a délégation départementale)
STAFF_PROFILES: dict[str, tuple[str, tuple[str, ...], str | None]] = {
    "ars.siege@demo.grants.fr": ("ars_instructor", ARS, None),
    "dd77@demo.grants.fr": ("dd_instructor", ARS, "77"),
    "dd91@demo.grants.fr": ("dd_instructor", ARS, "91"),
    "region@demo.grants.fr": ("financer_instructor", ("REGION_IDF",), None),
    "departement77@demo.grants.fr": ("financer_instructor", ("DEP_77",), None),
    "cpam94@demo.grants.fr": ("financer_instructor", ("CPAM_94",), None),
    "comite@demo.grants.fr": ("committee_secretary", ARS, None),
    "decision.ars@demo.grants.fr": ("ars_decider", ARS, None),
    "decision.region@demo.grants.fr": ("financer_decider", ("REGION_IDF",), None),
    "suivi@demo.grants.fr": ("monitor", ARS, None),
    "admin@demo.grants.fr": ("admin", (), None),
}
HOLD_REASON = (
    "Consensus local insuffisant entre les professionnels et la commune, comme à "
    "Forges-les-Bains : le projet de santé est à retravailler avant toute instruction."
)
# What each "instruction" stage of a demo project does after filing.
STAGES = ("", "region_checked", "under_instruction", "on_hold")


def configure_staff(users: dict[str, User]) -> None:
    """Give each instructor account its role, financers and département (idempotent)."""
    financers = {f.code: f for f in db.session.scalars(select(Financer))}
    for email, (role, codes, departement) in STAFF_PROFILES.items():
        user = users[email]
        user.role = role
        user.departement_code = departement
        user.financers = [financers[code] for code in codes]
    db.session.flush()


def advance(dossier: Dossier, stage: str, users: dict[str, User]) -> None:
    """Move a freshly filed dossier (completeness_check) to its demo stage."""
    if stage == "region_checked":
        _complete(dossier, "REGION_IDF", users["region@demo.grants.fr"])
    elif stage == "under_instruction":
        dd = users[f"dd{dossier.departement_code}@demo.grants.fr"]
        for track in dossier.tracks:
            code = track.financer.code
            _complete(dossier, code, dd if code in ARS else _instructor_of(code, users))
        _opinion(dossier, dd, "dd_ars", "ARS_IMMO")
    elif stage == "on_hold":
        engine.fire(
            dossier, "hold", users["ars.siege@demo.grants.fr"], data={"reason": HOLD_REASON}
        )
    db.session.flush()


def _instructor_of(code: str, users: dict[str, User]) -> User:
    return next(users[email] for email, (_, codes, _) in STAFF_PROFILES.items() if code in codes)


def _complete(dossier: Dossier, code: str, instructor: User) -> None:
    """The financer accepts every mandatory piece it asks for, then validates its checklist."""
    from grants.services.pieces import required_pieces

    track = next(t for t in dossier.tracks if t.financer.code == code)
    for piece in required_pieces(dossier):
        if track.financer not in piece.mandatory_for:
            continue
        for attachment in piece.attachments:
            db.session.add(
                PieceReview(
                    attachment_id=attachment.id,
                    financer_id=track.financer_id,
                    status="accepted",
                    reviewed_by_id=instructor.id,
                )
            )
            db.session.flush()
            db.session.expire(attachment, ["reviews"])
    engine.fire(track, "complete_checklist", instructor)


def _opinion(dossier: Dossier, author: User, source: str, financer_code: str) -> None:
    financer = db.session.scalar(select(Financer).where(Financer.code == financer_code))
    db.session.add(
        Opinion(
            dossier_id=dossier.id,
            financer_id=financer.id if financer else None,
            author_id=author.id,
            source=source,
            recommendation="favourable_with_reservations",
            text=(
                "Projet cohérent avec le diagnostic territorial ; vigilance sur le loyer "
                "pratiqué et sur l'arrivée effective des deux jeunes médecins."
            ),
        )
    )
    db.session.flush()
    db.session.expire(dossier, ["opinions"])
