"""Store and remove piece files: size cap, type sniffed from the bytes, UUID keys, audit events.

The browser's file name and content type are never trusted: the type comes from the content
(``filetype``, then the inner manifest of zip-based office documents) checked against an allowlist.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

import filetype

from grants.extensions import db
from grants.models import Attachment, Dossier, Financer, User
from grants.models.base import utcnow
from grants.services import audit
from grants.storage import Storage

# Accepted content types and the extensions a download may carry.
ALLOWED_TYPES: dict[str, tuple[str, ...]] = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "application/vnd.oasis.opendocument.text": (".odt",),
    "application/vnd.oasis.opendocument.spreadsheet": (".ods",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
}
ALLOWED_LABEL = "PDF, PNG, JPEG, ODT, ODS, DOCX ou XLSX"
# Main part content types of Office Open XML documents, as declared in [Content_Types].xml.
_OOXML_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ),
}
_MANIFEST_LIMIT = 256 * 1024
MAX_NAME_LENGTH = 200


class UploadRejectedError(ValueError):
    """The file cannot be accepted; ``message`` is shown to the promoter, ``status`` returned."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Upload:
    """What the request brought: the browser's file name and the stream to read."""

    filename: str
    stream: BinaryIO


def sanitise_filename(name: str) -> str:
    """Keep letters (accents included), digits, dot, dash, underscore and spaces; drop the rest.

    'C:\\Users\\élodie\\Statuts signés (v2).pdf' → 'Statuts signés v2.pdf'.
    """
    base = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(c for c in base if c.isalnum() or c in ".-_ ")
    cleaned = " ".join(kept.split()).lstrip(". -")
    if len(cleaned) > MAX_NAME_LENGTH:
        stem, dot, ext = cleaned.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            cleaned = stem[: MAX_NAME_LENGTH - len(ext) - 1].rstrip() + "." + ext
        else:
            cleaned = cleaned[:MAX_NAME_LENGTH]
    return cleaned or "piece"


def sniff_content_type(data: bytes) -> str | None:
    """The allowlisted content type the bytes really are, or None."""
    kind = filetype.guess(data)
    if kind is None:
        return None
    if kind.mime in ALLOWED_TYPES:
        return str(kind.mime)
    if kind.mime == "application/zip":
        return _office_type_of_zip(data)
    return None


def _office_type_of_zip(data: bytes) -> str | None:
    """Recognise ODF (``mimetype`` member) and OOXML (``[Content_Types].xml``) documents."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        if "mimetype" in names:
            with archive.open("mimetype") as member:
                declared = member.read(200).decode("ascii", "replace").strip()
            return declared if declared in ALLOWED_TYPES else None
        if "[Content_Types].xml" in names:
            with archive.open("[Content_Types].xml") as member:
                manifest = member.read(_MANIFEST_LIMIT).decode("utf-8", "replace")
            for main_part, content_type in _OOXML_MAIN_PARTS.items():
                if main_part in manifest:
                    return content_type
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, ValueError):
        return None
    return None


def _download_name(name: str, content_type: str) -> str:
    """The sanitised name, with the real type's extension when the given one does not match."""
    extensions = ALLOWED_TYPES[content_type]
    if name.lower().endswith(extensions):
        return name
    return (name[: MAX_NAME_LENGTH - len(extensions[0])] + extensions[0]).lstrip(". ")


def read_limited(upload: Upload, max_bytes: int) -> bytes:
    """The file's bytes; refused when empty or over the cap (reads at most one byte more)."""
    data = upload.stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        limit_mb = max_bytes // (1024 * 1024)
        raise UploadRejectedError(
            f"Le fichier dépasse la taille maximale autorisée ({limit_mb} Mo). "
            "Réduisez-le (PDF compressé, numérisation en 150 dpi) puis recommencez.",
            status=413,
        )
    if not data:
        raise UploadRejectedError(
            "Le fichier est vide : choisissez un fichier qui contient le document."
        )
    return data


def store_piece(
    dossier: Dossier,
    *,
    actor: User,
    piece_code: str,
    financer: Financer | None,
    upload: Upload,
    storage: Storage,
    max_bytes: int,
) -> Attachment:
    """Check the file, write it under a fresh UUID key, record the attachment and the event."""
    data = read_limited(upload, max_bytes)
    content_type = sniff_content_type(data)
    if content_type is None:
        raise UploadRejectedError(
            "Ce type de fichier n'est pas accepté (le contenu du fichier a été vérifié, "
            f"pas seulement son nom). Formats acceptés : {ALLOWED_LABEL}."
        )
    key = f"pieces/{dossier.id}/{uuid.uuid4().hex}"
    storage.put(key, data, content_type)
    attachment = Attachment(
        dossier=dossier,
        piece_code=piece_code,
        financer_id=financer.id if financer is not None else None,
        storage_key=key,
        original_name=_download_name(sanitise_filename(upload.filename), content_type),
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        status="uploaded",
        uploaded_by=actor,
    )
    db.session.add(attachment)
    db.session.flush()
    audit.record(
        "dossier.piece_uploaded",
        actor=actor,
        dossier_id=dossier.id,
        data={
            "attachment_id": attachment.id,
            "piece_code": piece_code,
            "financer_id": attachment.financer_id,
            "size": attachment.size,
            "content_type": content_type,
            "sha256": attachment.sha256,
        },
    )
    return attachment


def remove_piece(dossier: Dossier, attachment: Attachment, *, actor: User) -> None:
    """Withdraw a piece: the row and the stored object stay, for the audit trail."""
    if attachment.removed_at is not None:
        return
    attachment.removed_at = utcnow()
    db.session.flush()
    audit.record(
        "dossier.piece_removed",
        actor=actor,
        dossier_id=dossier.id,
        data={"attachment_id": attachment.id, "piece_code": attachment.piece_code},
    )
