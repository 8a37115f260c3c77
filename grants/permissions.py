"""Who may see and change what. Deny by default: an object a user may not see answers 404."""

from __future__ import annotations

from collections.abc import Sequence

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm.interfaces import ORMOption

from grants.extensions import db
from grants.models import Dossier, Membership, Organisation, User


def organisation_ids(user: User) -> list[int]:
    return list(
        db.session.scalars(select(Membership.organisation_id).where(Membership.user_id == user.id))
    )


def membership_of(user: User, organisation_id: int) -> Membership | None:
    return db.session.scalar(
        select(Membership).where(
            Membership.user_id == user.id, Membership.organisation_id == organisation_id
        )
    )


def organisation_or_404(user: User, organisation_id: int, *, owner: bool = False) -> Organisation:
    membership = membership_of(user, organisation_id)
    if membership is None:
        abort(404)
    if owner and membership.role != "owner":
        abort(403)
    return membership.organisation


def dossier_or_404(user: User, dossier_id: int, options: Sequence[ORMOption] = ()) -> Dossier:
    """A promoter reaches only the dossiers of its own organisations; anything else is a 404.

    ``options`` (eager loads) let the access check and the page's loading be one query.
    """
    dossier = db.session.scalar(
        select(Dossier)
        .join(Membership, Membership.organisation_id == Dossier.organisation_id)
        .where(Dossier.id == dossier_id, Membership.user_id == user.id)
        .options(*options)
    )
    if dossier is None:
        abort(404)
    return dossier


def require_editable(dossier: Dossier) -> None:
    if not dossier.is_editable:
        abort(409)
