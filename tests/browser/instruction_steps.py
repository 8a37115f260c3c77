"""Steps of the instructors' side in Chromium: work list, piece reviews, requests, checklists.

As in journey_steps.py, everything goes through labels, roles and clicks; each helper starts on
the page a person would be on and ends where the application sends them.
"""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser import journey_steps as steps

PIECES_TABLE = "Pièces déposées et leur examen par chaque cofinanceur"


def open_person(browser: Browser, errors: list[str]) -> Page:
    """A fresh browser context (its own cookies: one person), collecting JavaScript errors."""
    context = browser.new_context(locale="fr-FR")
    context.set_default_timeout(15000)
    tab = context.new_page()
    tab.on("pageerror", lambda error: errors.append(f"{tab.url}: {error}"))
    return tab


def log_in_staff(page: Page, base: str, email: str, password: str) -> None:
    """Log in, then follow the header's link to the work list."""
    steps.log_in(page, base, email, password)
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Dossiers à instruire"
    ).click()
    expect(page.get_by_role("heading", name="Dossiers à instruire", level=1)).to_be_visible()


def filter_worklist(page: Page, search: str, departement: str, state: str) -> Locator:
    """Search words, a département and a dossier state; returns the table's body rows."""
    page.get_by_label("Rechercher").fill(search)
    filters = page.get_by_role("search").locator("details")
    if filters.get_attribute("open") is None:
        filters.locator("summary").click()
    page.get_by_label("Département").select_option(label=departement)
    page.get_by_role("group", name="État du dossier").get_by_label(state, exact=True).check()
    page.get_by_role("button", name="Afficher").click()
    expect(page).to_have_url(re.compile(r"/instruction/\?"))
    return page.get_by_role("table").locator("tbody tr")


def open_dossier_from_worklist(page: Page, row: Locator, title: str) -> str:
    """Follow the row's reference link; returns the instructor's dossier URL."""
    row.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/instruction/dossiers/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    return page.url


def pieces_table(page: Page) -> Locator:
    return page.get_by_role("table", name=PIECES_TABLE)


def _financer_column(page: Page, financer: str) -> int:
    """Index of the financer's cell among a body row's <td> (the first one is the file)."""
    headers = [h.strip() for h in pieces_table(page).locator("thead th").all_inner_texts()]
    return headers.index(financer) - 1


def _row(page: Page, label: str, file_name: str | None) -> Locator:
    rows = (
        pieces_table(page)
        .locator("tbody tr")
        .filter(has=page.get_by_role("rowheader", name=label, exact=True))
    )
    if file_name is not None:
        rows = rows.filter(has_text=file_name)
    expect(rows).to_have_count(1)
    return rows


def review_status(page: Page, label: str, financer: str, file_name: str | None = None) -> Locator:
    """The cell of one piece (and file, when several) for one financer."""
    return _row(page, label, file_name).locator("td").nth(_financer_column(page, financer))


def accept_piece(page: Page, label: str, financer: str, file_name: str | None = None) -> None:
    row = _row(page, label, file_name)
    row.get_by_role("button", name=f"Accepter {label} pour {financer}", exact=True).click()
    expect(page.get_by_role("status")).to_have_text(f"Pièce « {label} » acceptée.")
    expect(review_status(page, label, financer, file_name)).to_contain_text("Acceptée")


def reject_piece(page: Page, label: str, financer: str, reason: str) -> None:
    button = page.get_by_role("button", name=f"Refuser {label} pour {financer}", exact=True)
    form = _row(page, label, None).locator("form").filter(has=button)
    form.get_by_label("Motif du refus").fill(reason)
    button.click()
    expect(page.get_by_role("status")).to_have_text(f"Pièce « {label} » refusée.")
    expect(review_status(page, label, financer)).to_contain_text(f"Refusée — {reason}")


def accept_all_pieces(page: Page, financer: str, *, but: tuple[str, ...] = ()) -> list[str]:
    """Accept every piece the financer is concerned by and has not accepted yet; returns them."""
    column = _financer_column(page, financer)
    labels = pieces_table(page).locator("tbody th[scope=row]").all_inner_texts()
    accepted = []
    for index, label in enumerate(label.strip() for label in labels):
        row = pieces_table(page).locator("tbody tr").nth(index)
        cell = row.locator("td").nth(column)
        if label in but or "Non concerné" in cell.inner_text() or "Acceptée" in cell.inner_text():
            continue
        file_name = row.locator("td").first.inner_text().strip()
        accept_piece(page, label, financer, file_name)
        accepted.append(label)
    return accepted


def request_piece(page: Page, piece: str, reason: str, message: str, due_on: date) -> None:
    """« Demander des pièces ou des précisions »: tick the piece, explain, set the due date."""
    page.get_by_role("link", name="Demander des pièces ou des précisions").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Demander des pièces ou des précisions"
    )
    page.get_by_role("group", name="Pièces à fournir").get_by_label(piece, exact=True).check()
    page.get_by_label(f"Motif — {piece}", exact=True).fill(reason)
    page.get_by_label("Message au porteur").fill(message)
    page.get_by_label("Date limite de réponse").fill(due_on.isoformat())
    page.get_by_role("button", name="Envoyer la demande au porteur").click()
    expect(page).to_have_url(re.compile(r"/instruction/dossiers/\d+$"))
    expect(page.get_by_role("status")).to_contain_text(
        f"La demande est envoyée au porteur (réponse attendue avant le "
        f"{due_on.strftime('%d/%m/%Y')})"
    )


def track_card(page: Page, financer: str) -> Locator:
    return page.locator("#cofinanceurs .card").filter(
        has=page.get_by_role("heading", name=financer, level=3, exact=True)
    )


def validate_checklist(page: Page, financer: str) -> None:
    """« Valider la complétude » in the financer's card of « Instruction par cofinanceur »."""
    track_card(page, financer).get_by_role("button", name="Valider la complétude").click()
    expect(page.get_by_role("status")).to_have_text("« Valider la complétude » : c'est fait.")
    expect(track_card(page, financer)).to_contain_text("complétude validée le")


def dossier_state(page: Page) -> Locator:
    """The state badge next to the dossier's title (instructor's and promoter's pages)."""
    return page.get_by_role("heading", level=1).locator(".badge")


def unread_count(page: Page) -> int:
    """The header's unread notifications count (0 when the badge is absent)."""
    link = page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name=re.compile(r"^Notifications")
    )
    match = re.search(r"(\d+)", link.inner_text())
    return int(match.group(1)) if match else 0
