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


NOT_EDITABLE_MESSAGE = (
    "Ce dossier a été déposé : il n'est plus modifiable. Pour signaler un changement, "
    "écrivez aux instructeurs depuis la messagerie du dossier."
)
NOT_FLAGGED_MESSAGE = (
    "Ce dossier attend votre réponse à une demande de pièces ou de précisions : seules les "
    "rubriques et les pièces demandées par les instructeurs peuvent être modifiées. "
    "Celle-ci n'en fait pas partie."
)


def may_edit(
    dossier: Dossier, *, section: str | None = None, piece_code: str | None = None
) -> bool:
    """A draft is editable everywhere; a dossier awaiting documents only on the flagged items."""
    if dossier.is_editable:
        return True
    flagged = dossier.flagged_items
    return (section is not None and section in flagged["section"]) or (
        piece_code is not None and piece_code in flagged["piece"]
    )


def require_editable(
    dossier: Dossier, *, section: str | None = None, piece_code: str | None = None
) -> None:
    """409, with a French explanation, unless the promoter may change this part of the dossier."""
    if may_edit(dossier, section=section, piece_code=piece_code):
        return
    from flask import make_response, render_template

    message = NOT_FLAGGED_MESSAGE if dossier.state == "awaiting_documents" else NOT_EDITABLE_MESSAGE
    page = render_template("error.html", code=409, title="Modification impossible", message=message)
    abort(make_response(page, 409))


# --- Instructors -------------------------------------------------------------------------------
# An instructor sees exactly the filed dossiers that target one of the financers they act for,
# and, for a délégation départementale, only those of its département. Anything else is a 404.

STAFF_ROLES = frozenset(
    {
        "dd_instructor",
        "ars_instructor",
        "ars_decider",
        "financer_instructor",
        "financer_decider",
        "committee_secretary",
        "committee_member",
        "monitor",
    }
)


def financer_ids(user: User) -> set[int]:
    return {financer.id for financer in user.financers}


def staff_can_see(user: User, dossier: Dossier) -> bool:
    if user.role not in STAFF_ROLES or dossier.state == "draft":
        return False
    if user.role == "dd_instructor" and dossier.departement_code != user.departement_code:
        return False
    return bool(financer_ids(user) & {financer.id for financer in dossier.financers})


def staff_dossier_filter(user: User):  # type: ignore[no-untyped-def]
    """The WHERE clause of the dossiers ``user`` may see (for lists and counts)."""
    from sqlalchemy import and_, false

    from grants.models import DossierFinancer

    ids = financer_ids(user)
    if user.role not in STAFF_ROLES or not ids:
        return false()
    clauses = [
        Dossier.state != "draft",
        select(DossierFinancer.dossier_id)
        .where(DossierFinancer.dossier_id == Dossier.id, DossierFinancer.financer_id.in_(ids))
        .exists(),
    ]
    if user.role == "dd_instructor":
        clauses.append(Dossier.departement_code == user.departement_code)
    return and_(*clauses)


def staff_dossier_or_404(user: User, dossier_id: int, options: Sequence[ORMOption] = ()) -> Dossier:
    dossier = db.session.scalar(
        select(Dossier)
        .where(Dossier.id == dossier_id, staff_dossier_filter(user))
        .options(*options)
    )
    if dossier is None:
        abort(404)
    return dossier


def require_staff(user: User) -> None:
    if user.role not in STAFF_ROLES:
        abort(404)
