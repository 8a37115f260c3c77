"""Where uploaded files live: a ``Storage`` protocol with local-disk and S3 implementations."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any, Protocol

from grants.settings import Settings


class StorageError(RuntimeError):
    """The backend could not store or return an object."""


class Storage(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def get(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None: ...

    def exists(self, key: str) -> bool: ...

    def download_url(self, key: str, filename: str, expires: int = 300) -> str | None:
        """A URL the browser may fetch directly, or None to stream through the app."""
        ...


# Keys are relative paths of plain segments: no empty, hidden, "." or ".." parts, no backslash.
_KEY_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*(/[A-Za-z0-9_][A-Za-z0-9._-]*)*")


def _safe_key(key: str) -> str:
    if not key or len(key) > 200 or not _KEY_RE.fullmatch(key):
        raise StorageError(f"invalid storage key: {key!r}")
    return key


class LocalStorage:
    """Files under a root directory; writes are atomic (temporary file, then rename)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.root / _safe_key(key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as exc:
            raise StorageError(f"no object {key!r}") from exc

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def download_url(self, key: str, filename: str, expires: int = 300) -> str | None:
        return None


class S3Storage:
    """Any S3-compatible server through boto3; downloads use short-lived presigned URLs."""

    def __init__(self, bucket: str, client: Any, *, presign: bool = True) -> None:
        self.bucket = bucket
        self.client = client
        self.presign = presign

    @classmethod
    def from_settings(cls, settings: Settings) -> S3Storage:
        import boto3

        client = boto3.client(
            "s3",
            endpoint_url=settings.s3_endpoint_url or None,
            region_name=settings.s3_region,
            aws_access_key_id=settings.s3_access_key or None,
            aws_secret_access_key=settings.s3_secret_key or None,
        )
        return cls(settings.s3_bucket, client)

    def ensure_bucket(self) -> None:
        from botocore.exceptions import ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError:
            region = self.client.meta.region_name
            config = {"LocationConstraint": region} if region and region != "us-east-1" else None
            kwargs: dict[str, Any] = {"Bucket": self.bucket}
            if config:
                kwargs["CreateBucketConfiguration"] = config
            self.client.create_bucket(**kwargs)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(
            Bucket=self.bucket, Key=_safe_key(key), Body=data, ContentType=content_type
        )

    def get(self, key: str) -> bytes:
        from botocore.exceptions import ClientError

        try:
            response = self.client.get_object(Bucket=self.bucket, Key=_safe_key(key))
        except ClientError as exc:
            raise StorageError(f"no object {key!r}") from exc
        return response["Body"].read()

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=_safe_key(key))

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=_safe_key(key))
        except ClientError:
            return False
        return True

    def download_url(self, key: str, filename: str, expires: int = 300) -> str | None:
        if not self.presign:
            return None
        disposition = f"attachment; filename*=UTF-8''{_quote(filename)}"
        return self.client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": _safe_key(key),
                "ResponseContentDisposition": disposition,
            },
            ExpiresIn=expires,
        )


def _quote(filename: str) -> str:
    from urllib.parse import quote

    return quote(filename, safe="")


def storage_from_settings(settings: Settings) -> Storage:
    if settings.storage_backend == "s3":
        return S3Storage.from_settings(settings)
    if settings.storage_backend != "local":
        raise ValueError(f"unknown storage backend {settings.storage_backend!r}")
    return LocalStorage(settings.storage_path)
