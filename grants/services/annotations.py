"""Private annotations per financer: written by an instructor for one of their financers, read by
that financer's staff, by every staff user who sees the dossier once shared, never by promoters.

Committee members (the URPS among them) are linked to financers only to scope the dossiers they
see; they read shared annotations only.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from grants.extensions import db
from grants.models import Annotation, Dossier, User
from grants.models.choices import INSTRUCTION_ROLES
from grants.permissions import financer_ids
from grants.services import audit

STALE_MESSAGE = (
    "Cette annotation a été modifiée entre-temps par une autre personne : "
    "rechargez la page pour voir sa version avant de la modifier."
)
PRIVATE_READER_ROLES = frozenset(INSTRUCTION_ROLES | {"committee_secretary", "monitor"})


class AnnotationRefusedError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def private_financer_ids(user: User) -> set[int]:
    """The financers whose private annotations ``user`` reads."""
    return financer_ids(user) if user.role in PRIVATE_READER_ROLES else set()


def writable_financers(user: User, dossier: Dossier) -> list:  # type: ignore[type-arg]
    """The dossier's targeted financers ``user`` may annotate for."""
    if user.role not in INSTRUCTION_ROLES:
        return []
    mine = financer_ids(user)
    return [f for f in dossier.financers if f.id in mine]


def visible_annotations(dossier: Dossier, user: User) -> list[Annotation]:
    """One query: the annotations of the dossier ``user`` may read, oldest first."""
    own = private_financer_ids(user)
    return list(
        db.session.scalars(
            select(Annotation)
            .where(
                Annotation.dossier_id == dossier.id,
                or_(Annotation.shared.is_(True), Annotation.financer_id.in_(own or {-1})),
            )
            .options(joinedload(Annotation.author), joinedload(Annotation.financer))
            .order_by(Annotation.created_at, Annotation.id)
        )
    )


def annotation_or_none(dossier: Dossier, annotation_id: int, user: User) -> Annotation | None:
    """The annotation if ``user`` may read it (others answer 404 in the views)."""
    annotation = db.session.get(Annotation, annotation_id)
    if annotation is None or annotation.dossier_id != dossier.id:
        return None
    if annotation.shared or annotation.financer_id in private_financer_ids(user):
        return annotation
    return None


def _audit(action: str, annotation: Annotation, actor: User, **extra: object) -> None:
    audit.record(
        action,
        actor=actor,
        dossier_id=annotation.dossier_id,
        data={
            "annotation_id": annotation.id,
            "financer_id": annotation.financer_id,
            "shared": annotation.shared,
            **extra,
        },
    )


def create_annotation(
    dossier: Dossier, *, actor: User, financer_id: int, body: str, shared: bool
) -> Annotation:
    if financer_id not in {f.id for f in writable_financers(actor, dossier)}:
        raise AnnotationRefusedError(
            403, "Vous ne pouvez annoter ce dossier qu'au nom de votre institution."
        )
    annotation = Annotation(
        dossier_id=dossier.id,
        financer_id=financer_id,
        author_id=actor.id,
        body=body.strip(),
        shared=shared,
    )
    db.session.add(annotation)
    db.session.flush()
    _audit("dossier.annotation_created", annotation, actor)
    return annotation


def _own(annotation: Annotation, actor: User) -> None:
    if annotation.author_id != actor.id:
        raise AnnotationRefusedError(403, "Seul l'auteur d'une annotation peut la modifier.")


def update_annotation(
    annotation: Annotation, *, actor: User, body: str, shared: bool, expected_version: int | None
) -> Annotation:
    """Change an own annotation; a version other than the one the form showed answers 409."""
    _own(annotation, actor)
    if expected_version != annotation.lock_version:
        raise AnnotationRefusedError(409, STALE_MESSAGE)
    annotation.body = body.strip()
    annotation.shared = shared
    _flush()
    _audit("dossier.annotation_updated", annotation, actor)
    return annotation


def delete_annotation(
    annotation: Annotation, *, actor: User, expected_version: int | None = None
) -> None:
    _own(annotation, actor)
    if expected_version is not None and expected_version != annotation.lock_version:
        raise AnnotationRefusedError(409, STALE_MESSAGE)
    _audit("dossier.annotation_deleted", annotation, actor)
    db.session.delete(annotation)
    _flush()


def _flush() -> None:
    try:
        db.session.flush()
    except StaleDataError as exc:  # changed by someone else since it was loaded
        raise AnnotationRefusedError(409, STALE_MESSAGE) from exc
