"""The shared instruction committee and the financers' decisions in Chromium, one person per
browser context, on the demo data: the Souppes-sur-Loing dossier (Seine-et-Marne, under
instruction, the DD ARS's opinion given, asking the ARS real-estate envelope and the Région) has
its instruction closed by the DD ARS 77 and by the Région; the committee secretary creates a
session, names its members, puts the dossier on the agenda from the ranked candidates, freezes
the agenda (convocation, committee pack built in the background), records attendance and a
favourable opinion with amounts for the ARS envelope and the Région; the ARS decider grants, the
Région decider grants part of it; the dossier moves on to its agreements; the promoter reads the
decisions on the dossier page and downloads both notification letters."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from grants.demo import DEMO_PASSWORD
from grants.demo_committee import SOUPPES
from grants.demo_decisions import ARS_DECIDER, REGION_DECIDER
from grants.services.document_requests import paris_today
from tests.browser import committee_steps as committee
from tests.browser import instruction_steps as staff
from tests.browser import journey_steps as steps
from tests.browser import test_promoter_journey as promoter_journey
from tests.browser.conftest import ARTIFACTS

PROMOTER = "promoteur@demo.grants.fr"
SECRETARY = "comite@demo.grants.fr"
DD77 = "dd77@demo.grants.fr"
REGION_INSTRUCTOR = "region@demo.grants.fr"
ARS_IMMO = promoter_journey.ARS_IMMO
REGION = promoter_journey.REGION
REAL_ESTATE = "Investissement immobilier"
SESSION_TITLE = "Comité d'instruction partagé — Seine-et-Marne"
# What the committee proposes, and what each financer then grants (the Région part of it).
ARS_PROPOSED, ARS_GRANTED = "350 000,00", "350 000,00 €"
REGION_PROPOSED, REGION_GRANTED = "150 000", "120 000,00 €"
ARS_ACT = "DG-ARS-IDF-2026-DOS-0077"
REGION_ACT = "CP 2026-077"
# The committee's members for this session (demo accounts): institution and quality.
MEMBERS = {
    "Dr Anne-Sophie Bertin": ("ARS Île-de-France — direction de l'offre de soins", "Présidence"),
    "Dr Jean-Luc Perrin": ("URPS médecins libéraux Île-de-France", "Membre"),
    "Olivier Fabre": ("ARS Île-de-France — délégation de Seine-et-Marne", "Membre"),
    "Marc Delorme": ("Région Île-de-France (invitée permanente)", "Invité"),
}


def close_instructions(browser: Browser, base: str, errors: list[str]) -> str:
    """The DD ARS 77 closes the ARS instruction (its opinion is in the demo data); the Région
    gives its opinion and closes its own. Returns the dossier's reference."""
    dd = staff.open_person(browser, errors)
    staff.log_in_staff(dd, base, DD77, DEMO_PASSWORD)
    rows = staff.filter_worklist(dd, "Souppes", "77", "En instruction")
    expect(rows).to_have_count(1)
    reference = rows.first.get_by_role("link").inner_text().strip()
    assert re.fullmatch(r"IDF-\d{4}-77-\d{4}", reference), reference
    staff.open_dossier_from_worklist(dd, rows.first, SOUPPES)
    expect(dd.locator("#avis")).to_contain_text("Délégation départementale de l'ARS")
    committee.close_instruction(dd, ARS_IMMO)
    dd.context.close()

    region = staff.open_person(browser, errors)
    staff.log_in_staff(region, base, REGION_INSTRUCTOR, DEMO_PASSWORD)
    rows = staff.filter_worklist(region, "Souppes", "77", "En instruction")
    staff.open_dossier_from_worklist(region, rows.first, SOUPPES)
    # The Région has not given its opinion yet: it cannot close its instruction.
    expect(staff.track_card(region, REGION)).to_contain_text(
        "Donnez d'abord l'avis de votre institution sur ce dossier."
    )
    committee.give_opinion(
        region,
        REGION,
        "Favorable",
        "Projet conforme au règlement d'intervention régional en faveur de la santé de proximité.",
    )
    committee.close_instruction(region, REGION)
    region.context.close()
    return reference


def secretary_builds_and_freezes(secretary: Page, base: str, reference: str, folder: Path) -> str:
    """Create the session, name its members, add the dossier from the ranked candidates, freeze;
    follow the committee pack to its end. Returns the session's URL."""
    staff.log_in_staff(secretary, base, SECRETARY, DEMO_PASSWORD)
    committee.open_committee(secretary)
    day = paris_today() + timedelta(days=14)
    session_url = committee.create_session(
        secretary,
        SESSION_TITLE,
        "Comité d'instruction partagé",
        day,
        "14:30",
        "ARS Île-de-France, délégation de Seine-et-Marne, 13 avenue Pierre-Point, 77000 Melun",
        "https://visio.demo.grants.fr/comite-77",
    )
    for full_name, (institution, role) in MEMBERS.items():
        committee.add_member(secretary, full_name, institution, role)

    # The candidates, best score first, with the score card and the opinions at hand.
    card = committee.candidate(secretary, reference)
    expect(card).to_contain_text(SOUPPES)
    expect(card).to_contain_text(re.compile(r"note : \d+(,\d+)? / 100"))
    score = re.search(r"note : (\d+(?:,\d+)?) / 100", card.inner_text())
    assert score is not None
    card.locator("summary").click()
    expect(card.get_by_role("table", name="Fiche de notation")).to_be_visible()
    expect(card).to_contain_text("Délégation départementale de l'ARS — " + ARS_IMMO)
    expect(card).to_contain_text("Cofinanceur — " + REGION)
    committee.add_to_agenda(secretary, reference)
    row = committee.agenda_row(secretary, reference)
    expect(row.locator("td").nth(2)).to_have_text(score.group(1))
    expect(row.locator("td").nth(4)).to_have_text("Inscrit à l'ordre du jour")
    # The dossier left the candidates.
    expect(committee.candidate(secretary, reference)).to_have_count(0)

    pack = committee.freeze_agenda(secretary)
    # The progress line: queued, running or ready (built in-process when there is no broker).
    expect(pack.get_by_role("status")).to_contain_text(
        re.compile(r"^(Génération du dossier de séance|Dossier de séance prêt)")
    )
    pack.get_by_role("link", name="Suivre la génération").click()
    expect(secretary.get_by_role("heading", level=1)).to_have_text("Dossier de séance")
    expect(secretary.locator("#pack-status").get_by_role("status")).to_contain_text(
        "Dossier de séance prêt : 1 dossier", timeout=60_000
    )
    committee.download(
        secretary,
        secretary.get_by_role("link", name=re.compile(r"^Télécharger le dossier de séance")),
        folder,
        "dossier-de-seance.pdf",
    )
    assert reference in committee.pdf_text(folder / "dossier-de-seance.pdf")
    secretary.get_by_role("navigation", name="Fil d'Ariane").get_by_role(
        "link", name=SESSION_TITLE
    ).click()
    expect(secretary).to_have_url(session_url)
    return session_url


def secretary_records_the_opinion(secretary: Page, reference: str) -> None:
    committee.record_attendance(
        secretary,
        {
            name: ("Excusé" if role == "Invité" else "Présent")
            for name, (_, role) in MEMBERS.items()
        },
    )
    expect(committee.session_state(secretary)).to_have_text("Séance tenue")
    committee.record_opinion(
        secretary,
        reference,
        "Favorable",
        {
            f"{ARS_IMMO} — {REAL_ESTATE}": ARS_PROPOSED,
            f"{REGION} — {REAL_ESTATE}": REGION_PROPOSED,
        },
        "Projet porté par la commune, appuyé sur le diagnostic territorial partagé ; le comité "
        "propose l'aide à l'investissement immobilier de l'ARS et de la Région.",
    )
    row = committee.agenda_row(secretary, reference)
    expect(row.locator("td").nth(3)).to_contain_text("Favorable")
    expect(row.locator("td").nth(4)).to_have_text("Décisions en cours")
    # Reopened for a correction, the item shows what was recorded (amounts in French).
    row.get_by_role("link", name=f"Corriger l\u2019avis — {reference}").click()
    proposals = secretary.get_by_role(
        "group", name="Montants proposés par financeur et type d'aide"
    )
    expect(proposals.get_by_label(f"{ARS_IMMO} — {REAL_ESTATE}")).to_have_value("350000,00")
    expect(proposals.get_by_label(f"{REGION} — {REAL_ESTATE}")).to_have_value("150000,00")
    expect(
        secretary.get_by_role("group", name="Avis du comité").get_by_label("Favorable", exact=True)
    ).to_be_checked()
    secretary.get_by_role("navigation", name="Fil d'Ariane").get_by_role("link").click()
    row = committee.agenda_row(secretary, reference)
    # The dossier's own page says so too.
    row.get_by_role("link", name=reference, exact=True).click()
    expect(staff.dossier_state(secretary)).to_have_text("Décisions en cours")


def decider_decides(
    browser: Browser, base: str, errors: list[str], email: str, financer: str, **decision: object
) -> Page:
    decider = staff.open_person(browser, errors)
    staff.log_in_staff(decider, base, email, DEMO_PASSWORD)
    rows = staff.filter_worklist(decider, "Souppes", "77", "Décisions en cours")
    expect(rows).to_have_count(1)
    staff.open_dossier_from_worklist(decider, rows.first, SOUPPES)
    committee.decide(decider, financer, **decision)  # type: ignore[arg-type]
    return decider


@pytest.mark.browser
def test_committee_opinion_then_each_financer_decides_and_the_promoter_gets_both_letters(
    page: Page, browser: Browser, live_server: str, tmp_path: Path
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    ARTIFACTS.mkdir(exist_ok=True)

    # 1. The ARS and the Région close their instruction: their tracks await their deciders.
    reference = close_instructions(browser, live_server, errors)

    # 2. The secretary builds the agenda from the ranked candidates and freezes it.
    secretary = staff.open_person(browser, errors)
    session_url = secretary_builds_and_freezes(secretary, live_server, reference, tmp_path)

    # 3. The sitting: attendance, then the favourable opinion with the amounts it proposes.
    secretary_records_the_opinion(secretary, reference)
    secretary.goto(session_url)
    secretary.screenshot(path=str(ARTIFACTS / "committee-session.png"), full_page=True)

    # 4. The ARS decider grants what the committee proposed (the form is filled with it)…
    act_date = paris_today() - timedelta(days=1)
    ars = decider_decides(
        browser,
        live_server,
        errors,
        ARS_DECIDER,
        ARS_IMMO,
        action="Décision : aide accordée",
        outcome="Accordé",
        amounts={},
        prefilled={f"Montant accordé — {REAL_ESTATE} (€)": "350000,00"},
        act_reference=ARS_ACT,
        act_date=act_date,
        signatory="Mme Sylvie Carpentier, directrice générale adjointe",
        conditions="Signature du contrat pluriannuel d'objectifs et de moyens avant versement.",
    )
    expect(ars.get_by_role("status")).to_contain_text(f"(Accordé — {ARS_GRANTED})")
    decisions = ars.get_by_role("region", name="Décisions des financeurs")
    expect(decisions).to_contain_text(f"{ARS_IMMO} : Accordé — {ARS_GRANTED}")
    expect(decisions).to_contain_text(f"Décision n° {ARS_ACT}")
    expect(ars.get_by_role("heading", level=1).locator(".badge")).to_have_text("Décisions en cours")
    ars.context.close()

    # 5. … the Région grants part of it; the last decision moves the dossier on by itself.
    region = decider_decides(
        browser,
        live_server,
        errors,
        REGION_DECIDER,
        REGION,
        action="Décision : aide accordée partiellement",
        outcome="Accordé partiellement",
        prefilled={f"Montant accordé — {REAL_ESTATE} (€)": "150000,00"},
        amounts={f"Montant accordé — {REAL_ESTATE} (€)": "120 000,00"},
        act_reference=REGION_ACT,
        act_date=act_date,
        signatory="M. Bernard Aubry, vice-président chargé de la santé",
        motivation="Aide plafonnée par le règlement d'intervention régional.",
    )
    expect(region.get_by_role("status")).to_contain_text(
        f"(Accordé partiellement — {REGION_GRANTED})"
    )
    decisions = region.get_by_role("region", name="Décisions des financeurs")
    expect(decisions).to_contain_text(f"{REGION} : Accordé partiellement — {REGION_GRANTED}")
    expect(decisions).to_contain_text(f"{ARS_IMMO} : Accordé — {ARS_GRANTED}")
    # Decided, then at once into the agreements (DOMAIN T12: the drafts are generated).
    expect(region.get_by_role("heading", level=1).locator(".badge")).to_have_text(
        "Conventionnement"
    )
    region.context.close()

    # 6. The promoter reads the decisions on the dossier page and downloads both letters.
    steps.log_in(page, live_server, PROMOTER, DEMO_PASSWORD)
    page.get_by_role("link", name=reference, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(SOUPPES)
    expect(staff.dossier_state(page)).to_have_text("Conventions de financement en préparation")
    section = page.get_by_role("region", name="Examen en comité et décisions des financeurs")
    expect(section).to_contain_text(f"{ARS_IMMO} : Accordé — {ARS_GRANTED}")
    expect(section).to_contain_text(f"{REGION} : Accordé partiellement — {REGION_GRANTED}")
    expect(section).to_contain_text(SESSION_TITLE)
    # Less was granted than asked: the promoter is asked for a revised financing plan.
    expect(page.get_by_role("region", name="Plan de financement révisé demandé")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "promoter-decisions.png"), full_page=True)
    for financer, act, amount in (
        (ARS_IMMO, ARS_ACT, ARS_GRANTED),
        (REGION, REGION_ACT, REGION_GRANTED),
    ):
        link = section.get_by_role(
            "link",
            name=f"Télécharger la lettre de notification de {financer} (décision n° {act}) (PDF)",
        )
        saved = committee.download(page, link, tmp_path, f"lettre-{act.replace(' ', '-')}.pdf")
        assert saved.read_bytes().startswith(b"%PDF-")
        text = committee.pdf_text(saved)
        assert act in text, text
        assert committee.plain(amount) in text, text
        assert reference in text, text

    for shot in ("committee-session.png", "promoter-decisions.png"):
        assert (ARTIFACTS / shot).stat().st_size > 0
    secretary.context.close()
    assert errors == []
