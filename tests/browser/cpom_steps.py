"""Steps of the CPOM in Chromium: the contract page and its negotiable parts, the promoter's
signature and the countersignature, a payment request through its steps, a yearly report with
the register of professionals, its validation and the monitor's dashboard.

As in journey_steps.py, everything goes through labels, roles and clicks; each helper starts on
the page a person would be on and ends where the application sends them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from tests.browser import journey_steps as steps

AGREEMENTS = "Conventions de financement et CPOM"
SAVE_VERSION = "Enregistrer une nouvelle version"


# --- the contract page -------------------------------------------------------------------------


def open_cpom(page: Page) -> str:
    """From a dossier page (promoter's or instructor's), follow the CPOM's link in « Conventions
    de financement et CPOM »; returns the contract page's URL."""
    section = page.get_by_role("region", name=AGREEMENTS)
    section.get_by_role("link", name=re.compile(r"^CPOM CPOM-")).click()
    expect(page).to_have_url(re.compile(r"/conventions/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("CPOM CPOM-")
    return page.url


def state(page: Page) -> Locator:
    """The contract's state badge, next to its title."""
    return page.get_by_role("heading", level=1).locator(".badge")


def status(page: Page) -> Locator:
    """The confirmation shown after an action (the first status message of the page)."""
    return page.get_by_role("status").first


def open_terms_form(page: Page) -> None:
    page.get_by_role("link", name="Modifier les clauses négociables").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Clauses négociables")


def save_version(page: Page, number: int) -> None:
    page.get_by_role("button", name=SAVE_VERSION).click()
    expect(page).to_have_url(re.compile(r"/conventions/\d+$"))
    expect(status(page)).to_have_text(
        f"Version {number} enregistrée ; ses documents PDF et DOCX sont générés."
    )


def set_duration(page: Page, starts_on: date, ends_on: date, number: int) -> None:
    """« Modifier les clauses négociables »: the contract's period; the schedule's dates are
    cleared so that the tranches follow the new period. Saves version ``number``."""
    open_terms_form(page)
    page.get_by_label("Date de début").fill(starts_on.isoformat())
    page.get_by_label("Date de fin").fill(ends_on.isoformat())
    schedule = page.get_by_role("group", name=re.compile(r"^Échéancier des versements"))
    dates = schedule.get_by_label("Date prévue")
    for index in range(dates.count()):
        dates.nth(index).fill("")
    save_version(page, number)


def target(page: Page, code: str, year: int) -> Locator:
    return page.get_by_label(f"Cible {year} — {code}", exact=True)


def set_targets(
    page: Page,
    years: list[int],
    changes: Mapping[tuple[str, int], str],
    commitments: Mapping[str, str],
    number: int,
) -> None:
    """The targets of ``years`` left blank by a change of period take the next year's; then
    ``changes`` ((code, year) → value) and the structure's ``commitments`` (field label → value).
    Saves version ``number``."""
    open_terms_form(page)
    table = page.get_by_role("table", name="Valeur de référence et cible de chaque année")
    codes = [
        text.split(" — ")[0].strip()
        for text in table.locator("tbody th[scope=row]").all_inner_texts()
    ]
    for code in codes:
        for year in reversed(years):
            field = target(page, code, year)
            if not field.input_value():
                field.fill(target(page, code, year + 1).input_value())
    for (code, year), value in changes.items():
        target(page, code, year).fill(value)
    steps.fill_fields(page, commitments)
    save_version(page, number)


def download_version(page: Page, number: int, folder: Path, name: str) -> Path:
    """The PDF of version ``number``, from « Versions du document »."""
    version = page.locator("#versions .version").filter(has_text=f"Version {number}")
    link = version.get_by_role("link", name="PDF", exact=True)
    with page.expect_download() as download_info:
        link.click()
    path = folder / name
    download_info.value.save_as(path)
    return path


def fire(page: Page, button: str, done: str) -> None:
    """A transition button of the « Actions » card; the page says it is done."""
    page.get_by_role("region", name="Actions").get_by_role("button", name=button).click()
    expect(page).to_have_url(re.compile(r"/conventions/\d+$"))
    expect(status(page)).to_have_text(done)


def sign_typed(page: Page, full_name: str) -> None:
    """The promoter's « Signer » in the agreements' table of the dossier page: signs in the
    product with the typed name (filled in with the account's) and the confirmation."""
    section = page.get_by_role("region", name=AGREEMENTS)
    row = section.get_by_role("row").filter(has_text="CPOM CPOM-")
    row.get_by_role("link", name="Signer", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Signer CPOM CPOM-")
    page.get_by_label("Je signe dans l'application (nom saisi et confirmation)").check()
    expect(page.get_by_label("Vos nom et prénom")).to_have_value(full_name)
    page.get_by_label(re.compile(r"^J'ai lu le document et je le signe")).check()
    page.get_by_role("button", name="Signer", exact=True).click()
    expect(page).to_have_url(re.compile(r"/conventions/\d+$"))
    expect(status(page)).to_have_text(
        "Votre signature est enregistrée : le financeur va contre-signer."
    )


# --- payments ----------------------------------------------------------------------------------


def payments(page: Page) -> Locator:
    return page.get_by_role("region", name="Versements")


def request_advance(page: Page, files: Mapping[str, Path], amount: str) -> None:
    """The promoter's « Demander le versement » of the advance, with its evidence files (the
    countersigned CPOM is already held)."""
    row = payments(page).get_by_role("row").filter(has_text="1. Avance")
    row.get_by_role("link", name="Demander le versement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Demander la tranche « Avance »")
    expect(page.get_by_text("Convention ou CPOM signé : déjà disponible")).to_be_visible()
    for label, path in files.items():
        page.get_by_label(label, exact=True).set_input_files(path)
    page.get_by_role("button", name="Envoyer la demande de versement").click()
    expect(page).to_have_url(re.compile(r"/paiements/demandes/\d+$"))
    expect(status(page)).to_have_text(
        f"Votre demande de versement de {amount} est transmise au financeur, qui va la vérifier."
    )


def payment_step(page: Page, link: str, button: str, done: str, badge: str) -> None:
    """From the contract page, the request's row in « Versements »: the step's link opens the
    request, its button records the step."""
    row = payments(page).get_by_role("row").filter(has_text="Avance")
    row.get_by_role("link", name=link, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("tranche « Avance »")
    page.get_by_role("button", name=button).click()
    expect(page).to_have_url(re.compile(r"/paiements/demandes/\d+$"))
    expect(status(page)).to_have_text(done)
    expect(page.locator("main .badge").first).to_have_text(badge)


# --- reports -----------------------------------------------------------------------------------


def open_report(page: Page, title: str) -> None:
    """From the contract page, « Suivi des engagements »: the report's link."""
    panel = page.get_by_role("region", name="Suivi des engagements")
    panel.get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def record_departure(page: Page, full_name: str, left_on: date) -> None:
    """The register's « Départ » for one professional, with the date they left."""
    page.get_by_label(f"Date de départ de {full_name}").fill(left_on.isoformat())
    page.get_by_role("button", name=f"Départ de {full_name}").click()
    expect(status(page)).to_have_text(f"Départ de {full_name} enregistré.")
    row = page.get_by_role("region", name="Registre des professionnels").get_by_role(
        "row", name=re.compile(re.escape(full_name))
    )
    expect(row).to_contain_text(left_on.strftime("%Y"))


def figure(page: Page, term: str) -> Locator:
    """A figure computed from the register (« Rotation (K1) »…): its <dd>."""
    return page.locator("#figures dt", has_text=term).locator("xpath=following-sibling::dd[1]")


def submit_report(page: Page, values: Mapping[str, str]) -> None:
    steps.fill_fields(page, values)
    page.get_by_role("button", name="Remettre le rapport").click()
    expect(status(page)).to_have_text("Rapport remis : la délégation départementale va l'examiner.")


def validate_report(page: Page, title: str, structure: str) -> None:
    """The délégation's « Rapports de suivi »: the report waiting for validation, validated."""
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Rapports de suivi"
    ).click()
    waiting = page.get_by_role("table", name="Rapports remis à valider")
    row = waiting.get_by_role("row").filter(has_text=structure).filter(has_text=title)
    expect(row).to_have_count(1)
    row.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    page.get_by_role("button", name="Valider le rapport").click()
    expect(status(page)).to_have_text("Rapport validé ; le porteur en est informé.")
    expect(page.locator("main dl .badge").first).to_have_text("Validé")


# --- the monitor -------------------------------------------------------------------------------


def dashboard_rows(page: Page) -> Locator:
    return page.locator("#cpom-list tbody tr")


def filter_dashboard(page: Page, choices: Mapping[str, str]) -> None:
    """« Filtrer les contrats »: labels of the select boxes → option labels."""
    form = page.get_by_role("form", name="Filtrer les contrats")
    for label, option in choices.items():
        form.get_by_label(label).select_option(label=option)
    form.get_by_role("button", name="Filtrer").click()
    expect(page).to_have_url(re.compile(r"/suivi/\?"))
