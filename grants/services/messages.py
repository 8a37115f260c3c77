"""The message thread of a dossier between the promoter's members and the staff who see it.

Attachments go through the same checks as pieces (size cap, type sniffed from the bytes) and are
stored under UUID keys. Posting audits the message and notifies the other side through the
outbox, all in the caller's transaction.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from grants.extensions import db
from grants.links import absolute_url
from grants.models import Dossier, Message, MessageAttachment, User
from grants.notifications.outbox import enqueue, promoter_members, staff_of
from grants.services import audit
from grants.services.uploads import (
    ALLOWED_LABEL,
    Upload,
    UploadRejectedError,
    _download_name,
    read_limited,
    sanitise_filename,
    sniff_content_type,
)
from grants.storage import Storage

Side = Literal["promoter", "staff"]
MAX_ATTACHMENTS = 5
EXCERPT_LENGTH = 300


def thread(dossier: Dossier) -> list[Message]:
    """Every message of the dossier, oldest first, with authors and attachments (two queries)."""
    return list(
        db.session.scalars(
            select(Message)
            .where(Message.dossier_id == dossier.id)
            .options(selectinload(Message.attachments))
            .order_by(Message.created_at, Message.id)
        )
    )


def attachment_of(dossier: Dossier, attachment_id: int) -> MessageAttachment | None:
    return db.session.scalar(
        select(MessageAttachment)
        .join(Message, Message.id == MessageAttachment.message_id)
        .where(MessageAttachment.id == attachment_id, Message.dossier_id == dossier.id)
    )


def _checked(upload: Upload, max_bytes: int) -> tuple[bytes, str, str]:
    """(bytes, sniffed content type, download name) or UploadRejectedError."""
    data = read_limited(upload, max_bytes)
    content_type = sniff_content_type(data)
    if content_type is None:
        raise UploadRejectedError(
            f"« {sanitise_filename(upload.filename)} » : ce type de fichier n'est pas accepté "
            f"(le contenu du fichier a été vérifié). Formats acceptés : {ALLOWED_LABEL}."
        )
    return data, content_type, _download_name(sanitise_filename(upload.filename), content_type)


def post_message(
    dossier: Dossier,
    *,
    author: User,
    side: Side,
    body: str,
    uploads: Sequence[Upload],
    storage: Storage,
    max_bytes: int,
) -> Message:
    """Check every file first (nothing is stored if one is refused), then write and notify."""
    if len(uploads) > MAX_ATTACHMENTS:
        raise UploadRejectedError(f"{MAX_ATTACHMENTS} pièces jointes au maximum par message.")
    checked = [_checked(upload, max_bytes) for upload in uploads]
    message = Message(dossier_id=dossier.id, author=author, body=body.strip())
    db.session.add(message)
    for data, content_type, name in checked:
        key = f"messages/{dossier.id}/{uuid.uuid4().hex}"
        storage.put(key, data, content_type)
        message.attachments.append(
            MessageAttachment(
                storage_key=key,
                original_name=name,
                content_type=content_type,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
            )
        )
    db.session.flush()
    audit.record(
        "dossier.message_posted",
        actor=author,
        dossier_id=dossier.id,
        data={
            "message_id": message.id,
            "side": side,
            "length": len(message.body),
            "attachments": [{"id": a.id, "sha256": a.sha256} for a in message.attachments],
        },
    )
    _notify(dossier, message, side)
    return message


def _notify(dossier: Dossier, message: Message, side: Side) -> None:
    """The promoter's members when staff write; the staff of the dossier when the promoter does."""
    if side == "promoter":
        recipients, audience, endpoint = staff_of(dossier), "staff", "instruction.messages"
    else:
        recipients, audience, endpoint = promoter_members(dossier), "promoter", "promoter.messages"
    excerpt = message.body[:EXCERPT_LENGTH] + ("…" if len(message.body) > EXCERPT_LENGTH else "")
    reference = dossier.reference or dossier.title
    enqueue(
        event_key=f"message:{message.id}",
        event="dossier.message_posted",
        recipients=[u for u in recipients if u.id != message.author_id],
        template="message",
        subject=f"Nouveau message — {reference}"[:200],
        context={
            "audience": audience,
            "event_label": "Nouveau message",
            "dossier_title": dossier.title,
            "reference": dossier.reference or "",
            "link": absolute_url(endpoint, dossier_id=dossier.id),
            "actor": message.author.full_name,
            "message": excerpt,
            "attachments": [a.original_name for a in message.attachments],
            "due_on": "",
            "items": [],
        },
        dossier=dossier,
    )
