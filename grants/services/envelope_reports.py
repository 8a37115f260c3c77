"""Envelope dashboard figures and exports, all computed from the movements of the ledger.

Each dossier's balance on the envelope is replayed from its movements (the same rule as the
ledger), then grouped by département and by zoning category; flows are also summed by year. A
handful of queries per dashboard whatever the number of dossiers.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from flask import abort
from sqlalchemy import select

from grants.extensions import db
from grants.models import (
    Departement,
    Dossier,
    Envelope,
    EnvelopeMovement,
    User,
)
from grants.models.choices import MOVEMENT_KINDS, ZONING_CATEGORIES
from grants.permissions import STAFF_ROLES, financer_ids
from grants.services.ledger import ZERO, DossierBalance
from grants.services.zoning import ZONING_PRIORITY, zoning_categories

PARIS = ZoneInfo("Europe/Paris")
NOT_GIVEN = "non renseigné"
# When a dossier's communes fall in several categories, the most favourable one counts.
PAGE_SIZE = 50
EXPORT_HEADERS = (
    "N°",
    "Date",
    "Nature",
    "Libéré depuis",
    "Montant (€)",
    "Dossier",
    "Projet",
    "Département",
    "Acteur",
    "Motif",
)


@dataclass
class Figures:
    reserved: Decimal = ZERO
    committed: Decimal = ZERO
    paid: Decimal = ZERO

    def add(self, balance: DossierBalance | Figures) -> None:
        self.reserved += balance.reserved
        self.committed += balance.committed
        self.paid += balance.paid


@dataclass
class Line:
    key: str
    label: str
    figures: Figures = field(default_factory=Figures)


@dataclass
class Dashboard:
    envelope: Envelope
    totals: Figures
    by_departement: list[Line]
    by_zoning: list[Line]
    by_year: list[tuple[int, dict[str, Decimal]]]
    dossiers: int


# --- Access ----------------------------------------------------------------


def visible_envelopes(user: User) -> list[Envelope]:
    """Staff see the envelopes of the financers they act for (ARS users: the ARS ones)."""
    ids = financer_ids(user)
    if user.role not in STAFF_ROLES or not ids:
        return []
    return list(
        db.session.scalars(
            select(Envelope)
            .where(Envelope.financer_id.in_(ids))
            .order_by(Envelope.financer_id, Envelope.opens_on, Envelope.code)
        )
    )


def envelope_or_404(user: User, envelope_id: int) -> Envelope:
    envelope = db.session.get(Envelope, envelope_id)
    if envelope is None or user.role not in STAFF_ROLES:
        abort(404)
    if envelope.financer_id not in financer_ids(user):
        abort(404)
    return envelope


# --- Dashboard ----------------------------------------------------------------


def dashboard(envelope: Envelope) -> Dashboard:
    balances: dict[int | None, DossierBalance] = defaultdict(DossierBalance)
    years: dict[int, dict[str, Decimal]] = defaultdict(lambda: dict.fromkeys(MOVEMENT_KINDS, ZERO))
    rows = db.session.execute(
        select(
            EnvelopeMovement.dossier_id,
            EnvelopeMovement.kind,
            EnvelopeMovement.amount,
            EnvelopeMovement.released_from,
            EnvelopeMovement.at,
        )
        .where(EnvelopeMovement.envelope_id == envelope.id)
        .order_by(EnvelopeMovement.id)
    )
    for dossier_id, kind, amount, released_from, at in rows:
        balances[dossier_id].apply(kind, amount, released_from)
        years[at.astimezone(PARIS).year][kind] += amount
    departements = _departements(balances)
    zonings = zoning_categories(key for key in balances if key is not None)
    totals = Figures()
    by_departement: dict[str, Line] = {}
    by_zoning: dict[str, Line] = {}
    for dossier_id, balance in balances.items():
        totals.add(balance)
        code, name = departements.get(dossier_id, ("", NOT_GIVEN))
        by_departement.setdefault(code, Line(code, f"{code} — {name}" if code else name))
        by_departement[code].figures.add(balance)
        category = zonings.get(dossier_id, "")
        label = ZONING_CATEGORIES.get(category, NOT_GIVEN)
        by_zoning.setdefault(category, Line(category, label)).figures.add(balance)
    zoning_order = {code: i for i, code in enumerate(ZONING_PRIORITY)}
    return Dashboard(
        envelope=envelope,
        totals=totals,
        by_departement=sorted(by_departement.values(), key=lambda line: line.key or "~"),
        by_zoning=sorted(by_zoning.values(), key=lambda line: zoning_order.get(line.key, 99)),
        by_year=sorted(years.items()),
        dossiers=len([key for key in balances if key is not None]),
    )


def _departements(balances: dict[int | None, DossierBalance]) -> dict[int, tuple[str, str]]:
    ids = [key for key in balances if key is not None]
    if not ids:
        return {}
    rows = db.session.execute(
        select(Dossier.id, Departement.code, Departement.name)
        .join(Departement, Departement.code == Dossier.departement_code)
        .where(Dossier.id.in_(ids))
    )
    return {dossier_id: (code, name) for dossier_id, code, name in rows}


# --- Movements ----------------------------------------------------------------


def _movement_query(envelope: Envelope):  # type: ignore[no-untyped-def]
    return (
        select(
            EnvelopeMovement,
            Dossier.reference,
            Dossier.title,
            Dossier.departement_code,
            User.full_name,
        )
        .outerjoin(Dossier, Dossier.id == EnvelopeMovement.dossier_id)
        .outerjoin(User, User.id == EnvelopeMovement.actor_id)
        .where(EnvelopeMovement.envelope_id == envelope.id)
    )


def movements_page(
    envelope: Envelope, before: int | None = None, size: int = PAGE_SIZE
) -> tuple[list[Any], int | None]:
    """The newest movements first, by keyset on the id; returns (rows, id for the next page)."""
    query = _movement_query(envelope).order_by(EnvelopeMovement.id.desc()).limit(size + 1)
    if before is not None:
        query = query.where(EnvelopeMovement.id < before)
    rows = list(db.session.execute(query))
    more = len(rows) > size
    rows = rows[:size]
    return rows, (rows[-1][0].id if more and rows else None)


def export_rows(envelope: Envelope) -> Iterator[tuple[Any, ...]]:
    """Every movement, oldest first, as the export columns (amounts as Decimal)."""
    query = _movement_query(envelope).order_by(EnvelopeMovement.id)
    for movement, reference, title, departement, actor in db.session.execute(query):
        yield (
            movement.sequence,
            movement.at.astimezone(PARIS).replace(tzinfo=None, microsecond=0),
            MOVEMENT_KINDS[movement.kind],
            MOVEMENT_KINDS.get(movement.released_from or "", ""),
            movement.amount,
            reference or (f"Brouillon n° {movement.dossier_id}" if movement.dossier_id else ""),
            title or "",
            departement or "",
            actor or "",
            movement.reason,
        )


def to_csv(envelope: Envelope) -> str:
    """Semicolon-separated, decimal comma, with a BOM: what French spreadsheets open directly."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(EXPORT_HEADERS)
    for row in export_rows(envelope):
        cells = list(row)
        cells[1] = cells[1].strftime("%d/%m/%Y %H:%M:%S")
        cells[4] = f"{cells[4]:.2f}".replace(".", ",")
        writer.writerow(cells)
    return out.getvalue()


def to_xlsx(envelope: Envelope) -> bytes:
    """A workbook with the movements (amounts as numbers in euros) and a summary sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Mouvements"
    sheet.append(EXPORT_HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in export_rows(envelope):
        sheet.append(row)
        sheet.cell(row=sheet.max_row, column=2).number_format = "DD/MM/YYYY HH:MM:SS"
        sheet.cell(row=sheet.max_row, column=5).number_format = "#,##0.00"
    for letter, width in zip("ABCDEFGHIJ", (6, 20, 12, 14, 16, 18, 40, 12, 24, 50), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    summary = workbook.create_sheet("Synthèse")
    summary.append(("Enveloppe", envelope.name))
    for label, value in (
        ("Montant (€)", envelope.amount),
        ("Réservé (€)", envelope.reserved),
        ("Engagé (€)", envelope.committed),
        ("Payé (€)", envelope.paid),
        ("Disponible (€)", envelope.remaining),
    ):
        summary.append((label, value))
        summary.cell(row=summary.max_row, column=2).number_format = "#,##0.00"
    summary.column_dimensions["A"].width = 18
    summary.column_dimensions["B"].width = 60
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_filename(envelope: Envelope, extension: str, now: datetime | None = None) -> str:
    stamp = (now or datetime.now(PARIS)).strftime("%Y%m%d")
    return f"mouvements-{envelope.code.lower()}-{stamp}.{extension}"
