"""The promoter's whole journey in Chromium: log in, fill every section, attach the pieces,
see the blocking list, fix it, submit, download the receipt and keep a screenshot."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from grants.demo import ACCOUNTS, DEMO_PASSWORD
from tests.browser import journey_steps as steps
from tests.browser.conftest import ARTIFACTS

ORGANISATION = "SISA Pôle de santé d'Égreville"
TITLE = "Maison de santé du Gâtinais à Égreville"
ARS_IMMO = "ARS Île-de-France — aide à l'investissement immobilier (55 M€)"
REGION = "Région Île-de-France"
REFERENCE = re.compile(r"IDF-\d{4}-77-\d{4}")


def fill_scope_and_territory(page: Page, dossier_url: str) -> None:
    """A identity, B promoter, C territory."""
    steps.edit_section(
        page,
        dossier_url,
        "identity",
        {
            "Type de structure": "Maison de santé pluriprofessionnelle (MSP)",
            "Nature du projet": "Création",
            "Investissement immobilier": True,
            "Fonctionnement": True,
            ARS_IMMO: True,
            REGION: True,
            "Avancement du projet au dépôt": "Étude de faisabilité réalisée",
        },
    )
    steps.edit_section(
        page,
        dossier_url,
        "promoter",
        {"Le porteur est aussi le maître d'ouvrage des travaux": True},
    )
    steps.open_section(page, "territory")
    steps.choose_commune(page, "Égrev", "Égreville (77168)")
    steps.fill_fields(
        page,
        {
            "Adresse du projet": "2 rue de la Mairie, 77620 Égreville",
            "Quartier": "Centre-bourg",
            "Zone de revitalisation rurale (ZRR)": True,
            "Référence du diagnostic territorial": "DTP-77-2025-004",
            "Date du diagnostic territorial": "2025-02-10",
            "Auteur du diagnostic": "URPS médecins Île-de-France",
            "Population du bassin de vie (habitants)": "12 400",
        },
    )
    steps.save(page, dossier_url)
    expect(page.locator("#rubrique-territory")).to_contain_text("Égreville (77168)")


def fill_team_and_health_project(page: Page, dossier_url: str) -> None:
    """D professionals, E health project and its objectives."""
    steps.open_section(page, "professionals")
    physician = {
        "Profession": "Médecin généraliste",
        "Mode d'exercice": "Libéral",
        "Statut dans le projet": "Déjà installé sur le territoire",
        "ETP": "1",
        "Secteur conventionnel": "Secteur 1",
    }
    other = {"Mode d'exercice": "Libéral", "Statut dans le projet": "Nouvelle installation"}
    steps.fill_rows(
        page,
        "Professionnels de santé impliqués",
        [
            {"Nom": "Girard", "Prénom": "Anne", **physician},
            {"Nom": "Lefort", "Prénom": "Marc", **physician, "Secteur conventionnel": "Secteur 2"},
            {"Nom": "Nguyen", "Prénom": "Linh", **physician, "ETP": "0,8"},
            {"Nom": "Bernard", "Prénom": "Sophie", "Profession": "Infirmier", "ETP": "1", **other},
            {
                "Nom": "Petit",
                "Prénom": "Lucas",
                "Profession": "Masseur-kinésithérapeute",
                "ETP": "0,5",
                **other,
            },
        ],
        "Ajouter une ligne",
    )
    steps.save(page, dossier_url)
    expect(page.locator("#rubrique-professionals")).to_contain_text("5")

    steps.edit_section(
        page,
        dossier_url,
        "health_project",
        {
            "Analyse des besoins de santé de la population": (
                "Trois médecins généralistes pour 12 400 habitants, dont deux de plus de 60 ans."
            ),
            "Un coordinateur est désigné": True,
            "Réunions d'équipe pluriprofessionnelles par an": "10",
            "Horaires d'ouverture": "Du lundi au samedi, 8 h – 20 h",
            "Des créneaux de soins non programmés sont prévus": True,
            "Système d'information partagé (dossier patient partagé)": True,
            "Logiciel utilisé": "Logiciel labellisé",
            "Internes accueillis par an": "2",
        },
    )
    steps.open_section(page, "objectives")
    steps.fill_rows(
        page,
        "Objectifs du projet de santé",
        [
            {
                "Objectif": "Améliorer le suivi des patients diabétiques",
                "Indicateur": "Part des patients diabétiques avec HbA1c annuelle",
                "Valeur de départ": "55 %",
                "Cible": "80 %",
                "Année": "2028",
            }
        ],
        "Ajouter une ligne",
    )
    steps.save(page, dossier_url)


def fill_investment_and_budget(page: Page, dossier_url: str) -> None:
    """F feasibility (optional here), G real estate, H operating budget."""
    steps.edit_section(
        page,
        dossier_url,
        "feasibility",
        {
            "Une étude d'opportunité a été réalisée": True,
            "État de l'étude de faisabilité": "Livrée",
            "Prestataire": "Cabinet Conseil Santé",
            "Conclusion de l'étude": "Faisable",
        },
    )
    steps.edit_section(
        page,
        dossier_url,
        "real_estate",
        {
            "Type d'opération": "Construction neuve",
            "Situation du terrain ou du bâtiment": "Promesse de vente",
            "Propriétaire": "Commune d'Égreville",
            "Surface (m²)": "450,5",
            "Nombre de cabinets de consultation": "8",
            "Travaux": "800 000",
            "Honoraires de maîtrise d'œuvre": "100 000",
            "Loyer prévu (€ par m² et par an)": "120",
            "Loyer du marché local (€ par m² et par an)": "180",
            "Durée d'engagement (années)": "10",
        },
    )
    expect(page.locator("#rubrique-real_estate")).to_contain_text("900 000,00")
    steps.open_section(page, "operating")
    steps.fill_rows(
        page,
        "Charges et produits par année",
        [
            {
                "Année": f"Année {year}",
                "Nature": "Charge",
                "Catégorie": "Temps de coordination",
                "Libellé": "Coordinatrice (0,5 ETP)",
                "Montant (€)": "20 000",
            }
            for year in (1, 2, 3)
        ],
        "Ajouter une ligne",
    )
    steps.save(page, dossier_url)
    expect(page.locator("#rubrique-operating")).to_contain_text("3")


def fill_financing_and_commitments(page: Page, dossier_url: str) -> None:
    """I financing plan (balanced per aid type, checked live), J commitments."""
    steps.open_section(page, "financing")
    real_estate, operating = "Investissement immobilier", "Fonctionnement"
    steps.fill_rows(
        page,
        "Dépenses par type d'aide et par année",
        [
            {
                "Type d'aide": real_estate,
                "Année": "2026",
                "Libellé": "Travaux",
                "Montant (€)": "800 000",
            },
            {
                "Type d'aide": real_estate,
                "Année": "2026",
                "Libellé": "Honoraires de maîtrise d'œuvre",
                "Montant (€)": "100 000",
            },
            {
                "Type d'aide": operating,
                "Année": "2026",
                "Libellé": "Coordination sur trois ans",
                "Montant (€)": "60 000",
            },
        ],
        "Ajouter une ligne de dépense",
    )
    own_funds = {
        "Nature": "Fonds propres",
        "Libellé": "Apport des associés",
        "Statut": "Apport propre",
    }
    steps.fill_rows(
        page,
        "Ressources par type d'aide",
        [
            {
                "Type d'aide": real_estate,
                "Nature": "Cofinanceur",
                "Cofinanceur": ARS_IMMO,
                "Montant demandé (€)": "360 000",
            },
            {
                "Type d'aide": real_estate,
                "Nature": "Cofinanceur",
                "Cofinanceur": REGION,
                "Montant demandé (€)": "270 000",
            },
            {"Type d'aide": real_estate, **own_funds, "Montant demandé (€)": "270 000"},
            {
                "Type d'aide": operating,
                "Nature": "Cofinanceur",
                "Cofinanceur": REGION,
                "Montant demandé (€)": "30 000",
            },
            {"Type d'aide": operating, **own_funds, "Montant demandé (€)": "30 000,00"},
        ],
        "Ajouter une ligne de ressource",
    )
    for aid_label in (real_estate, operating):
        row = steps.balance_row(page, aid_label)
        expect(row.get_by_role("cell").nth(2)).to_have_text(re.compile(r"^0,00\s€$"))
        expect(row.get_by_role("cell").nth(3)).to_have_text("Équilibré")
    steps.save(page, dossier_url)

    steps.open_section(page, "commitments")
    steps.tick_commitments(
        page,
        [
            "maintain_activity",
            "moderate_rent",
            "health_project_reporting",
            "accept_cpom",
            "inform_changes",
        ],
    )
    steps.fill_fields(page, {"Nom et qualité du signataire": "Dr Anne Girard, gérante"})
    steps.save(page, dossier_url)


def submit_after_fixing_pieces(page: Page, dossier_url: str, tmp_path: Path) -> None:
    """See the blocking list, follow a link, attach every mandatory piece, then file."""
    page.get_by_role("link", name="Vérifier et déposer le dossier").click()
    expect(page).to_have_url(f"{dossier_url}/depot")
    problems = page.get_by_role("region", name=re.compile("^Avant de déposer")).get_by_role("link")
    expect(problems.first).to_be_visible()
    problems_count = problems.count()
    assert problems_count >= 2
    # Every section was filled: only the missing pieces are left.
    for text in problems.all_inner_texts():
        assert text.startswith("Pièce obligatoire manquante"), text
    problems.first.click()
    expect(page).to_have_url(f"{dossier_url}/pieces#piece_code")
    expect(
        page.get_by_role("heading", name=re.compile("^Pièces justificatives"), level=1)
    ).to_be_visible()
    expect(page.get_by_label("Pièce justificative")).to_be_visible()

    missing = steps.missing_mandatory_pieces(page)
    assert len(missing) == problems_count, missing  # one blocking problem per missing piece
    while missing:
        value, name = missing[0]
        steps.upload_piece(page, value, steps.write_pdf(tmp_path, value, name))
        remaining = steps.missing_mandatory_pieces(page)
        assert len(remaining) == len(missing) - 1, remaining
        missing = remaining
    page.get_by_role("link", name=re.compile("^Retour au dossier")).click()
    expect(page).to_have_url(dossier_url)
    expect(page.locator("#depot")).to_contain_text(
        "Toutes les informations obligatoires sont renseignées."
    )

    page.get_by_role("link", name="Vérifier et déposer le dossier").click()
    expect(page.get_by_role("heading", name="Ce qui sera déposé")).to_be_visible()
    page.get_by_role("button", name="Déposer le dossier").click()
    expect(page).to_have_url(dossier_url)


@pytest.mark.browser
def test_promoter_fills_submits_and_downloads_the_receipt(
    page: Page, live_server: str, tmp_path: Path
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    email = ACCOUNTS[0][0]
    steps.log_in(page, live_server, email, DEMO_PASSWORD)
    dossier_url = steps.create_dossier(page, ORGANISATION, TITLE)

    fill_scope_and_territory(page, dossier_url)
    fill_team_and_health_project(page, dossier_url)
    fill_investment_and_budget(page, dossier_url)
    fill_financing_and_commitments(page, dossier_url)

    # One piece first, from the dossier page's upload form.
    first = steps.write_pdf(tmp_path, "projet-de-sante", "Projet de santé")
    steps.upload_piece(page, "projet_sante", first)
    expect(page.get_by_role("table", name="Pièces déposées")).to_contain_text("projet-de-sante.pdf")
    page.get_by_role("link", name=re.compile("^Retour au dossier")).click()

    submit_after_fixing_pieces(page, dossier_url, tmp_path)

    expect(page.get_by_role("status")).to_contain_text("Votre dossier est déposé sous la référence")
    # Filing opens the co-financers' completeness check straight away.
    expect(page.get_by_role("heading", level=1)).to_contain_text("en cours de vérification")
    reference = REFERENCE.search(page.locator("#depot").inner_text())
    assert reference is not None
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("télécharger l'accusé de dépôt")).click()
    receipt = tmp_path / "accuse.pdf"
    download_info.value.save_as(receipt)
    text = " ".join(p.extract_text() for p in PdfReader(receipt).pages)
    assert reference.group(0) in text
    assert TITLE in " ".join(text.split())

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "dossier-summary.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.exists() and shot.stat().st_size > 0
    assert errors == []
