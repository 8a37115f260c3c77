"""File checks of piece uploads: the name sanitiser and the type sniffed from the bytes."""

from __future__ import annotations

import io

import pytest

from grants.services.uploads import (
    Upload,
    UploadRejectedError,
    read_limited,
    sanitise_filename,
    sniff_content_type,
)
from tests.pieces_support import EXE, PDF, PNG, docx_bytes, odt_bytes, plain_zip_bytes


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Statuts signés.pdf", "Statuts signés.pdf"),
        ("C:\\Users\\élodie\\Délibération (v2).pdf", "Délibération v2.pdf"),
        ("../../etc/passwd", "passwd"),
        ("..hidden.pdf", "hidden.pdf"),
        ("<script>alert(1)</script>.pdf", "script.pdf"),
        ("facture:été?*.pdf", "factureété.pdf"),
        ("  règlement   intérieur  .odt", "règlement intérieur .odt"),
        ("", "piece"),
        ("///", "piece"),
        ("Cafe\u0301.pdf", "Café.pdf"),
    ],
)
def test_sanitise_filename_keeps_french_letters(raw, expected):
    assert sanitise_filename(raw) == expected


def test_sanitise_filename_caps_the_length_and_keeps_the_extension():
    name = sanitise_filename("é" * 500 + ".pdf")
    assert len(name) <= 200 and name.endswith(".pdf")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (PDF, "application/pdf"),
        (PNG, "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32, "image/jpeg"),
        (docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (odt_bytes(), "application/vnd.oasis.opendocument.text"),
        (EXE, None),
        (plain_zip_bytes(), None),
        (b"just some text", None),
        (b"GIF89a" + b"\x00" * 32, None),
    ],
)
def test_sniff_content_type_uses_the_bytes(data, expected):
    assert sniff_content_type(data) == expected


def test_read_limited_refuses_empty_and_oversized_files():
    with pytest.raises(UploadRejectedError, match="vide"):
        read_limited(Upload("a.pdf", io.BytesIO(b"")), 10)
    with pytest.raises(UploadRejectedError, match="taille maximale") as info:
        read_limited(Upload("a.pdf", io.BytesIO(b"x" * 11)), 10)
    assert info.value.status == 413
    assert read_limited(Upload("a.pdf", io.BytesIO(b"x" * 10)), 10) == b"x" * 10
