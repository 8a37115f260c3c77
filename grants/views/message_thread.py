"""What the promoter's and the instructors' message pages share: posting and downloading."""

from __future__ import annotations

from io import BytesIO

from flask import Response, abort, current_app, redirect, send_file
from flask_login import current_user

from grants.extensions import db
from grants.forms.messages import MessageForm
from grants.models import Dossier
from grants.services import messages as service
from grants.services import uploads
from grants.storage import Storage, StorageError


def storage() -> Storage:
    return current_app.extensions["grants_storage"]  # type: ignore[no-any-return]


def max_upload_mb() -> int:
    return int(current_app.extensions["grants_settings"].max_upload_mb)


def post(dossier: Dossier, form: MessageForm, side: service.Side) -> int | None:
    """Validate and post; None once committed, else the status to answer (errors on the form)."""
    if not form.validate_on_submit():
        return 422
    files = [uploads.Upload(f.filename or "", f.stream) for f in form.uploaded_files()]
    try:
        service.post_message(
            dossier,
            author=current_user,
            side=side,
            body=form.body.data or "",
            uploads=files,
            storage=storage(),
            max_bytes=max_upload_mb() * 1024 * 1024,
        )
    except uploads.UploadRejectedError as exc:  # refused before anything was written
        form.files.errors = [*form.files.errors, exc.message]
        return exc.status
    db.session.commit()
    return None


def download(dossier: Dossier, attachment_id: int) -> Response:
    """Stream (or redirect to a presigned URL for) an attachment of this dossier's thread."""
    attachment = service.attachment_of(dossier, attachment_id)
    if attachment is None:
        abort(404)
    backend = storage()
    url = backend.download_url(attachment.storage_key, attachment.original_name)
    if url:
        return redirect(url)  # type: ignore[return-value]
    try:
        data = backend.get(attachment.storage_key)
    except StorageError:
        abort(404)
    response = send_file(
        BytesIO(data),
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=attachment.original_name,
        etag=attachment.sha256,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
