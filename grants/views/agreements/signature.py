"""The promoter's signature of an agreement or an amendment: download the document, then either
upload the signed copy (PDF) or sign in the product with a typed name and a confirmation; the
time and the IP address are recorded with the signature."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from grants.extensions import db
from grants.forms.agreements import SignatureForm
from grants.models import Agreement, Amendment
from grants.services import agreement_versions
from grants.services.agreement_signature import precheck
from grants.services.agreement_signature import sign as sign_service
from grants.services.uploads import Upload, UploadRejectedError
from grants.views.agreements import bp
from grants.views.agreements.helpers import amendment_or_404, load, max_upload_bytes, refused
from grants.workflow.engine import TransitionError


@bp.route("/<int:agreement_id>/signature", methods=["GET", "POST"])
def sign(agreement_id: int):  # type: ignore[no-untyped-def]
    agreement, _audience = load(agreement_id)
    return _sign(agreement, agreement)


@bp.route("/<int:agreement_id>/avenants/<int:amendment_id>/signature", methods=["GET", "POST"])
def sign_amendment(agreement_id: int, amendment_id: int):  # type: ignore[no-untyped-def]
    agreement, _audience = load(agreement_id)
    return _sign(agreement, amendment_or_404(agreement, amendment_id))


def _sign(agreement: Agreement, obj: Agreement | Amendment):  # type: ignore[no-untyped-def]
    try:
        precheck(obj, "sign", current_user, None)
    except TransitionError as error:
        return refused(agreement, error)
    version = getattr(obj, "lock_version", None)
    form = SignatureForm(
        data={"lock_version": str(version or ""), "typed_name": current_user.full_name}
    )
    if form.is_submitted():
        form = SignatureForm()
    if not form.validate_on_submit():
        return _page(agreement, obj, form, 422 if form.is_submitted() else 200)
    upload = None
    file = request.files.get(form.signed_copy.name)
    if form.method.data == "upload" and file is not None and file.filename:
        upload = Upload(filename=file.filename, stream=file.stream)
    expected = int(form.lock_version.data) if (form.lock_version.data or "").isdigit() else None
    try:
        sign_service(
            obj,
            current_user,
            method=form.method.data or "",
            typed_name=form.typed_name.data or "",
            confirmed=bool(form.confirm.data),
            upload=upload,
            ip=request.remote_addr,
            storage=current_app.extensions["grants_storage"],
            max_bytes=max_upload_bytes(),
            expected_version=expected,
        )
    except UploadRejectedError as error:
        db.session.rollback()
        form.signed_copy.errors = [error.message]
        return _page(agreement, obj, form, error.status)
    except TransitionError as error:
        if error.status != 422 or not error.reasons:
            return refused(agreement, error)
        db.session.rollback()
        return _page(agreement, obj, form, 422, error.reasons)
    db.session.commit()
    flash("Votre signature est enregistrée : le financeur va contre-signer.", "success")
    return redirect(url_for("agreements.detail", agreement_id=agreement.id))


def _page(
    agreement: Agreement, obj: Agreement | Amendment, form: SignatureForm, status: int, reasons=()
):  # type: ignore[no-untyped-def]
    agreement, _audience = load(agreement.id)
    amendment = obj if isinstance(obj, Amendment) else None
    if amendment is not None:
        amendment = next(a for a in agreement.amendments if a.id == amendment.id)
    version = agreement_versions.version_of(amendment or agreement)
    return render_template(
        "agreements/sign.html",
        agreement=agreement,
        amendment=amendment,
        dossier=agreement.dossier,
        form=form,
        version=version,
        documents=agreement_versions.stored_documents(version) if version else {},
        reasons=list(reasons),
    ), status
