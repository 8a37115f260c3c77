"""Serve a stored file once access was checked: a presigned URL on S3, else the bytes."""

from __future__ import annotations

from io import BytesIO
from typing import Protocol

from flask import Response, abort, current_app, redirect, send_file

from grants.storage import StorageError


class StoredFile(Protocol):
    storage_key: str
    original_name: str
    content_type: str
    sha256: str


def send_stored(stored: StoredFile) -> Response:
    backend = current_app.extensions["grants_storage"]
    url = backend.download_url(stored.storage_key, stored.original_name)
    if url:
        return redirect(url)  # type: ignore[return-value]
    try:
        data = backend.get(stored.storage_key)
    except StorageError:
        abort(404)
    response = send_file(
        BytesIO(data),
        mimetype=stored.content_type,
        as_attachment=True,
        download_name=stored.original_name,
        etag=stored.sha256,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
