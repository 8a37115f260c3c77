"""Submit a draft dossier (DOMAIN §3.4, T1): re-check, compare-and-set, reference, frozen version.

Everything happens in the caller's transaction; the view commits once.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from grants.extensions import db
from grants.models import Dossier, DossierVersion, User
from grants.models.base import utcnow
from grants.permissions import membership_of
from grants.services.completeness import Problem, blocking_problems
from grants.services.search_text import search_text_of
from grants.services.snapshot import payload_sha256, snapshot_dossier
from grants.workflow import engine
from grants.workflow.engine import TransitionError

PARIS = ZoneInfo("Europe/Paris")
REFERENCE_ATTEMPTS = 5
STALE_MESSAGE = "Ce dossier a été modifié entre-temps : rechargez la page."
NOT_DRAFT_MESSAGE = "Ce dossier a déjà été déposé ; il ne peut pas l'être une seconde fois."
PROBLEMS_MESSAGE = "Le dossier ne peut pas encore être déposé : corrigez les points ci-dessous."
NOT_OWNER_MESSAGE = (
    "Seul un responsable de l'organisation porteuse peut déposer le dossier. "
    "Demandez-lui de le déposer, ou de vous donner ce rôle."
)
NO_REFERENCE_MESSAGE = "Le numéro du dossier n'a pas pu être attribué. Réessayez dans un instant."


class SubmissionRefusedError(TransitionError):
    """The dossier cannot be submitted now; ``status`` is the HTTP status to answer."""

    def __init__(self, status: int, message: str, problems: list[Problem] | None = None):
        super().__init__(status, message, [p.message for p in problems or []])
        self.problems = problems or []


def may_submit(user: User, dossier: Dossier) -> bool:
    """Only an owner of the promoter organisation files (DOMAIN §1.2, promoter_owner)."""
    membership = membership_of(user, dossier.organisation_id)
    return membership is not None and membership.role == "owner"


def submit_dossier(
    dossier: Dossier, *, actor: User, expected_lock_version: int | None
) -> DossierVersion:
    """File the dossier through the workflow (T1): reference, version 1, tracks opened."""
    if dossier.state != "draft":
        raise SubmissionRefusedError(409, NOT_DRAFT_MESSAGE)
    if expected_lock_version != dossier.lock_version:
        raise SubmissionRefusedError(409, STALE_MESSAGE)
    problems = blocking_problems(dossier)
    if problems:
        raise SubmissionRefusedError(422, PROBLEMS_MESSAGE, problems)
    try:
        engine.fire(dossier, "submit", actor, expected_version=expected_lock_version)
    except SubmissionRefusedError:
        raise
    except TransitionError as refused:
        raise SubmissionRefusedError(refused.status, refused.message) from refused
    return max(dossier.versions, key=lambda v: v.number)


def departement_code(dossier: Dossier) -> str:
    """The département of the dossier, or of its first commune."""
    if dossier.departement_code:
        return dossier.departement_code
    return dossier.communes[0].commune.departement_code


def reference_prefix(year: int, departement: str) -> str:
    return f"IDF-{year}-{departement}-"


def next_sequence(prefix: str) -> int:
    """One more than the highest sequence already given for this year and département."""
    references = db.session.scalars(
        select(Dossier.reference).where(Dossier.reference.like(f"{prefix}%"))
    )
    numbers = [int(r[len(prefix) :]) for r in references if r and r[len(prefix) :].isdigit()]
    return max(numbers, default=0) + 1


def assign_reference(dossier: Dossier, now: datetime) -> None:
    """Reference and filing time; a concurrent filing taking the same number makes us retry."""
    departement = departement_code(dossier)
    prefix = reference_prefix(now.astimezone(PARIS).year, departement)
    for _attempt in range(REFERENCE_ATTEMPTS):
        reference = f"{prefix}{next_sequence(prefix):04d}"
        try:
            with db.session.begin_nested():
                dossier.submitted_at = now
                dossier.departement_code = departement
                dossier.reference = reference
                db.session.flush()
            return
        except IntegrityError:
            continue
        except StaleDataError as exc:  # someone saved the dossier since it was loaded
            raise TransitionError(409, STALE_MESSAGE) from exc
    raise SubmissionRefusedError(409, NO_REFERENCE_MESSAGE)


def freeze_version(dossier: Dossier, *, actor: User, reason: str) -> DossierVersion:
    """Append the next numbered, immutable snapshot of the dossier."""
    payload = snapshot_dossier(dossier)
    version = DossierVersion(
        dossier=dossier,
        number=max((v.number for v in dossier.versions), default=0) + 1,
        payload=payload,
        payload_sha256=payload_sha256(payload),
        frozen_at=utcnow(),
        frozen_by_id=actor.id,
        reason=reason,
    )
    db.session.add(version)
    dossier.search_text = search_text_of(payload)
    db.session.flush()
    return version
