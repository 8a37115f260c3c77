"""Password reset by emailed token: signed, time-limited and single-use.

The token embeds a fingerprint of the current password hash, so it stops working as soon as the
password changes (no token table to keep).
"""

from __future__ import annotations

import hashlib

from flask import current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from grants import mail
from grants.extensions import db
from grants.models import User
from grants.services import audit
from grants.services.accounts import user_by_email
from grants.services.passwords import hash_password

MAX_AGE_SECONDS = 3600
_SALT = "grants-password-reset"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=_SALT)


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def make_token(user: User) -> str:
    return _serializer().dumps({"u": user.id, "f": _fingerprint(user)})


def request_reset(email: str) -> None:
    """Email a reset link if the account exists; say nothing either way (no account probing)."""
    user = user_by_email(email)
    if user is None or not user.active:
        return
    link = url_for("auth.reset_password", token=make_token(user), _external=True)
    mail.send_template(
        user.email,
        "Réinitialisation de votre mot de passe",
        "password_reset",
        user=user,
        link=link,
        hours=MAX_AGE_SECONDS // 3600,
    )
    audit.record("user.password_reset_requested", stream=f"user:{user.id}", actor=None)


def user_for_token(token: str) -> User | None:
    try:
        payload = _serializer().loads(token, max_age=MAX_AGE_SECONDS)
    except (SignatureExpired, BadSignature):
        return None
    user = db.session.get(User, payload.get("u"))
    if user is None or payload.get("f") != _fingerprint(user):
        return None
    return user


def reset_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    audit.record("user.password_reset", stream=f"user:{user.id}", actor=user)
