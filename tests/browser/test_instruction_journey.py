"""Instruction in Chromium, one person per browser context: a promoter files a dossier in
Seine-et-Marne for the ARS real-estate envelope and the Région; the DD ARS 77 finds it through the
work list's filters, rejects a piece and asks for it again; the promoter sees the notification,
uploads it and answers; the DD ARS and the Région accept the pieces and validate their checklists,
and the dossier is declared complete, then put under instruction."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from grants.demo import ACCOUNTS, DEMO_PASSWORD
from tests.browser import instruction_steps as staff
from tests.browser import journey_steps as steps
from tests.browser import test_promoter_journey as promoter_journey
from tests.browser.conftest import ARTIFACTS

ORGANISATION = promoter_journey.ORGANISATION
TITLE = "Maison de santé du Lunain à Égreville"
ARS_IMMO = promoter_journey.ARS_IMMO
REGION = promoter_journey.REGION
DD77 = "dd77@demo.grants.fr"
REGION_INSTRUCTOR = "region@demo.grants.fr"
DIAGNOSTIC = "Diagnostic territorial partagé"
NEW_FILE = "diagnostic-2025.pdf"
REJECTION = "Diagnostic de 2019 : joindre la version actualisée validée par l'URPS."


def file_dossier(page: Page, base: str, tmp_path: Path) -> str:
    """The issue-2 journey: create, fill every section, attach the pieces, file. Returns the URL."""
    steps.log_in(page, base, ACCOUNTS[0][0], DEMO_PASSWORD)
    dossier_url = steps.create_dossier(page, ORGANISATION, TITLE)
    promoter_journey.fill_scope_and_territory(page, dossier_url)
    promoter_journey.fill_team_and_health_project(page, dossier_url)
    promoter_journey.fill_investment_and_budget(page, dossier_url)
    promoter_journey.fill_financing_and_commitments(page, dossier_url)
    promoter_journey.submit_after_fixing_pieces(page, dossier_url, tmp_path)
    expect(page.get_by_role("status")).to_contain_text("Votre dossier est déposé sous la référence")
    expect(staff.dossier_state(page)).to_have_text("Dossier en cours de vérification")
    return dossier_url


def dd_requests_the_diagnostic(dd: Page, base: str) -> str:
    """Find the dossier through the filters, review the ARS pieces, reject one, ask for it."""
    staff.log_in_staff(dd, base, DD77, DEMO_PASSWORD)
    rows = staff.filter_worklist(dd, "Lunain", "77", "Vérification de complétude")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(TITLE)
    expect(rows.first).to_contain_text("Égreville (77)")
    expect(dd.get_by_role("status")).to_have_text("1 dossier")
    ARTIFACTS.mkdir(exist_ok=True)
    dd.screenshot(path=str(ARTIFACTS / "worklist.png"), full_page=True)
    # The table scrolls inside its wrapper; the page itself never scrolls sideways.
    assert dd.evaluate("document.documentElement.scrollWidth <= innerWidth")
    dossier_url = staff.open_dossier_from_worklist(dd, rows.first, TITLE)
    expect(staff.dossier_state(dd)).to_have_text("Vérification de complétude")

    accepted = staff.accept_all_pieces(dd, ARS_IMMO, but=(DIAGNOSTIC,))
    assert len(accepted) >= 5, accepted
    staff.reject_piece(dd, DIAGNOSTIC, ARS_IMMO, REJECTION)
    # The checklist cannot be validated while a mandatory piece is refused.
    expect(staff.track_card(dd, ARS_IMMO)).to_contain_text(f"Pièce non acceptée : {DIAGNOSTIC}.")

    due_on = date.today() + timedelta(days=21)
    staff.request_piece(
        dd, DIAGNOSTIC, REJECTION, "Merci de déposer le diagnostic actualisé.", due_on
    )
    expect(staff.dossier_state(dd)).to_have_text("Demande de pièces complémentaires")
    expect(dd.locator("#demandes")).to_contain_text(f"Pièce : {DIAGNOSTIC} — {REJECTION}")
    return dossier_url


def promoter_answers(page: Page, dossier_url: str, unread_before: int, tmp_path: Path) -> None:
    """From the header's notifications to the dossier, upload the piece, send the answer."""
    page.goto(dossier_url.rsplit("/espace/", 1)[0] + "/espace/")
    assert staff.unread_count(page) == unread_before + 1
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name=re.compile(r"^Notifications")
    ).click()
    notification = page.get_by_role("link", name=re.compile(r"^Pièces ou précisions demandées — "))
    expect(notification.first).to_be_visible()
    notification.first.click()
    expect(page).to_have_url(dossier_url)
    expect(staff.dossier_state(page)).to_have_text("Pièces ou précisions demandées")
    panel = page.get_by_role("region", name="Pièces ou précisions demandées")
    expect(panel).to_contain_text(f"Pièce : {DIAGNOSTIC} — {REJECTION}")

    panel.get_by_role("link", name=f"Déposer la pièce {DIAGNOSTIC}").click()
    # Only the flagged piece may be uploaded now.
    offered = page.get_by_label("Pièce justificative").locator("option:not([value=''])")
    expect(offered).to_have_text([f"{DIAGNOSTIC} (obligatoire)"])
    new_file = steps.write_pdf(tmp_path, "diagnostic-2025", "Diagnostic territorial 2025")
    steps.upload_piece(page, "diagnostic_territorial", new_file)
    page.get_by_role("link", name=re.compile("^Retour au dossier")).click()
    expect(page).to_have_url(dossier_url)

    page.get_by_role("link", name="Répondre", exact=True).click()
    expect(page.get_by_role("region", name="Ce qui vous est demandé")).to_contain_text(DIAGNOSTIC)
    expect(page.get_by_role("region", name=re.compile("^Vos modifications"))).to_contain_text(
        NEW_FILE
    )
    page.get_by_role("button", name="Envoyer ma réponse").click()
    expect(page).to_have_url(dossier_url)
    expect(page.get_by_role("status")).to_contain_text(
        "Votre réponse est envoyée aux instructeurs. La version 2 du dossier est figée"
    )
    expect(staff.dossier_state(page)).to_have_text("Dossier en cours de vérification")


@pytest.mark.browser
def test_request_answer_and_completeness_across_three_people(
    page: Page, browser: Browser, live_server: str, tmp_path: Path
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))

    # 1. The promoter files a complete dossier in Égreville (77) for the ARS and the Région.
    dossier_url = file_dossier(page, live_server, tmp_path)
    unread_before = staff.unread_count(page)

    # 2. The DD ARS 77 finds it, refuses the territorial diagnosis and asks for it again.
    dd = staff.open_person(browser, errors)
    staff_url = dd_requests_the_diagnostic(dd, live_server)

    # 3. The promoter sees the notification, uploads the piece and answers (version 2).
    promoter_answers(page, dossier_url, unread_before, tmp_path)

    # 4. The DD ARS accepts the new file and validates the ARS checklist…
    dd.goto(staff_url)
    expect(staff.dossier_state(dd)).to_have_text("Vérification de complétude")
    expect(dd.locator("#demandes")).to_contain_text("Répondue")
    staff.accept_piece(dd, DIAGNOSTIC, ARS_IMMO, NEW_FILE)
    staff.validate_checklist(dd, ARS_IMMO)
    expect(staff.track_card(dd, ARS_IMMO)).to_contain_text("En instruction")
    expect(staff.dossier_state(dd)).to_have_text("Vérification de complétude")

    # … then the Région does the same for its own pieces: the dossier is complete, then
    # under instruction, without anyone pressing another button.
    region = staff.open_person(browser, errors)
    staff.log_in_staff(region, live_server, REGION_INSTRUCTOR, DEMO_PASSWORD)
    rows = staff.filter_worklist(region, "Lunain", "77", "Vérification de complétude")
    expect(rows).to_have_count(1)
    staff.open_dossier_from_worklist(region, rows.first, TITLE)
    assert len(staff.accept_all_pieces(region, REGION)) >= 5
    # The diagnosis is mandatory for the ARS envelope only.
    mandatory = "(obligatoire)"
    expect(staff.review_status(region, DIAGNOSTIC, REGION, NEW_FILE)).not_to_contain_text(mandatory)
    expect(staff.review_status(region, DIAGNOSTIC, ARS_IMMO, NEW_FILE)).to_contain_text(mandatory)
    staff.validate_checklist(region, REGION)
    expect(staff.dossier_state(region)).to_have_text("En instruction")

    dd.reload()
    expect(staff.dossier_state(dd)).to_have_text("En instruction")
    page.goto(dossier_url)
    expect(staff.dossier_state(page)).to_have_text("En cours d'instruction")
    instruction = page.get_by_role("region", name="Instruction par les cofinanceurs")
    expect(instruction).to_contain_text(ARS_IMMO)
    expect(instruction).to_contain_text(REGION)

    # 5. Screenshots of the instructor's dossier page (the work list was taken in step 2).
    dd.screenshot(path=str(ARTIFACTS / "instruction-dossier.png"), full_page=True)
    for shot in ("instruction-dossier.png", "worklist.png"):
        assert (ARTIFACTS / shot).stat().st_size > 0
    dd.context.close()
    region.context.close()
    assert errors == []
