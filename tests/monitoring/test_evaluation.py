"""The protocol's evaluation: figures from the registers, the reports and the ledger, by
département and zoning category, as a page, a PDF (text checked with pypdf) and a workbook."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from grants.extensions import db
from grants.models import PaymentTranche, RegisterEntry
from grants.services.document_requests import paris_today
from grants.services.evaluation import evaluate
from grants.services.reporting_register import add_arrival, record_departure
from grants.services.reporting_reports import ReportInput, submit_report
from grants.templating import french_date
from tests.monitoring import support
from tests.workflow.support import outsider_promoter

# Today: the ledger movements of the scenario are written now.
AS_OF = paris_today().isoformat()


def scenario(promoter):  # type: ignore[no-untyped-def]
    """Two CPOMs: in 77 a physician left and another arrived in 2025 (report filed, 3 of 4
    objectives, advance paid); in 93 nothing moved."""
    first = support.make_cpom(promoter, title="MSP de Souppes")
    second = support.make_cpom(
        outsider_promoter(),
        title="MSP de Bagnolet",
        commune_codes=("93008",),
        financer_codes=("ARS_IMMO", "REGION_IDF"),
    )
    period = support.period(first, "2025")
    martin = db.session.scalar(
        select(RegisterEntry).where(
            RegisterEntry.agreement_id == first.id, RegisterEntry.last_name == "Martin"
        )
    )
    record_departure(
        period, martin, actor=promoter, left_on=date(2025, 5, 1), today=date(2025, 12, 31)
    )
    add_arrival(
        period, actor=promoter, last_name="Lefèvre", first_name="Inès",
        profession="medecin_generaliste", etp=Decimal("1"), arrived_on=date(2025, 9, 1),
        newly_installed=True, today=date(2025, 12, 31),
    )  # fmt: skip
    submit_report(
        period,
        ReportInput(rent_m2_year=Decimal("120"), objectives_due=4, objectives_met=3,
                    values={"K6": Decimal("2")}),
        actor=promoter,
        expected_lock_version=None,
    )  # fmt: skip
    advance = db.session.scalar(
        select(PaymentTranche).where(
            PaymentTranche.agreement_id == first.id, PaymentTranche.position == 1
        )
    )
    support.pay(advance)
    return first, second


def test_figures_by_departement_and_zoning(promoter, monitor):
    first, second = scenario(promoter)
    result = evaluate(monitor, date.fromisoformat(AS_OF))
    totals = result.totals
    assert totals.structures == 2 and totals.active == 2
    assert (totals.physicians_at_signature, totals.physicians_kept, totals.physicians_arrived) == (
        6,
        5,
        1,
    )
    assert totals.physicians_now == 6 and (totals.arrivals, totals.departures) == (1, 1)
    # 1 departure / average of 10 at signature and 10 now.
    assert totals.turnover_percent == Decimal("10.00")
    assert totals.objectives_percent == Decimal("75.00")
    assert totals.committed == Decimal("600000.00") and totals.paid == Decimal("90000.00")
    assert [line.key for line in result.by_departement] == ["77", "93"]
    seine_et_marne = result.by_departement[0].figures
    assert (seine_et_marne.structures, seine_et_marne.departures, seine_et_marne.paid) == (
        1, 1, Decimal("90000.00"),
    )  # fmt: skip
    assert sum(line.figures.structures for line in result.by_zoning) == 2
    # Before the CPOMs started there is nothing to evaluate.
    assert evaluate(monitor, date(2024, 12, 31)).totals.structures == 0


def test_page_pdf_and_workbook(client_for, promoter, monitor):
    scenario(promoter)
    client = client_for(monitor)
    page = client.get(f"/suivi/evaluation?au={AS_OF}")
    html = page.get_data(as_text=True)
    assert (
        page.status_code == 200
        and f"Évaluation du protocole au {french_date(paris_today())}" in html
    )
    assert "600\u202f000,00\xa0€" in html and "77 — Seine-et-Marne" in html
    assert client.get("/suivi/evaluation?au=demain").status_code == 400

    pdf = client.get(f"/suivi/evaluation.pdf?au={AS_OF}")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert 'filename="evaluation-protocole-' in pdf.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(pdf.data))
    box = reader.pages[0].mediabox
    assert box.width > box.height  # landscape: the tables have a dozen columns
    text = "".join(p.extract_text() for p in reader.pages)
    text = text.replace("-\n", "-").replace("\u202f", " ").replace("\xa0", " ")
    flat = " ".join(text.split())
    assert "Évaluation du protocole" in flat and french_date(paris_today()) in flat
    assert "600 000,00 €" in flat and "90 000,00 €" in flat
    assert "Seine-et-Marne" in flat and "Seine-Saint-Denis" in flat
    assert "MSP de Souppes" in flat and "MSP de Bagnolet" in flat and "</p>" not in flat

    workbook = client.get(f"/suivi/evaluation.xlsx?au={AS_OF}")
    assert workbook.status_code == 200
    book = load_workbook(io.BytesIO(workbook.data))
    assert book.sheetnames == ["Synthèse", "Par département", "Par zonage", "Structures"]
    summary = {row[0]: row[1] for row in book["Synthèse"].iter_rows(values_only=True)}
    assert summary["Structures soutenues"] == 2 and summary["Médecins arrivés"] == 1
    assert Decimal(str(summary["Engagé (€)"])) == Decimal("600000")
    assert summary["Rotation (%)"] == 10.0 and summary["Objectifs atteints (%)"] == 75.0
    departements = list(book["Par département"].iter_rows(values_only=True))
    assert departements[0][0] == "Département"
    assert [row[0] for row in departements[1:]] == [
        "77 — Seine-et-Marne",
        "93 — Seine-Saint-Denis",
        "Total",
    ]
    structures = list(book["Structures"].iter_rows(values_only=True))
    assert {row[1] for row in structures[1:]} == {"MSP de Souppes", "MSP de Bagnolet"}


def test_the_evaluation_is_for_monitors(client_for, promoter, dd_77):
    for user in (promoter, dd_77):
        client = client_for(user)
        for url in ("/suivi/evaluation", "/suivi/evaluation.pdf", "/suivi/evaluation.xlsx"):
            assert client.get(url).status_code == 404
