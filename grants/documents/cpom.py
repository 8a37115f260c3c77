"""An agreement's documents from its version's data: the outline (a CPOM for the ARS, a
convention for the other financers), the HTML rendered from it (``documents/cpom.html`` or
``documents/convention.html``), the PDF (WeasyPrint, with the shared stylesheet and font
configuration of ``grants.documents.pdf``) and the editable DOCX."""

from __future__ import annotations

from typing import Any

from flask import render_template

from grants.documents import cpom_convention, cpom_docx, cpom_outline
from grants.documents.cpom_blocks import Block
from grants.documents.pdf import html_to_pdf

TEMPLATES = {"cpom": "documents/cpom.html", "convention": "documents/convention.html"}


def outline(data: dict[str, Any]) -> list[Block]:
    if data["kind"] == "cpom":
        return cpom_outline.outline(data)
    return cpom_convention.outline(data)


def render_html(data: dict[str, Any], blocks: list[Block] | None = None) -> str:
    return render_template(
        TEMPLATES[data["kind"]], data=data, blocks=blocks if blocks is not None else outline(data)
    )


def render_pdf(data: dict[str, Any], blocks: list[Block] | None = None) -> bytes:
    return html_to_pdf(render_html(data, blocks))


def render_docx(data: dict[str, Any], blocks: list[Block] | None = None) -> bytes:
    return cpom_docx.build(data, blocks if blocks is not None else outline(data))


def render_both(data: dict[str, Any]) -> tuple[bytes, bytes]:
    """The PDF and the DOCX of one version, from one outline."""
    blocks = outline(data)
    return render_pdf(data, blocks), render_docx(data, blocks)
