"""What the promoter's and the instructors' message pages share: posting and downloading."""

from __future__ import annotations

from flask import Response, abort, current_app
from flask_login import current_user

from grants.extensions import db
from grants.forms.messages import MessageForm
from grants.models import Dossier
from grants.services import messages as service
from grants.services import uploads
from grants.storage import Storage
from grants.views.downloads import send_stored


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
    return send_stored(attachment)
