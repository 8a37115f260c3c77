"""Envelope dashboards over HTTP: figures equal the movements, breakdowns, pages, exports, scope."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from grants.extensions import db
from grants.models import DossierZoning, Envelope, EnvelopeMovement, ZoningScheme
from grants.services import envelope_reports, ledger
from grants.templating import money
from tests import factories
from tests.conftest import login

D = Decimal


def _envelope(code: str) -> Envelope:
    return db.session.scalar(select(Envelope).where(Envelope.code == code))


@pytest.fixture
def immo(app):  # type: ignore[no-untyped-def]
    return _envelope("ARS_IMMO_2023_2027")


@pytest.fixture
def filled(immo, promoter, ars_instructor):  # type: ignore[no-untyped-def]
    """Two dossiers on the 55 M€ envelope: one in 77 zoned ZIP, one in 91 with no zoning."""
    organisation = promoter.memberships[0].organisation
    first = factories.DossierFactory(
        organisation=organisation, created_by=promoter, departement_code="77"
    )
    second = factories.DossierFactory(
        organisation=organisation, created_by=promoter, departement_code="91"
    )
    scheme = ZoningScheme(
        code="TEST_ZONING",
        name="Zonage de test",
        legal_reference="Arrêté de test",
        valid_from=date(2015, 3, 1),
    )
    db.session.add(scheme)
    db.session.flush()
    db.session.add(
        DossierZoning(dossier_id=first.id, insee_code="77458", scheme_id=scheme.id, category="zip")
    )
    ledger.reserve(immo, first, D("500000"), ars_instructor, "Proposition du comité")
    ledger.commit(immo, first, D("440000"), ars_instructor, "Décision favorable")
    ledger.pay(immo, first, D("100000"), ars_instructor, "Premier acompte")
    ledger.reserve(immo, second, D("250000.50"), ars_instructor, "Proposition du comité")
    ledger.release(immo, second, D("50000"), ars_instructor, "Plan de financement révisé")
    db.session.flush()
    return first, second


def test_staff_list_their_financers_envelopes_only(client, ars_instructor, region_instructor):
    login(client, ars_instructor.email)
    page = client.get("/instruction/enveloppes").get_data(as_text=True)
    assert "aide à l&#39;investissement immobilier 2023–2027" in page
    assert "FIR exercice coordonné 2026" in page
    assert "Région Île-de-France — santé de proximité" not in page
    client.post("/deconnexion")
    login(client, region_instructor.email)
    page = client.get("/instruction/enveloppes").get_data(as_text=True)
    assert "Région Île-de-France — santé de proximité" in page
    assert "FIR exercice" not in page


def test_other_financers_envelope_and_promoters_get_404(client, immo, region_instructor, promoter):
    login(client, region_instructor.email)
    for suffix in ("", "/mouvements.csv", "/mouvements.xlsx"):
        assert client.get(f"/instruction/enveloppes/{immo.id}{suffix}").status_code == 404
    assert client.get("/instruction/enveloppes/999999").status_code == 404
    client.post("/deconnexion")
    login(client, promoter.email)
    assert client.get(f"/instruction/enveloppes/{immo.id}").status_code == 404
    assert client.get("/instruction/enveloppes").status_code == 404


def test_dashboard_figures_equal_the_movements(client, immo, filled, ars_instructor):
    login(client, ars_instructor.email)
    response = client.get(f"/instruction/enveloppes/{immo.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    db.session.refresh(immo)
    assert (immo.reserved, immo.committed, immo.paid) == (
        D("260000.50"),
        D("440000.00"),
        D("100000.00"),
    )
    for value in (immo.amount, immo.reserved, immo.committed, immo.paid, immo.remaining):
        assert money(value) in page
    board = envelope_reports.dashboard(immo)
    assert (board.totals.reserved, board.totals.committed, board.totals.paid) == (
        immo.reserved,
        immo.committed,
        immo.paid,
    )
    departements = {line.key: line.figures for line in board.by_departement}
    assert departements["77"].committed == D("440000.00")
    assert departements["91"].reserved == D("200000.50")
    zonings = {line.label: line.figures for line in board.by_zoning}
    assert zonings["Zone d'intervention prioritaire (ZIP)"].reserved == D("60000.00")
    assert zonings["non renseigné"].reserved == D("200000.50")
    by_kind = defaultdict(Decimal)
    for movement in db.session.scalars(
        select(EnvelopeMovement).where(EnvelopeMovement.envelope_id == immo.id)
    ):
        by_kind[movement.kind] += movement.amount
    year_sums = defaultdict(Decimal)
    for _year, sums in board.by_year:
        for kind, value in sums.items():
            year_sums[kind] += value
    assert {k: v for k, v in year_sums.items() if v} == dict(by_kind)
    assert "<svg" in page and 'role="img"' in page and "non renseigné" in page
    # The bars print their amounts in euros (the monitoring charts print counts).
    assert f'class="chart-value">{money(D("200000.50"))}</text>' in page
    assert "Plan de financement révisé" in page and "77 — Seine-et-Marne" in page


def test_csv_export_parses_back_with_the_same_totals(client, immo, filled, ars_instructor):
    login(client, ars_instructor.email)
    response = client.get(f"/instruction/enveloppes/{immo.id}/mouvements.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment;" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 5
    assert rows[0]["Nature"] == "Réservé" and rows[0]["Motif"] == "Proposition du comité"
    sums = defaultdict(Decimal)
    for row in rows:
        sums[row["Nature"]] += D(row["Montant (€)"].replace(",", "."))
    assert sums == {
        "Réservé": D("750000.50"),
        "Engagé": D("440000.00"),
        "Payé": D("100000.00"),
        "Libéré": D("50000.00"),
    }


def test_xlsx_export_has_numbers_and_the_same_totals(client, immo, filled, ars_instructor):
    login(client, ars_instructor.email)
    response = client.get(f"/instruction/enveloppes/{immo.id}/mouvements.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.get_data()))
    sheet = workbook["Mouvements"]
    header = [cell.value for cell in sheet[1]]
    assert header[4] == "Montant (€)" and header[9] == "Motif"
    amounts = defaultdict(Decimal)
    for row in sheet.iter_rows(min_row=2, values_only=True):
        assert isinstance(row[4], int | float)
        amounts[row[2]] += D(str(row[4])).quantize(D("0.01"))
    assert amounts["Réservé"] == D("750000.50") and amounts["Payé"] == D("100000.00")
    summary = {row[0]: row[1] for row in workbook["Synthèse"].iter_rows(values_only=True)}
    assert D(str(summary["Disponible (€)"])) == D("55000000") - D("260000.50") - D("440000")


def test_movements_are_paged_by_keyset(client, immo, promoter, ars_instructor):
    dossier = factories.DossierFactory(
        organisation=promoter.memberships[0].organisation, created_by=promoter
    )
    db.session.flush()
    for index in range(envelope_reports.PAGE_SIZE + 5):
        ledger.reserve(immo, dossier, D("1000"), ars_instructor, f"Réservation {index}")
    login(client, ars_instructor.email)
    first = client.get(f"/instruction/enveloppes/{immo.id}").get_data(as_text=True)
    assert "Réservation 54<" in first and "Réservation 4<" not in first
    rows, next_before = envelope_reports.movements_page(immo)
    assert len(rows) == envelope_reports.PAGE_SIZE and next_before is not None
    assert f"avant={next_before}" in first
    second = client.get(f"/instruction/enveloppes/{immo.id}?avant={next_before}")
    text = second.get_data(as_text=True)
    assert "Réservation 4<" in text and "Réservation 0<" in text and "Réservation 5<" not in text
    assert client.get(f"/instruction/enveloppes/{immo.id}?avant=abc").status_code == 400


def test_dashboard_queries_are_bounded(client, immo, filled, ars_instructor, count_queries):
    login(client, ars_instructor.email)
    client.get(f"/instruction/enveloppes/{immo.id}")
    with count_queries() as counter:
        assert client.get(f"/instruction/enveloppes/{immo.id}").status_code == 200
    assert counter.count <= 12, counter.statements
