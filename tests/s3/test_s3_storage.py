"""S3Storage against a real moto server: objects, presigned URLs, and the HTTP piece routes."""

from __future__ import annotations

import hashlib
import io
import urllib.request
import uuid
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from sqlalchemy import select

from grants import create_app
from grants.extensions import db
from grants.models import Attachment
from grants.storage import S3Storage, StorageError
from tests import factories
from tests.conftest import CSRFClient, login, make_settings
from tests.pieces_support import PDF

pytestmark = pytest.mark.s3


def _fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()  # type: ignore[no-any-return]


def _disposition(url: str) -> str:
    return parse_qs(urlsplit(url).query)["response-content-disposition"][0]


def test_put_get_exists_delete(s3_storage):
    key = f"pieces/1/{uuid.uuid4().hex}"
    assert not s3_storage.exists(key)
    s3_storage.put(key, PDF, "application/pdf")
    assert s3_storage.exists(key)
    assert s3_storage.get(key) == PDF
    head = s3_storage.client.head_object(Bucket=s3_storage.bucket, Key=key)
    assert head["ContentType"] == "application/pdf"
    s3_storage.delete(key)
    assert not s3_storage.exists(key)
    with pytest.raises(StorageError):
        s3_storage.get(key)


def test_ensure_bucket_is_idempotent(s3_storage):
    s3_storage.ensure_bucket()
    assert s3_storage.client.head_bucket(Bucket=s3_storage.bucket)


def test_unsafe_keys_are_refused(s3_storage):
    with pytest.raises(StorageError):
        s3_storage.put("../escape", b"x", "text/plain")


def test_presigned_url_serves_the_bytes_as_an_attachment(s3_storage):
    key = f"pieces/2/{uuid.uuid4().hex}"
    s3_storage.put(key, PDF, "application/pdf")
    url = s3_storage.download_url(key, "Délibération du conseil.pdf")
    assert url is not None and url.startswith("http://127.0.0.1:")
    assert _fetch(url) == PDF
    # The server is asked to send the file as an attachment under its (encoded) original name;
    # moto ignores these overrides, S3 and S3-compatible servers apply them.
    assert (
        _disposition(url)
        == "attachment; filename*=UTF-8''D%C3%A9lib%C3%A9ration%20du%20conseil.pdf"
    )
    assert (
        S3Storage(s3_storage.bucket, s3_storage.client, presign=False).download_url(key, "x.pdf")
        is None
    )


@pytest.fixture
def s3_app(database_url, tmp_path, s3_endpoint, app) -> Iterator[Flask]:
    """A second app on the same migrated database (``app`` migrates it and opens the test's
    rolled-back transaction), storing pieces in a fresh moto bucket."""
    bucket = f"grants-http-{uuid.uuid4().hex[:12]}"
    settings = make_settings(
        database_url,
        tmp_path,
        storage_backend="s3",
        s3_endpoint_url=s3_endpoint,
        s3_access_key="test",
        s3_secret_key="test",
        s3_bucket=bucket,
    )
    application = create_app(settings)
    application.test_client_class = CSRFClient
    storage = application.extensions["grants_storage"]
    assert isinstance(storage, S3Storage)
    storage.ensure_bucket()
    yield application
    with application.app_context():
        db.engine.dispose()


def test_upload_and_download_through_the_routes(s3_app):
    """The S3 app shares the test's rolled-back connection (``db.session`` is swapped globally)."""
    storage = s3_app.extensions["grants_storage"]
    user = factories.UserFactory()
    membership = factories.MembershipFactory(user=user)
    dossier = factories.DossierFactory(organisation=membership.organisation, created_by=user)
    db.session.flush()
    client = s3_app.test_client()
    login(client, user.email)
    response = client.post(
        f"/espace/dossiers/{dossier.id}/pieces",
        data={"piece_code": "projet_sante", "file": (io.BytesIO(PDF), "Projet santé.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    attachment = db.session.scalar(select(Attachment).where(Attachment.dossier_id == dossier.id))
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert storage.get(attachment.storage_key) == PDF
    response = client.get(f"/espace/dossiers/{dossier.id}/pieces/{attachment.id}")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(storage.client.meta.endpoint_url)
    assert _fetch(location) == PDF
    assert _disposition(location).endswith("Projet%20sant%C3%A9.pdf")
