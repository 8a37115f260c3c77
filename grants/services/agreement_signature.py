"""Signatures of an agreement or an amendment: the promoter's owner uploads the signed copy (a
PDF, checked like any upload) or signs in the product with a typed name and a confirmation
(recorded with the time and the IP address), then the financer's decider countersigns.

The engine checks the role and the state before anything is stored, then fires the transition
with the signature as its data. Never commits."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from grants.models import Agreement, Amendment, User
from grants.services.uploads import Upload, UploadRejectedError, read_limited, sniff_content_type
from grants.storage import Storage
from grants.workflow import engine
from grants.workflow.engine import NOT_AVAILABLE_MESSAGE, STALE_MESSAGE, TransitionError

PDF = "application/pdf"
NOT_PDF = (
    "La copie signée doit être un fichier PDF (le contenu du fichier a été vérifié, pas "
    "seulement son nom). Numérisez le document signé en PDF puis recommencez."
)


def precheck(
    obj: Agreement | Amendment, event: str, actor: User, expected_version: int | None
) -> None:
    """403/409/422 for the role and the state, before the form's content is judged."""
    transition = engine.transition(obj, event)
    stale = expected_version is not None and expected_version != getattr(obj, "lock_version", None)
    if obj.state not in transition.sources:
        raise TransitionError(
            409 if stale else 422, STALE_MESSAGE if stale else NOT_AVAILABLE_MESSAGE
        )
    if not engine.actor_roles(obj, actor) & transition.roles:
        raise TransitionError(403, transition.forbidden_message)
    if stale:
        raise TransitionError(409, STALE_MESSAGE)


def store_signed_copy(
    obj: Agreement | Amendment, upload: Upload, storage: Storage, max_bytes: int
) -> dict[str, Any]:
    data = read_limited(upload, max_bytes)
    if sniff_content_type(data) != PDF:
        raise UploadRejectedError(NOT_PDF)
    agreement = obj.agreement if isinstance(obj, Amendment) else obj
    key = f"agreements/{agreement.id}/signed/{uuid.uuid4().hex}.pdf"
    storage.put(key, data, PDF)
    return {"storage_key": key, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def sign(
    obj: Agreement | Amendment,
    actor: User,
    *,
    method: str,
    typed_name: str = "",
    confirmed: bool = False,
    upload: Upload | None = None,
    ip: str | None,
    storage: Storage,
    max_bytes: int,
    expected_version: int | None = None,
) -> Agreement | Amendment:
    """The promoter's signature. Raises TransitionError or UploadRejectedError."""
    precheck(obj, "sign", actor, expected_version)
    signature: dict[str, Any] = {"method": method, "ip": ip}
    if method == "typed":
        signature.update(name=typed_name.strip(), confirmed=confirmed is True)
    elif method == "upload" and upload is not None:
        signature.update(store_signed_copy(obj, upload, storage, max_bytes))
    engine.fire(
        obj, "sign", actor, data={"signature": signature}, expected_version=expected_version
    )
    return obj


def countersign(
    obj: Agreement | Amendment, actor: User, expected_version: int | None = None
) -> Agreement | Amendment:
    engine.fire(obj, "countersign", actor, expected_version=expected_version)
    return obj
