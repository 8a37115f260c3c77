"""Shared helpers for the pieces tests: sample files of each type and dossier set-up."""

from __future__ import annotations

import io
import zipfile

from sqlalchemy import select

from grants.extensions import db
from grants.models import Dossier, Financer

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def odt_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def plain_zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("virus.exe", EXE)
    return buffer.getvalue()


def financer(code: str) -> Financer:
    found = db.session.scalar(select(Financer).where(Financer.code == code))
    assert found is not None, code
    return found


def configure(
    dossier: Dossier,
    *,
    structure_type: str | None = None,
    aid_types: list[str] | None = None,
    category: str | None = None,
    financers: list[str] | None = None,
) -> Dossier:
    dossier.structure_type = structure_type
    dossier.aid_types = aid_types or []
    if category:
        dossier.organisation.category = category
    dossier.financers = [financer(code) for code in financers or []]
    db.session.flush()
    return dossier
