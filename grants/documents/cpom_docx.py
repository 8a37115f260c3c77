"""The editable DOCX of an agreement (python-docx): the same blocks as the PDF, laid out with
Word's own styles (Title, Heading 1/2, List Bullet, Table Grid) so the financer can work on it."""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Mm, Pt, RGBColor

from grants.documents.cpom_blocks import Block

BLUE = RGBColor(0x00, 0x00, 0x91)


def build(data: dict[str, Any], blocks: list[Block]) -> bytes:
    document = Document()
    _page(document, data)
    for block in blocks:
        _add(document, block)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _page(document: Any, data: dict[str, Any]) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(16)
    section.top_margin, section.bottom_margin = Mm(18), Mm(20)
    normal = document.styles["Normal"]
    normal.font.name = "Liberation Sans"
    normal.font.size = Pt(10)
    document.styles["Table Grid"].font.size = Pt(8.5)  # every table's text
    footer = section.footer.paragraphs[0]
    footer.text = f"{data['reference']} — version {data['version']}"
    footer.runs[0].font.size = Pt(8)
    head = document.add_paragraph()
    run = head.add_run(data["financer"]["institution"])
    run.bold = True
    run.font.color.rgb = BLUE
    head.add_run("\n" + data["financer"]["name"]).font.size = Pt(9)


def _paragraph(document: Any, text: str, style_id: str | None = None) -> Any:
    """A paragraph with its style set by id: python-docx's lookup by style name scans every
    style of the document at each call (two thirds of the build time otherwise)."""
    paragraph = document.add_paragraph(text)
    if style_id is not None:
        paragraph._p.style = style_id
    return paragraph


def _add(document: Any, block: Block) -> None:
    if block.kind == "title":
        _paragraph(document, block.text.upper(), "Title").alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif block.kind == "subtitle":
        _paragraph(document, block.text).alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif block.kind == "heading":
        _paragraph(document, block.text, "Heading1")
    elif block.kind == "subheading":
        _paragraph(document, block.text, "Heading2")
    elif block.kind in ("para", "note"):
        paragraph = _paragraph(document, block.text)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if block.kind == "note":
            paragraph.runs[0].font.size = Pt(8.5)
    elif block.kind == "list":
        for item in block.items:
            _paragraph(document, item, "ListBullet")
    elif block.kind == "table":
        _table(document, block)
    elif block.kind == "signatures":
        _signatures(document, block)
    elif block.kind == "pagebreak":
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _table(document: Any, block: Block) -> None:
    table = document.add_table(rows=1, cols=len(block.header))
    table._tbl.tblStyle_val = "TableGrid"  # by id, as paragraphs (see ``_paragraph``)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, block.header, strict=True):
        _cell(cell, text, bold=True, right=False)
    last = len(block.rows) - 1
    for index, row in enumerate(block.rows):
        cells = table.add_row().cells
        for column, (cell, text) in enumerate(zip(cells, row, strict=True)):
            bold = block.total and index == last
            _cell(cell, text, bold=bold, right=column in block.numeric)
    document.add_paragraph()


def _cell(cell: Any, text: str, *, bold: bool, right: bool) -> None:
    paragraph = cell.paragraphs[0]
    run = paragraph.add_run(text)
    if bold:
        run.bold = True
    if right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _signatures(document: Any, block: Block) -> None:
    table = document.add_table(rows=0, cols=2)
    for start in range(0, len(block.rows), 2):
        cells = table.add_row().cells
        for cell, (who, name) in zip(cells, block.rows[start : start + 2], strict=False):
            paragraph = cell.paragraphs[0]
            paragraph.add_run(who).bold = True
            cell.add_paragraph(name)
            cell.add_paragraph("\n\n")
