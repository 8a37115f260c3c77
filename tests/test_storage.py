"""LocalStorage: atomic writes, reads, deletes and refusal of unsafe keys."""

from __future__ import annotations

import pytest

from grants.storage import LocalStorage, StorageError, storage_from_settings
from tests.conftest import make_settings


def test_put_get_exists_delete(tmp_path):
    storage = LocalStorage(tmp_path / "uploads")
    storage.put("pieces/1/abc", b"contenu", "application/pdf")
    assert storage.exists("pieces/1/abc")
    assert storage.get("pieces/1/abc") == b"contenu"
    storage.put("pieces/1/abc", b"nouveau", "application/pdf")
    assert storage.get("pieces/1/abc") == b"nouveau"
    assert [p.name for p in (tmp_path / "uploads" / "pieces" / "1").iterdir()] == ["abc"]
    storage.delete("pieces/1/abc")
    assert not storage.exists("pieces/1/abc")
    storage.delete("pieces/1/abc")  # deleting twice is harmless


def test_missing_object_raises_storage_error(tmp_path):
    storage = LocalStorage(tmp_path)
    with pytest.raises(StorageError):
        storage.get("pieces/nope")
    assert storage.download_url("pieces/nope", "x.pdf") is None


@pytest.mark.parametrize(
    "key",
    [
        "",
        "/etc/passwd",
        "../outside",
        "pieces/../../outside",
        "a/./../b",
        "a\\..\\b",
        "a//b",
        "pièces/1",
        "a/.hidden",
        "x" * 201,
    ],
)
def test_unsafe_keys_are_refused(tmp_path, key):
    storage = LocalStorage(tmp_path / "root")
    with pytest.raises(StorageError):
        storage.put(key, b"x", "text/plain")
    with pytest.raises(StorageError):
        storage.exists(key)
    assert not (tmp_path / "outside").exists()


def test_storage_from_settings_picks_the_backend(tmp_path):
    settings = make_settings("sqlite://", tmp_path)
    local = storage_from_settings(settings)
    assert isinstance(local, LocalStorage)
    with pytest.raises(ValueError):
        storage_from_settings(make_settings("sqlite://", tmp_path, storage_backend="ftp"))
