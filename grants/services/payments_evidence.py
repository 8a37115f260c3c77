"""The evidence a tranche requires: labels from the schedule configuration, pieces the product
already holds (the countersigned agreement, a validated annual report) and the files the
promoter uploads, checked like every piece (size cap, type sniffed from the bytes)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from grants.extensions import db
from grants.models import Agreement, PaymentTranche
from grants.models.monitoring import ReportingPeriod
from grants.services import config_versions
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
from grants.templating import french_date


@dataclass(frozen=True)
class Evidence:
    code: str
    label: str
    held: str | None  # why the product already holds it (None: the promoter uploads it)


@dataclass(frozen=True)
class StoredEvidence:
    """A stored evidence file, in the shape ``views.downloads.send_stored`` serves."""

    storage_key: str
    original_name: str
    content_type: str
    sha256: str


def labels() -> dict[str, str]:
    return dict(config_versions.active("payment_schedule").payload.get("evidence_labels") or {})


def required(tranche: PaymentTranche, agreement: Agreement) -> list[Evidence]:
    names = labels()
    return [
        Evidence(code, names.get(code, code), _held(code, agreement)) for code in tranche.evidence
    ]


def _held(code: str, agreement: Agreement) -> str | None:
    if code == "agreement_signed" and agreement.countersigned_at is not None:
        return f"{agreement.kind_label} contresigné le {french_date(agreement.countersigned_at)}"
    if code == "first_annual_report":
        period = db.session.scalar(
            select(ReportingPeriod)
            .where(
                ReportingPeriod.agreement_id == agreement.id,
                ReportingPeriod.kind == "annual",
                ReportingPeriod.state == "validated",
            )
            .order_by(ReportingPeriod.starts_on)
            .limit(1)
        )
        if period is not None:
            return f"Rapport annuel {period.label} validé"
    return None


def check_files(
    needed: list[Evidence], files: Mapping[str, Upload], max_bytes: int
) -> tuple[dict[str, tuple[bytes, str, str]], list[tuple[str, str]]]:
    """Read and check every needed file first (nothing is stored if one is refused):
    ({code: (bytes, content type, name)}, [(field, French error)])."""
    checked: dict[str, tuple[bytes, str, str]] = {}
    errors: list[tuple[str, str]] = []
    for item in needed:
        if item.held is not None:
            continue
        upload = files.get(item.code)
        if upload is None or not upload.filename:
            errors.append((f"evidence-{item.code}", f"Joignez la pièce « {item.label} »."))
            continue
        try:
            data = read_limited(upload, max_bytes)
        except UploadRejectedError as refused:
            errors.append((f"evidence-{item.code}", f"« {item.label} » : {refused.message}"))
            continue
        content_type = sniff_content_type(data)
        if content_type is None:
            errors.append(
                (
                    f"evidence-{item.code}",
                    f"« {item.label} » : ce type de fichier n'est pas accepté (le contenu du "
                    f"fichier a été vérifié). Formats acceptés : {ALLOWED_LABEL}.",
                )
            )
            continue
        name = _download_name(sanitise_filename(upload.filename), content_type)
        checked[item.code] = (data, content_type, name)
    return checked, errors


def store(
    agreement: Agreement,
    needed: list[Evidence],
    checked: Mapping[str, tuple[bytes, str, str]],
    storage: Storage,
) -> list[dict[str, Any]]:
    """Write the checked files under fresh UUID keys; the JSON kept on the request."""
    entries: list[dict[str, Any]] = []
    for item in needed:
        if item.held is not None:
            entries.append({"code": item.code, "held": item.held})
            continue
        data, content_type, name = checked[item.code]
        key = f"payments/{agreement.id}/{uuid.uuid4().hex}"
        storage.put(key, data, content_type)
        entries.append(
            {
                "code": item.code,
                "storage_key": key,
                "name": name,
                "content_type": content_type,
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
            }
        )
    return entries


def stored_file(entry: Mapping[str, Any]) -> StoredEvidence | None:
    if not entry.get("storage_key"):
        return None
    return StoredEvidence(
        storage_key=str(entry["storage_key"]),
        original_name=str(entry.get("name") or "piece"),
        content_type=str(entry.get("content_type") or "application/octet-stream"),
        sha256=str(entry.get("sha256") or ""),
    )
