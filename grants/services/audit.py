"""Append events to the audit trail, chaining each to the previous one of its stream."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select

from grants.extensions import db
from grants.models import AuditEvent, User
from grants.models.base import utcnow

GENESIS = "0" * 64


def record(
    action: str,
    *,
    actor: User | None,
    dossier_id: int | None = None,
    stream: str | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction (the caller commits with its change). The
    event goes on ``stream``, by default the dossier's own (``dossier:<id>``)."""
    if stream is None:
        if dossier_id is None:
            raise ValueError("an audit event needs a stream or a dossier")
        stream = f"dossier:{dossier_id}"
    prev_hash = db.session.scalar(
        select(AuditEvent.hash)
        .where(AuditEvent.stream == stream)
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    event = AuditEvent(
        at=utcnow(),
        actor_id=actor.id if actor is not None else None,
        stream=stream,
        dossier_id=dossier_id,
        action=action,
        data=_jsonable(data or {}),
        prev_hash=prev_hash or GENESIS,
    )
    event.hash = _digest(event)
    db.session.add(event)
    return event


def verify_stream(stream: str) -> bool:
    """Walk a stream's chain; False if any row was altered, removed or reordered."""
    previous = GENESIS
    for event in db.session.scalars(
        select(AuditEvent).where(AuditEvent.stream == stream).order_by(AuditEvent.id)
    ):
        if event.prev_hash != previous or event.hash != _digest(event):
            return False
        previous = event.hash
    return True


def _digest(event: AuditEvent) -> str:
    body = json.dumps(
        [
            event.prev_hash,
            event.stream,
            event.action,
            event.actor_id,
            event.dossier_id,
            event.at.isoformat(),
            event.data,
        ],
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(body.encode()).hexdigest()


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))
