"""Colleague invitations: an owner invites an email address; the holder of the link joins.

Only the SHA-256 of the emailed token is stored, so a database leak gives no usable link. A link
works once and for ``VALIDITY`` after it was sent.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import url_for
from sqlalchemy import func, select

from grants import mail
from grants.extensions import db
from grants.models import Invitation, Membership, Organisation, User
from grants.models.base import utcnow
from grants.services import audit
from grants.services.accounts import normalise_email

VALIDITY = timedelta(days=14)


class InvitationError(ValueError):
    """A user-facing reason the invitation cannot be made (message is in French)."""


def hash_token(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode()).hexdigest()


def _stream(organisation_id: int) -> str:
    return f"organisation:{organisation_id}"


def is_member(organisation: Organisation, email: str) -> bool:
    return (
        db.session.scalar(
            select(Membership.id)
            .join(User, User.id == Membership.user_id)
            .where(
                Membership.organisation_id == organisation.id,
                func.lower(User.email) == normalise_email(email),
            )
        )
        is not None
    )


def invite_colleague(
    organisation: Organisation, *, actor: User, email: str
) -> tuple[Invitation, str]:
    """Create an invitation and return it with the raw token (to email, never to store)."""
    email = normalise_email(email)
    if is_member(organisation, email):
        raise InvitationError("Cette personne est déjà membre de l'organisation.")
    raw_token = secrets.token_urlsafe(32)
    now = utcnow()
    invitation = Invitation(
        organisation_id=organisation.id,
        email=email,
        token_hash=hash_token(raw_token),
        invited_by_id=actor.id,
        created_at=now,
        expires_at=now + VALIDITY,
    )
    db.session.add(invitation)
    db.session.flush()
    audit.record(
        "organisation.member_invited",
        stream=_stream(organisation.id),
        actor=actor,
        data={"invitation_id": invitation.id, "email": email},
    )
    return invitation, raw_token


def send_invitation_email(
    invitation: Invitation, raw_token: str, *, inviter: User, organisation: Organisation
) -> None:
    """Email the acceptance link (called by the view once the invitation is committed)."""
    mail.send_template(
        invitation.email,
        f"Invitation à rejoindre « {organisation.legal_name} »",
        "invitation",
        organisation=organisation,
        inviter=inviter,
        link=url_for("auth.accept_invitation", token=raw_token, _external=True),
        expires_at=invitation.expires_at,
    )


def valid_invitation(raw_token: str) -> Invitation | None:
    """The pending, unexpired invitation behind a token, or None (unknown, used or expired)."""
    if not raw_token or len(raw_token) > 200:
        return None
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == hash_token(raw_token))
    )
    if invitation is None or invitation.accepted_at is not None:
        return None
    if invitation.expires_at <= utcnow():
        return None
    return invitation


def accept_invitation(invitation: Invitation, *, user: User) -> Membership:
    """Make ``user`` a member of the invitation's organisation and use up the invitation."""
    if normalise_email(user.email) != invitation.email:
        raise InvitationError("Cette invitation est adressée à une autre adresse électronique.")
    invitation.accepted_at = utcnow()
    membership = db.session.scalar(
        select(Membership).where(
            Membership.user_id == user.id,
            Membership.organisation_id == invitation.organisation_id,
        )
    )
    if membership is None:
        membership = Membership(
            user_id=user.id, organisation_id=invitation.organisation_id, role="member"
        )
        db.session.add(membership)
    db.session.flush()
    audit.record(
        "organisation.member_joined",
        stream=_stream(invitation.organisation_id),
        actor=user,
        data={"invitation_id": invitation.id, "user_id": user.id},
    )
    return membership


def pending_invitations(organisation_id: int) -> list[Invitation]:
    return list(
        db.session.scalars(
            select(Invitation)
            .where(
                Invitation.organisation_id == organisation_id,
                Invitation.accepted_at.is_(None),
                Invitation.expires_at > utcnow(),
            )
            .order_by(Invitation.created_at.desc(), Invitation.id.desc())
        )
    )
