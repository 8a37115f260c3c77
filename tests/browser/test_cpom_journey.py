"""The CPOM in Chromium, one person per browser context, on the demo data: the MSP de Drancy
(Seine-Saint-Denis) was granted 440 000 € by the ARS after the committee of 23 May 2012 and its
draft CPOM was generated. The ARS instructor opens the draft, moves its period (from 1 January
last year, so that a first yearly report is due) and negotiates a stricter turnover target and
the minimum number of physicians — each save a new version — then downloads the PDF and sends it;
the promoter signs in the product (typed name and confirmation); the ARS decider countersigns:
the CPOM is in force. The promoter requests the advance with its evidence, the instructor checks
it, the decider approves and pays it. The promoter files the first yearly report recording a
physician's departure (the turnover is computed from the register), the délégation
départementale validates it, and the ARS monitor finds the CPOM among the commitments at risk,
first for Seine-Saint-Denis, with the alert on the medical activity."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from grants.demo import DEMO_PASSWORD
from grants.demo_committee import DRANCY
from grants.demo_decisions import ARS_DECIDER
from grants.services.document_requests import paris_today
from tests.browser import committee_steps as committee
from tests.browser import cpom_steps as cpom
from tests.browser import instruction_steps as staff
from tests.browser import journey_steps as steps
from tests.browser.conftest import ARTIFACTS

PROMOTER, PROMOTER_NAME = "promoteur@demo.grants.fr", "Claire Martin"
INSTRUCTOR = "ars.siege@demo.grants.fr"
DD93 = "dd93@demo.grants.fr"
MONITOR = "suivi@demo.grants.fr"
STRUCTURE = "SISA Maison de santé de Drancy"
GRANTED, ADVANCE = "440 000,00 €", "132 000,00 €"
# The physician who leaves during the first year (a full-time one: the ETP falls under the
# negotiated minimum).
LEAVING = "Thomas Moreau"
MIN_PHYSICIANS, MIN_ETP, TURNOVER_TARGET = "5", "4,5", "12,5"
EVIDENCE = {
    "Relevé d'identité bancaire": "rib.pdf",
    "Ordre de service de démarrage des travaux ou bon de commande de l'étude": "ordre.pdf",
}


def instructor_negotiates(page: Page, base: str, first_year: int, folder: Path) -> tuple[str, str]:
    """The ARS instructor: the draft's period, then its targets and commitments (versions 2 and
    3), the PDF checked, the draft sent. Returns the dossier's and the CPOM's references."""
    staff.log_in_staff(page, base, INSTRUCTOR, DEMO_PASSWORD)
    rows = staff.filter_worklist(page, "Drancy", "93", "Conventionnement")
    expect(rows).to_have_count(1)
    dossier_reference = rows.first.get_by_role("link").inner_text().strip()
    staff.open_dossier_from_worklist(page, rows.first, DRANCY.title)
    cpom.open_cpom(page)
    reference = re.search(r"CPOM-\S+", page.get_by_role("heading", level=1).inner_text())
    assert reference is not None
    expect(cpom.state(page)).to_have_text("Projet")
    expect(page.locator("#versions")).to_contain_text("Version 1 version à signer")

    starts_on, ends_on = date(first_year, 1, 1), date(first_year + 4, 12, 31)
    cpom.set_duration(page, starts_on, ends_on, number=2)
    expect(page.get_by_role("region", name="Clauses du projet")).to_contain_text(
        f"du {starts_on.day} janvier {first_year} au 31 décembre {first_year + 4}"
    )
    cpom.set_targets(
        page,
        list(range(first_year, first_year + 5)),
        {("K1", first_year): TURNOVER_TARGET},
        {
            "Nombre minimal de médecins sur le site (article 4.1)": MIN_PHYSICIANS,
            "Équivalents temps plein médicaux minimum": MIN_ETP,
        },
        number=3,
    )
    terms = page.get_by_role("region", name="Clauses du projet")
    expect(terms).to_contain_text(f"au moins {MIN_PHYSICIANS} ({MIN_ETP} ETP)")
    k1 = terms.get_by_role("row", name=re.compile(r"^K1 — "))
    expect(k1.locator("td").nth(1)).to_have_text(TURNOVER_TARGET)
    page.screenshot(path=str(ARTIFACTS / "cpom-draft.png"), full_page=True)

    pdf = cpom.download_version(page, 3, folder, "cpom-v3.pdf")
    assert pdf.read_bytes().startswith(b"%PDF-")
    text = committee.pdf_text(pdf)
    for expected in (
        "Agence régionale de santé Île-de-France, représentée par Mme Sylvie Carpentier",
        STRUCTURE,
        dossier_reference,
        committee.plain(GRANTED),
        f"au moins {MIN_PHYSICIANS} médecins",
        f"{TURNOVER_TARGET} %",
    ):
        assert expected in text, (expected, text)

    cpom.fire(
        page,
        "Transmettre au porteur pour signature",
        "« Transmettre au porteur pour signature » : c'est fait.",
    )
    expect(cpom.state(page)).to_have_text("Transmis au porteur")
    return dossier_reference, reference.group(0)


def decider_countersigns(browser: Browser, base: str, errors: list[str], reference: str) -> Page:
    decider = staff.open_person(browser, errors)
    staff.log_in_staff(decider, base, ARS_DECIDER, DEMO_PASSWORD)
    rows = staff.filter_worklist(decider, "Drancy", "93", "Conventionnement")
    staff.open_dossier_from_worklist(decider, rows.first, DRANCY.title)
    cpom.open_cpom(decider)
    expect(decider.get_by_role("region", name="Signatures")).to_contain_text(
        f"Signature dans l'application, {PROMOTER_NAME}, adresse IP 127.0.0.1"
    )
    cpom.fire(
        decider,
        "Contre-signer : la convention entre en vigueur",
        f"CPOM {reference} contre-signé : il est en vigueur.",
    )
    expect(cpom.state(decider)).to_have_text("En vigueur")
    # Tranches and reporting periods are scheduled.
    expect(cpom.payments(decider).get_by_role("row").filter(has_text="1. Avance")).to_contain_text(
        ADVANCE
    )
    return decider


@pytest.mark.browser
def test_the_ars_negotiates_the_cpom_the_promoter_signs_is_paid_and_reports_a_departure(
    page: Page, browser: Browser, live_server: str, tmp_path: Path
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    ARTIFACTS.mkdir(exist_ok=True)
    first_year = paris_today().year - 1
    first_report = f"Rapport annuel {first_year}"

    # 1. The ARS instructor negotiates the draft CPOM and sends it to the promoter.
    instructor = staff.open_person(browser, errors)
    dossier_reference, reference = instructor_negotiates(
        instructor, live_server, first_year, tmp_path
    )

    # 2. The promoter signs in the product: typed name and confirmation.
    steps.log_in(page, live_server, PROMOTER, DEMO_PASSWORD)
    page.get_by_role("link", name=dossier_reference, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(DRANCY.title)
    cpom.sign_typed(page, PROMOTER_NAME)
    expect(cpom.state(page)).to_have_text("Signé par vous, en attente de la contre-signature")
    cpom_url = page.url

    # 3. The ARS decider countersigns: the CPOM is in force.
    decider = decider_countersigns(browser, live_server, errors, reference)

    # 4. The advance: requested with its evidence, checked, approved, paid.
    page.goto(cpom_url)
    expect(cpom.state(page)).to_have_text("En vigueur")
    files = {
        label: steps.write_pdf(tmp_path, name, f"{label} - {reference}")
        for label, name in EVIDENCE.items()
    }
    cpom.request_advance(page, files, ADVANCE)
    expect(page.locator("main .badge").first).to_have_text("Demandé")

    instructor.goto(cpom_url)
    cpom.payment_step(
        instructor, "Vérifier", "Valider la vérification", "La demande est vérifiée.", "Vérifié"
    )
    decider.goto(cpom_url)
    cpom.payment_step(
        decider,
        "Approuver",
        f"Approuver le versement de {ADVANCE}",
        "Le versement est approuvé.",
        "Approuvé",
    )
    decider.goto(cpom_url)
    cpom.payment_step(
        decider,
        "Enregistrer le paiement",
        f"Enregistrer le paiement de {ADVANCE}",
        "Le paiement est enregistré.",
        "Payé",
    )
    decider.goto(cpom_url)
    expect(cpom.payments(decider)).to_contain_text(f"déjà versé : {ADVANCE}")
    decider.screenshot(path=str(ARTIFACTS / "cpom-active-paid.png"), full_page=True)

    # 5. The promoter files the first yearly report: a physician left during the year.
    page.goto(cpom_url)
    cpom.open_report(page, first_report)
    cpom.record_departure(page, LEAVING, date(first_year, 9, 30))
    expect(cpom.figure(page, "Départs de la période")).to_have_text("1 (dont 1 médecin)")
    expect(cpom.figure(page, "Rotation (K1)")).to_have_text("9,52 %")  # 1 / 10,5 on average
    expect(cpom.figure(page, "Médecins présents en fin de période (K4)")).to_have_text("5 (4 ETP)")
    cpom.submit_report(
        page,
        {
            "Loyer appliqué aux professionnels de santé (€/m²/an, hors charges)": "120",
            "Objectifs du projet de santé dus cette année": "2",
            "Dont objectifs atteints": "2",
            "Commentaires": (
                f"Départ du Dr {LEAVING} au 30 septembre ; recrutement d'un médecin en cours "
                "avec la faculté de médecine de Bobigny."
            ),
        },
    )
    expect(page.locator("main dl .badge").first).to_have_text("Remis")
    page.screenshot(path=str(ARTIFACTS / "cpom-yearly-report.png"), full_page=True)

    # 6. The délégation départementale validates it.
    dd = staff.open_person(browser, errors)
    staff.log_in_staff(dd, live_server, DD93, DEMO_PASSWORD)
    cpom.validate_report(dd, first_report, DRANCY.title)
    expect(dd.locator("#report-values")).to_contain_text("9,52")
    dd.context.close()

    # 7. The monitor: the commitments at risk first; the CPOM first for Seine-Saint-Denis.
    monitor = staff.open_person(browser, errors)
    steps.log_in(monitor, live_server, MONITOR, DEMO_PASSWORD)
    monitor.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Suivi des CPOM"
    ).click()
    expect(monitor.get_by_role("heading", level=1)).to_have_text("Suivi des CPOM en vigueur")
    rows = cpom.dashboard_rows(monitor)
    expect(rows.filter(has_text=reference)).to_have_attribute("data-risk", "critical")
    risks = [rows.nth(i).get_attribute("data-risk") for i in range(rows.count())]
    assert risks == sorted(risks, key=lambda r: {"critical": 0, "warning": 1}.get(r, 2)), risks
    cpom.filter_dashboard(monitor, {"Département": "93 — Seine-Saint-Denis"})
    first = cpom.dashboard_rows(monitor).first
    expect(first).to_have_attribute("data-reference", reference)
    expect(first).to_contain_text("critique")
    expect(first).to_contain_text("Activité médicale non maintenue")
    expect(first).to_contain_text(ADVANCE)
    monitor.screenshot(path=str(ARTIFACTS / "cpom-monitor-dashboard.png"), full_page=True)
    first.get_by_role("link", name=reference).click()
    alerts = monitor.get_by_role("region", name="Alertes")
    expect(alerts).to_contain_text(
        f"Activité médicale non maintenue : 5 médecins présents au 31 décembre {first_year} (4 ETP)"
    )
    expect(alerts).to_contain_text(f"{MIN_ETP} ETP")

    for shot in (
        "cpom-draft.png",
        "cpom-active-paid.png",
        "cpom-yearly-report.png",
        "cpom-monitor-dashboard.png",
    ):
        assert (ARTIFACTS / shot).stat().st_size > 0
    for person in (instructor, decider, monitor):
        person.context.close()
    assert errors == []
