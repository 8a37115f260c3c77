"""The notification letter's text (pypdf): French administrative style, the act's reference, the
addressee, the decision with its amounts in French format, conditions, the ways to appeal."""

from __future__ import annotations

import io
import re

from flask import current_app
from pypdf import PdfReader

from grants.documents.decision_letter import PARIS
from grants.templating import french_date
from tests.decisions.support import OP, RE, YESTERDAY, track_of
from tests.decisions.test_service import decide


def letter_text(decision) -> str:  # type: ignore[no-untyped-def]
    data = current_app.extensions["grants_storage"].get(decision.letter_key)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    # A compound name broken at its hyphen at the end of a line reads whole again.
    text = re.sub(r"-\s*\n", "-", text)
    return re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\xa0", " "))


def plain(value: str) -> str:
    return re.sub(r"\s+", " ", value.replace("\u202f", " ").replace("\xa0", " "))


def test_a_grant_letter_reads_as_a_french_administrative_letter(pending, deciders):
    decision = decide(
        pending,
        "ARS_IMMO",
        deciders["ARS_IMMO"],
        "granted",
        {RE: "300000"},
        act_reference="DG-ARS-2026-0417",
        conditions="Ouverture de la maison de santé avant le 31 décembre 2027.",
        signatory="Mme Anne Dupont, directrice générale",
    )
    text = letter_text(decision)
    organisation = pending.organisation
    for expected in (
        "Agence régionale de santé Île-de-France",
        "Direction de l'offre de soins",
        f"Saint-Denis, le {plain(french_date(decision.decided_at.astimezone(PARIS).date()))}",
        f"Réf. : décision n° DG-ARS-2026-0417 du {plain(french_date(YESTERDAY))}",
        pending.reference,
        organisation.legal_name,
        "À l'attention de Dr Claire Martin, Gérante",
        "Objet : notification de la décision de l'Agence régionale de santé Île-de-France "
        "(aide à l'investissement immobilier (55 M€))",
        "l'Agence régionale de santé Île-de-France vous accorde, au titre de l'aide à "
        "l'investissement immobilier (55 M€), une subvention d'un montant total de 300 000,00 €",
        "Pour l'Agence régionale de santé Île-de-France, et par délégation,",
        pending.title,
        "Investissement immobilier",
        "308 641,97 €",  # what was asked of the ARS
        "Ouverture de la maison de santé avant le 31 décembre 2027.",
        "contrat pluriannuel d'objectifs et de moyens",
        "favorable",  # the committee's opinion
        "Voies et délais de recours",
        "recours gracieux auprès de l'autorité signataire",
        "recours contentieux devant le tribunal administratif compétent",
        "deux mois à compter de sa notification",
        "Télérecours citoyens",
        "Mme Anne Dupont, directrice générale",
        "considération distinguée",
    ):
        assert expected in text, expected


def test_a_partial_grant_letter_states_what_was_asked_and_why(pending, deciders):
    decision = decide(
        pending,
        "REGION_IDF",
        deciders["REGION_IDF"],
        "partially_granted",
        {RE: "200000", OP: "34567.89"},
        motivation="Plafond régional de l'aide à l'investissement.",
        act_reference="CP-2026-458",
    )
    text = letter_text(decision)
    for expected in (
        "Région Île-de-France",
        "Saint-Ouen-sur-Seine, le",
        "d'un montant total de 234 567,89 €",  # French format
        "200 000,00 €",
        "34 567,89 €",
        "348 641,97 €",  # asked of the Région: 308 641,97 + 40 000
        "satisfaite partiellement",
        "Plafond régional de l'aide à l'investissement.",
        "Une convention vous sera proposée",
        "la Région Île-de-France vous accorde une subvention",
    ):
        assert expected in text, expected
    assert track_of(pending, "REGION_IDF").state == "partially_granted"


def test_refusal_and_deferral_letters(pending, deciders):
    refusal = decide(
        pending,
        "DEP_77",
        deciders["DEP_77"],
        "refused",
        motivation="Le projet ne relève pas du schéma départemental 2026.",
    )
    text = letter_text(refusal)
    assert "Melun, le" in text
    assert "le Département de Seine-et-Marne n'a pas pu donner une suite favorable" in text
    assert "décision du Département de Seine-et-Marne sur votre demande" in text
    assert "n'a pas pu donner une suite favorable" in text
    assert "Le projet ne relève pas du schéma départemental 2026." in text
    assert "Voies et délais de recours" in text
    deferral = decide(
        pending,
        "REGION_IDF",
        deciders["REGION_IDF"],
        "deferred",
        motivation="Dans l'attente du vote du budget 2027.",
        conditions="Délibération du conseil municipal sur la mise à disposition du terrain.",
    )
    text = letter_text(deferral)
    assert "a ajourné sa décision" in text
    assert "Dans l'attente du vote du budget 2027." in text
    assert "Délibération du conseil municipal" in text
