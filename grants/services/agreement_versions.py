"""Versions of an agreement's document: every edit and every amendment makes a new immutable
version (its data and the data's sha256); its PDF and DOCX are produced from that data after the
transaction commits (Celery ``grants.agreements.render_version``, or in-process with no broker)
and stored with their own hashes.

The version in force is the last one that is not an amendment still being signed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from grants import after_commit
from grants.extensions import db
from grants.models import Agreement, AgreementVersion, Amendment, CommitteeItem, User
from grants.services import agreement_data, audit, config_versions
from grants.services.agreement_terms import Terms

log = logging.getLogger("grants.agreements")

RENDER_TASK = "grants.agreements.render_version"
PENDING_KEY = "grants_agreement_render_pending"
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class StoredDocument:
    """What ``send_stored`` needs to serve a generated document."""

    storage_key: str
    original_name: str
    sha256: str
    content_type: str


def version_of(obj: Agreement | Amendment) -> AgreementVersion | None:
    """An amendment's own version, or the agreement's version in force."""
    if isinstance(obj, Amendment):
        return next((v for v in reversed(obj.agreement.versions) if v.amendment_id == obj.id), None)
    active = {a.id for a in obj.amendments if a.state == "active"}
    return next(
        (v for v in reversed(obj.versions) if v.amendment_id is None or v.amendment_id in active),
        None,
    )


def digest(data: dict[str, Any]) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def committee_item_of(agreement: Agreement) -> CommitteeItem | None:
    """The committee's opinion on the dossier: its last agenda item carrying one."""
    items = [i for i in agreement.dossier.committee_items if i.opinion is not None]
    return items[-1] if items else None


def document_data(
    agreement: Agreement,
    terms: Terms,
    number: int,
    amendment: dict[str, Any] | None = None,
) -> dict[str, Any]:
    from grants.services.decisions import decisions_of

    return agreement_data.build(
        agreement,
        terms,
        number=number,
        schedule_payload=config_versions.active("payment_schedule").payload,
        monitoring_payload=config_versions.active("monitoring_rules").payload,
        decisions=decisions_of(agreement.dossier_id),
        committee_item=committee_item_of(agreement),
        amendment=amendment,
    )


def new_version(
    agreement: Agreement,
    terms: Terms,
    *,
    actor: User | None,
    reason: str,
    amendment: Amendment | None = None,
) -> AgreementVersion:
    """Record the next version of ``agreement`` built from ``terms``; its documents are rendered
    once the transaction commits."""
    number = (max((v.number for v in agreement.versions), default=0)) + 1
    summary = amendment_summary(amendment) if amendment is not None else None
    data = document_data(agreement, terms, number, summary)
    version = AgreementVersion(
        agreement=agreement,
        number=number,
        reason=reason,
        amendment_id=amendment.id if amendment is not None else None,
        data=data,
        data_sha256=digest(data),
        created_by_id=actor.id if actor is not None else None,
    )
    db.session.add(version)
    db.session.flush()
    audit.record(
        "agreement.version",
        actor=actor,
        dossier_id=agreement.dossier_id,
        data={
            "agreement": agreement.id,
            "reference": agreement.reference,
            "version": number,
            "reason": reason,
            "amendment": amendment.id if amendment is not None else None,
            "data_sha256": version.data_sha256,
        },
    )
    schedule_render(version)
    return version


def amendment_summary(amendment: Amendment) -> dict[str, Any]:
    return {
        "number": amendment.number,
        "reason": amendment.reason,
        "changes": amendment.changes.get("changed", []),
    }


# --- documents ---------------------------------------------------------------------------------


def stored_documents(version: AgreementVersion) -> dict[str, StoredDocument]:
    """The version's generated files by format ("pdf", "docx"), once rendered."""
    reference = version.data.get("reference") or f"convention-{version.agreement_id}"
    stem = f"{reference}-v{version.number}"
    found = {}
    if version.pdf_key and version.pdf_sha256:
        found["pdf"] = StoredDocument(version.pdf_key, f"{stem}.pdf", version.pdf_sha256, PDF)
    if version.docx_key and version.docx_sha256:
        found["docx"] = StoredDocument(version.docx_key, f"{stem}.docx", version.docx_sha256, DOCX)
    return found


def store_documents(version: AgreementVersion) -> None:
    """Render the PDF and the DOCX from the version's data and store them with their hashes."""
    from grants.documents import cpom

    storage = current_app.extensions["grants_storage"]
    folder = f"agreements/{version.agreement_id}"
    pdf, docx = cpom.render_both(version.data)
    pdf_key = f"{folder}/{uuid.uuid4().hex}.pdf"
    storage.put(pdf_key, pdf, PDF)
    docx_key = f"{folder}/{uuid.uuid4().hex}.docx"
    storage.put(docx_key, docx, DOCX)
    version.pdf_key, version.pdf_sha256 = pdf_key, hashlib.sha256(pdf).hexdigest()
    version.docx_key, version.docx_sha256 = docx_key, hashlib.sha256(docx).hexdigest()


def render_version(version_id: int, session: Session | None = None) -> bool:
    """Idempotent: a version already rendered is left alone. True when documents were made."""
    session = session or db.session
    version = session.get(AgreementVersion, version_id)
    if version is None or version.pdf_key:
        return False
    store_documents(version)
    session.flush()
    return True


def versions_for_page(agreement_id: int) -> list[AgreementVersion]:
    return list(
        db.session.scalars(
            select(AgreementVersion)
            .where(AgreementVersion.agreement_id == agreement_id)
            .options(selectinload(AgreementVersion.created_by))
            .order_by(AgreementVersion.number)
        )
    )


# --- after commit ------------------------------------------------------------------------------


def schedule_render(version: AgreementVersion) -> None:
    after_commit.defer(PENDING_KEY, version.id)


def dispatch(version_ids: list[int]) -> None:
    """Publish each rendering to Celery, or render here when no broker is configured. A version
    whose rendering failed stays without documents: the page says so and offers to retry."""
    celery = current_app.extensions.get("celery")
    for version_id in dict.fromkeys(version_ids):
        try:
            if celery is not None:
                celery.send_task(RENDER_TASK, args=[version_id])
            else:
                _run_in_process(version_id)
        except Exception:
            log.exception("agreement version %s could not be rendered", version_id)


def _run_in_process(version_id: int) -> None:
    with after_commit.own_session() as session:
        render_version(version_id, session)
        session.commit()


after_commit.register(PENDING_KEY, dispatch)
