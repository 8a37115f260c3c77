"""Downloads of an agreement's generated documents (each version's PDF and DOCX), of the signed
copies, and the staff's request to generate a version's documents again."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, redirect, url_for

from grants.extensions import db
from grants.services import agreement_versions
from grants.views.agreements import bp
from grants.views.agreements.detail import visible_versions
from grants.views.agreements.helpers import STAFF, amendment_or_404, load
from grants.views.downloads import send_stored


@dataclass(frozen=True)
class SignedCopy:
    storage_key: str
    original_name: str
    sha256: str
    content_type: str = "application/pdf"


@bp.get("/<int:agreement_id>/versions/<int:number>/document.<fmt>")
def download(agreement_id: int, number: int, fmt: str):  # type: ignore[no-untyped-def]
    agreement, audience = load(agreement_id)
    version = next((v for v in visible_versions(agreement, audience) if v.number == number), None)
    stored = agreement_versions.stored_documents(version).get(fmt) if version else None
    if stored is None:
        abort(404)
    return send_stored(stored)


@bp.get("/<int:agreement_id>/copie-signee.pdf")
def signed_copy(agreement_id: int):  # type: ignore[no-untyped-def]
    agreement, _audience = load(agreement_id)
    if not agreement.signed_copy_key:
        abort(404)
    return send_stored(
        SignedCopy(
            agreement.signed_copy_key,
            f"{agreement.reference}-signe.pdf",
            agreement.signed_copy_sha256 or agreement.signed_copy_key,
        )
    )


@bp.get("/<int:agreement_id>/avenants/<int:amendment_id>/copie-signee.pdf")
def amendment_signed_copy(agreement_id: int, amendment_id: int):  # type: ignore[no-untyped-def]
    agreement, _audience = load(agreement_id)
    amendment = amendment_or_404(agreement, amendment_id)
    if not amendment.signed_copy_key:
        abort(404)
    name = f"{agreement.reference}-avenant-{amendment.number}-signe.pdf"
    return send_stored(SignedCopy(amendment.signed_copy_key, name, amendment.signed_copy_key))


@bp.post("/<int:agreement_id>/versions/<int:number>/generer")
def regenerate(agreement_id: int, number: int):  # type: ignore[no-untyped-def]
    """Generate a version's documents again when their generation failed (staff only)."""
    agreement, audience = load(agreement_id)
    version = next((v for v in agreement.versions if v.number == number), None)
    if audience != STAFF or version is None:
        abort(404)
    if not version.pdf_key:
        agreement_versions.schedule_render(version)
        db.session.commit()
        flash("La génération des documents est relancée.", "success")
    return redirect(url_for("agreements.detail", agreement_id=agreement.id) + "#versions")
