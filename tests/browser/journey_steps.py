"""Steps of the promoter's journey in Chromium, done as a person would: labels, roles, clicks.

Each helper starts on the page where a person would be (usually the dossier page, reached again
after every save) and ends where the application sends them. Nothing here posts a form or calls
a service directly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from grants.documents.sample_pdf import sample_pdf
from grants.models.choices import COMMITMENTS
from grants.sections import SECTIONS_BY_CODE

SAVED = "Rubrique enregistrée."
# A field value: text to type, an option label to choose, or a checkbox state.
Value = str | bool


def fill_fields(scope: Page | Locator, values: Mapping[str, Value]) -> None:
    """Fill each field found by its label: type text, choose an option, tick or untick."""
    for label, value in values.items():
        control = scope.get_by_label(label, exact=True)
        kind = control.evaluate("e => e.tagName + ':' + (e.type || '')")
        if kind.startswith("SELECT"):
            control.select_option(label=str(value))
        elif kind == "INPUT:checkbox":
            control.set_checked(bool(value))
        else:
            control.fill(str(value))


def log_in(page: Page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/connexion")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(f"{base}/espace/")
    expect(page.get_by_role("heading", name="Mes dossiers", level=1)).to_be_visible()


def create_dossier(page: Page, organisation: str, title: str) -> str:
    """From the dashboard; returns the new dossier's page URL."""
    page.get_by_role("link", name="Créer un dossier").click()
    page.get_by_label("Organisation porteuse").select_option(label=organisation)
    page.get_by_label("Intitulé du projet").fill(title)
    page.get_by_role("button", name="Créer le dossier").click()
    expect(page).to_have_url(re.compile(r"/espace/dossiers/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    return page.url


def open_section(page: Page, code: str) -> None:
    """From the dossier page, follow the section's « Modifier » link."""
    section = SECTIONS_BY_CODE[code]
    link_name = f"Modifier la rubrique {section.letter} — {section.title}"
    page.get_by_role("link", name=link_name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(section.title)


def save(page: Page, dossier_url: str) -> None:
    """Click « Enregistrer » and land back on the dossier page with the confirmation."""
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page).to_have_url(dossier_url)
    expect(page.get_by_role("status").filter(has_text=SAVED)).to_be_visible()


def edit_section(page: Page, dossier_url: str, code: str, values: Mapping[str, Value]) -> None:
    open_section(page, code)
    fill_fields(page, values)
    save(page, dossier_url)


def choose_commune(page: Page, typed: str, label: str) -> None:
    """Type the start of a name in « Commune n° 1 », wait for the suggestion, then pick it."""
    commune = page.get_by_label("Commune n° 1")
    commune.fill("")
    commune.press_sequentially(typed)
    suggestion = page.locator(f'#communes-suggestions option[value="{label}"]')
    expect(suggestion).to_have_count(1)
    commune.fill(label)


def fill_rows(page: Page, table_name: str, rows: list[Mapping[str, Value]], add_label: str) -> None:
    """Fill a table of rows, adding rows in place with its « Ajouter … » button as needed."""
    table = page.get_by_role("table", name=table_name, exact=True)
    body_rows = table.locator("tbody tr")
    for index, values in enumerate(rows):
        if body_rows.count() <= index:
            page.get_by_role("button", name=add_label, exact=True).click()
            expect(body_rows).to_have_count(index + 1)
        fill_fields(body_rows.nth(index), values)


def balance_row(page: Page, aid_label: str) -> Locator:
    table = page.get_by_role("table", name="Totaux et écart par type d'aide")
    return table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=aid_label))


def tick_commitments(page: Page, codes: list[str]) -> None:
    for code in codes:
        page.get_by_label(COMMITMENTS[code], exact=True).check()


def write_pdf(folder: Path, name: str, title: str) -> Path:
    path = folder / f"{name}.pdf"
    path.write_bytes(sample_pdf(title))
    return path


def upload_piece(page: Page, piece_value: str, path: Path) -> None:
    """Choose the piece in the upload form, attach the file and send it."""
    form = page.get_by_role("form", name="Déposer une pièce")
    form.get_by_label("Pièce justificative").select_option(value=piece_value)
    form.get_by_label("Fichier").set_input_files(path)
    form.get_by_role("button", name="Déposer la pièce").click()
    expect(page).to_have_url(re.compile(r"/pieces$"))
    expect(page.get_by_role("status")).to_have_text(f"La pièce « {path.name} » est déposée.")


def provided_pieces(page: Page) -> set[str]:
    """The piece names listed in the « Pièces déposées » table (first column)."""
    table = page.get_by_role("table", name="Pièces déposées")
    if table.count() == 0:
        return set()
    return {text.strip() for text in table.locator("tbody tr td:first-child").all_inner_texts()}


def missing_mandatory_pieces(page: Page) -> list[tuple[str, str]]:
    """(value, name) of the upload form's pieces marked « (obligatoire) » not yet provided."""
    suffix = " (obligatoire)"
    provided = provided_pieces(page)
    found = []
    for option in page.get_by_label("Pièce justificative").locator("option").all():
        text = option.inner_text()
        name = text.removesuffix(suffix)
        if text.endswith(suffix) and name not in provided:
            found.append((option.get_attribute("value") or "", name))
    return found
