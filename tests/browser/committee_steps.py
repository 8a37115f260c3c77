"""Steps of the committee and the financers' decisions in Chromium: closing an instruction, the
secretary's session (members, agenda from the ranked candidates, freezing, attendance, the
opinion with its amounts), a decider's act, and reading a downloaded letter.

As in journey_steps.py, everything goes through labels, roles and clicks; each helper starts on
the page a person would be on and ends where the application sends them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path

from playwright.sync_api import Locator, Page, expect
from pypdf import PdfReader

from tests.browser import instruction_steps as staff

CLOSE_INSTRUCTION = "Clore l'instruction (en attente de décision)"


# --- instructors ---------------------------------------------------------------------------------


def give_opinion(page: Page, on_behalf_of: str, recommendation: str, text: str) -> None:
    """« Donner un avis » from the instructor's dossier page, on behalf of one institution."""
    page.locator("#avis").get_by_role("link", name="Donner un avis").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Donner un avis")
    page.get_by_label("Au nom de").select_option(label=on_behalf_of)
    page.get_by_label("Recommandation").select_option(label=recommendation)
    page.get_by_label("Avis motivé").fill(text)
    page.get_by_role("button", name="Enregistrer l'avis").click()
    expect(page).to_have_url(re.compile(r"/instruction/dossiers/\d+(#avis)?$"))
    expect(page.get_by_role("status")).to_have_text("Avis enregistré.")


def close_instruction(page: Page, financer: str) -> None:
    """The financer's card of « Instruction par cofinanceur »: the track awaits its decider."""
    staff.track_card(page, financer).get_by_role("button", name=CLOSE_INSTRUCTION).click()
    expect(page.get_by_role("status")).to_have_text(f"« {CLOSE_INSTRUCTION} » : c'est fait.")
    expect(staff.track_card(page, financer).locator(".badge")).to_have_text(
        "En attente de décision"
    )


# --- the committee secretary ---------------------------------------------------------------------


def open_committee(page: Page) -> None:
    """The header's « Comité » link: the list of sessions."""
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Comité", exact=True
    ).click()
    expect(
        page.get_by_role("heading", name="Comité d'instruction partagé", level=1)
    ).to_be_visible()


def create_session(
    page: Page, title: str, kind: str, day: date, at: str, place: str, video_link: str
) -> str:
    """« Créer une séance » from the list of sessions; returns the new session's URL."""
    page.get_by_role("link", name="Créer une séance").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Créer une séance")
    page.get_by_label("Intitulé de la séance").fill(title)
    page.get_by_label("Type de séance").select_option(label=kind)
    page.get_by_label("Date", exact=True).fill(day.isoformat())
    page.get_by_label("Heure (heure de Paris)").fill(at)
    page.get_by_label("Lieu", exact=True).fill(place)
    page.get_by_label("Lien de visioconférence").fill(video_link)
    page.get_by_role("button", name="Créer la séance").click()
    expect(page).to_have_url(re.compile(r"/comite/seances/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("status")).to_have_text(
        "Séance créée : nommez ses membres et construisez son ordre du jour."
    )
    return page.url


def members_table(page: Page) -> Locator:
    return page.get_by_role("table", name="Personnes convoquées")


def add_member(page: Page, full_name: str, institution: str, role: str) -> None:
    """« Ajouter un membre ou un invité »: a person with an account, found by name, with the
    institution they sit for."""
    form = page.get_by_role("form", name="Ajouter un membre ou un invité")
    person = form.get_by_label("Personne disposant d'un compte")
    option = person.locator("option").filter(has_text=re.compile(rf"^{re.escape(full_name)}\b"))
    expect(option).to_have_count(1)
    person.select_option(value=option.get_attribute("value"))
    form.get_by_label("Institution").fill(institution)
    form.get_by_label("Qualité").select_option(label=role)
    form.get_by_role("button", name="Ajouter", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Personne ajoutée à la séance.")
    row = members_table(page).get_by_role("row").filter(has_text=full_name)
    expect(row).to_contain_text(institution)
    expect(row).to_contain_text(role)


def candidate(page: Page, reference: str) -> Locator:
    """The candidate's card in « Dossiers en instruction pouvant être inscrits »."""
    section = page.get_by_role("region", name="Dossiers en instruction pouvant être inscrits")
    return section.get_by_role("article").filter(
        has=page.get_by_role("heading", name=re.compile(rf"^{re.escape(reference)} — "), level=3)
    )


def agenda_table(page: Page) -> Locator:
    return page.get_by_role("table", name="Dossiers inscrits, dans l'ordre d'examen")


def agenda_row(page: Page, reference: str) -> Locator:
    return agenda_table(page).locator("tbody tr").filter(has_text=reference)


def add_to_agenda(page: Page, reference: str) -> None:
    candidate(page, reference).get_by_role(
        "button", name=f"Inscrire à l'ordre du jour — {reference}"
    ).click()
    expect(page).to_have_url(re.compile(r"/comite/seances/\d+#ordre-du-jour$"))
    expect(page.get_by_role("status")).to_have_text(
        f"Dossier {reference} inscrit à l'ordre du jour."
    )
    expect(agenda_row(page, reference)).to_have_count(1)


def freeze_agenda(page: Page) -> Locator:
    """« Arrêter l'ordre du jour et convoquer »; returns the committee pack's section."""
    page.get_by_role("button", name="Arrêter l'ordre du jour et convoquer").click()
    expect(page).to_have_url(re.compile(r"/comite/seances/\d+#dossier-de-seance$"))
    expect(page.get_by_role("status").first).to_have_text(
        "Ordre du jour arrêté : la convocation est envoyée et le dossier de séance est en cours "
        "de génération."
    )
    expect(session_state(page)).to_have_text("Ordre du jour arrêté")
    return page.get_by_role("region", name="Dossier de séance")


def session_state(page: Page) -> Locator:
    """The session's state badge, under its title."""
    return page.locator("main .badge").first


def record_attendance(page: Page, attendance: Mapping[str, str]) -> None:
    """« Séance : présences »: one choice per person named for the session."""
    section = page.get_by_role("region", name="Séance : présences")
    for full_name, choice in attendance.items():
        section.get_by_label(f"Présence de {full_name}", exact=True).select_option(label=choice)
    section.get_by_role("button", name="Enregistrer les présences").click()
    expect(page.get_by_role("status").first).to_have_text("Présences enregistrées.")
    for full_name, choice in attendance.items():
        row = members_table(page).get_by_role("row").filter(has_text=full_name)
        expect(row.locator("td").nth(4)).to_have_text(choice)


def record_opinion(
    page: Page,
    reference: str,
    opinion: str,
    amounts: Mapping[str, str],
    discussion: str,
) -> None:
    """From the agenda row, « Enregistrer l'avis »: the opinion, the discussion, the amounts
    proposed per financer and aid type (fields labelled « financer — aid type »)."""
    agenda_row(page, reference).get_by_role(
        "link", name=f"Enregistrer l\u2019avis — {reference}"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    page.get_by_role("group", name="Avis du comité").get_by_label(opinion, exact=True).check()
    page.get_by_label("Synthèse des échanges").fill(discussion)
    proposals = page.get_by_role("group", name="Montants proposés par financeur et type d'aide")
    for label, amount in amounts.items():
        proposals.get_by_label(label, exact=True).fill(amount)
    page.get_by_role("button", name="Enregistrer l\u2019avis du comité").click()
    expect(page).to_have_url(re.compile(r"/comite/seances/\d+#ordre-du-jour$"))
    expect(page.get_by_role("status").first).to_have_text(
        f"Avis du comité enregistré pour le dossier {reference}."
    )


# --- a financer's decider ------------------------------------------------------------------------


def decide(
    page: Page,
    financer: str,
    action: str,
    outcome: str,
    amounts: Mapping[str, str],
    *,
    act_reference: str,
    act_date: date,
    signatory: str,
    conditions: str = "",
    motivation: str = "",
    prefilled: Mapping[str, str] | None = None,
) -> None:
    """From the instructor's dossier page, the financer's card: « Décision : … » opens the form
    with the outcome chosen and the committee's amounts filled in; adjust, sign, record."""
    staff.track_card(page, financer).get_by_role("link", name=action, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Décision de {financer}")
    chosen = page.get_by_role("group", name="Décision", exact=True).get_by_label(
        outcome, exact=True
    )
    expect(chosen).to_be_checked()
    for label, value in (prefilled or {}).items():
        expect(page.get_by_label(label, exact=True)).to_have_value(value)
    for label, amount in amounts.items():
        page.get_by_label(label, exact=True).fill(amount)
    if conditions:
        page.get_by_label("Conditions").fill(conditions)
    if motivation:
        page.get_by_label("Motivation").fill(motivation)
    page.get_by_label("Référence de l'acte de décision").fill(act_reference)
    page.get_by_label("Date de l'acte").fill(act_date.isoformat())
    page.get_by_label("Signataire").fill(signatory)
    page.get_by_role("button", name="Enregistrer la décision et notifier le porteur").click()
    expect(page).to_have_url(re.compile(r"/instruction/dossiers/\d+/projet#decisions$"))
    expect(page.get_by_role("status")).to_contain_text(f"Décision de {financer} enregistrée (")
    expect(page.get_by_role("status")).to_contain_text(
        "La lettre de notification est envoyée au porteur."
    )


# --- documents -----------------------------------------------------------------------------------


def pdf_text(path: Path) -> str:
    """The PDF's text on one line, French spaces as plain ones, hyphenated words whole again."""
    text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    text = re.sub(r"-\s*\n", "-", text)
    return re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\xa0", " "))


def plain(value: str) -> str:
    return re.sub(r"\s+", " ", value.replace("\u202f", " ").replace("\xa0", " "))


def download(page: Page, link: Locator, folder: Path, name: str) -> Path:
    """Click a link that downloads a file; returns where it was saved."""
    with page.expect_download() as download_info:
        link.click()
    path = folder / name
    download_info.value.save_as(path)
    return path
