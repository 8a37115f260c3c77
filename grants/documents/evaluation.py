"""The protocol's evaluation as a PDF (WeasyPrint, French money format) and as a workbook
(openpyxl, as the envelope exports): the same figures as the page."""

from __future__ import annotations

import io
from datetime import date

from grants.documents.pdf import render_pdf
from grants.services.evaluation import Evaluation, Figures

COLUMNS: tuple[tuple[str, str], ...] = (
    ("structures", "Structures soutenues"),
    ("physicians_at_signature", "Médecins à la signature"),
    ("physicians_kept", "Médecins maintenus"),
    ("physicians_arrived", "Médecins arrivés"),
    ("physicians_now", "Médecins présents"),
    ("arrivals", "Professionnels arrivés"),
    ("departures", "Professionnels partis"),
    ("turnover_percent", "Rotation (%)"),
    ("objectives_percent", "Objectifs atteints (%)"),
    ("committed", "Engagé (€)"),
    ("paid", "Payé (€)"),
)
MONEY_COLUMNS = frozenset({"committed", "paid"})
PERCENT_COLUMNS = frozenset({"turnover_percent", "objectives_percent"})
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def filename(as_of: date, extension: str) -> str:
    return f"evaluation-protocole-{as_of:%Y%m%d}.{extension}"


def render_evaluation_pdf(evaluation: Evaluation) -> bytes:
    return render_pdf("documents/evaluation.html", evaluation=evaluation, columns=COLUMNS)


def _values(figures: Figures) -> list[object]:
    values: list[object] = []
    for name, _label in COLUMNS:
        value = getattr(figures, name)
        values.append(float(value) if name in PERCENT_COLUMNS and value is not None else value)
    return values


def evaluation_xlsx(evaluation: Evaluation) -> bytes:
    """Four sheets: summary, by département, by zoning category, per structure."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    summary = workbook.active
    summary.title = "Synthèse"
    summary.append(("Évaluation du protocole au", evaluation.as_of))
    summary.cell(row=1, column=2).number_format = "DD/MM/YYYY"
    for (name, label), value in zip(COLUMNS, _values(evaluation.totals), strict=True):
        summary.append((label, value))
        _format(summary, summary.max_row, 2, name)
    summary.column_dimensions["A"].width = 32
    summary.column_dimensions["B"].width = 20
    headers = [label for _name, label in COLUMNS]
    for title, key_label, lines in (
        ("Par département", "Département", evaluation.by_departement),
        ("Par zonage", "Catégorie de zonage", evaluation.by_zoning),
    ):
        sheet = workbook.create_sheet(title)
        sheet.append((key_label, *headers))
        for line in lines:
            sheet.append((line.label, *_values(line.figures)))
            _format_row(sheet)
        sheet.append(("Total", *_values(evaluation.totals)))
        _format_row(sheet)
        _header(sheet, Font)
    sheet = workbook.create_sheet("Structures")
    sheet.append(("Contrat", "Structure", "Département", "Zonage", "État", "Début", *headers[1:]))
    for structure in evaluation.structures:
        agreement = structure.agreement
        sheet.append(
            (
                agreement.reference,
                agreement.dossier.title,
                structure.departement_label,
                structure.zoning_label,
                structure.state_label,
                agreement.starts_on,
                *_values(structure.figures)[1:],
            )
        )
        sheet.cell(row=sheet.max_row, column=6).number_format = "DD/MM/YYYY"
        _format_row(sheet, skip=1, first_column=7)
    _header(sheet, Font)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _header(sheet, font_class) -> None:  # type: ignore[no-untyped-def]
    for cell in sheet[1]:
        cell.font = font_class(bold=True)
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 28
    sheet.freeze_panes = "B2"


def _format_row(sheet, *, skip: int = 0, first_column: int = 2) -> None:  # type: ignore[no-untyped-def]
    """Number formats of the figures of the last row (``skip``: leading COLUMNS not shown)."""
    for index, (name, _label) in enumerate(COLUMNS[skip:], start=first_column):
        _format(sheet, sheet.max_row, index, name)


def _format(sheet, row: int, column: int, name: str) -> None:  # type: ignore[no-untyped-def]
    if name in MONEY_COLUMNS:
        sheet.cell(row=row, column=column).number_format = "#,##0.00"
    elif name in PERCENT_COLUMNS:
        sheet.cell(row=row, column=column).number_format = "0.00"
