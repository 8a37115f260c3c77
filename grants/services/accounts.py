"""Accounts: registration and authentication."""

from __future__ import annotations

from sqlalchemy import func, select

from grants.extensions import db
from grants.models import User
from grants.models.base import utcnow
from grants.services import audit
from grants.services.passwords import DUMMY_HASH, hash_password, needs_rehash, verify_password


class AccountError(ValueError):
    """A user-facing problem with the account operation (message is in French)."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def register_user(*, email: str, full_name: str, password: str, role: str = "promoter") -> User:
    if user_by_email(email) is not None:
        raise AccountError("Un compte existe déjà avec cette adresse électronique.")
    user = User(
        email=normalise_email(email),
        full_name=full_name.strip(),
        password_hash=hash_password(password),
        role=role,
    )
    db.session.add(user)
    db.session.flush()
    audit.record("user.registered", stream=f"user:{user.id}", actor=user)
    return user


def authenticate(email: str, password: str) -> User | None:
    user = user_by_email(email)
    if user is None:
        verify_password(DUMMY_HASH, password)
        return None
    if not user.active or not verify_password(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user
