"""The generated documents, read back: the PDF's text (pypdf) and the DOCX's text (python-docx)
carry the parties, the amounts in French format, the dates, the duration, the indicators and
their yearly targets; both come from the same version data and are stored with their hashes."""

from __future__ import annotations

import hashlib
import io
from decimal import Decimal
from html import unescape

import docx
import pypdf
from flask import current_app

from grants.documents import cpom as document
from grants.services.agreement_versions import version_of
from grants.templating import french_date
from tests.agreements import support

SPACES = str.maketrans({"\u202f": " ", "\xa0": " ", "\n": " "})


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = " ".join(page.extract_text() for page in reader.pages)
    return " ".join(text.translate(SPACES).split())


def docx_text(data: bytes) -> str:
    word = docx.Document(io.BytesIO(data))
    parts = [p.text for p in word.paragraphs]
    for table in word.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return " ".join(" ".join(parts).translate(SPACES).split())


def stored(key: str) -> bytes:
    return current_app.extensions["grants_storage"].get(key)


def expectations(agreement) -> list[str]:  # type: ignore[no-untyped-def]
    start, end = agreement.starts_on, agreement.ends_on
    years = range(start.year, end.year + 1)
    return [
        # Parties and signatories.
        "Agence régionale de santé Île-de-France, représentée par Mme Anne Dupont",
        "SIRET 73282932000074",
        "représentée par Dr Claire Martin, Gérante, ci-après « la structure »",
        # Amounts in French format.
        "une aide d'un montant total de 1 234 567,89 €",
        "370 370,37 €",  # the advance: 30 %
        # Dates and duration.
        f"du {french_date(start)} au {french_date(end)}",
        "durée de 5 ans (60 mois)",
        # Visas: the decision and the committee's opinion.
        "Vu la décision n° DEC-ARS_IMMO-2026-014",
        "Vu l'avis « favorable avec réserves » du comité d'instruction partagé",
        # Commitments.
        "au moins 3 médecins représentant au moins 2,8 ETP",
        "d'au plus 120,00 € par m² et par an",
        # Indicators and their targets, one per year.
        "K4 — Activité médicale maintenue (médecins)",
        "K5 — Loyer modéré respecté",
        " ".join(str(y) for y in years),
        "15 % " * len(years),
        # Annexes.
        "Annexe 2 — Plan de financement (tous cofinanceurs)",
        "Région Île-de-France",
        "Annexe 5 — Professionnels à la signature",
        "Linh Nguyen",
    ]


def test_the_cpom_pdf_says_what_the_outline_requires(promoter):
    cpom = support.agreement_of(support.decided(promoter), "ARS_IMMO")
    version = support.render(cpom)
    data = stored(version.pdf_key)
    assert hashlib.sha256(data).hexdigest() == version.pdf_sha256
    text = pdf_text(data)
    assert "CONTRAT PLURIANNUEL D'OBJECTIFS ET DE MOYENS (CPOM)" in text
    missing = [e.strip() for e in expectations(cpom) if e.strip() not in text]
    assert not missing, missing
    for article in range(1, 15):
        assert f"Article {article} —" in text
    for annex in range(1, 7):
        assert f"Annexe {annex} —" in text


def test_the_docx_says_the_same_from_the_same_data(promoter):
    cpom = support.agreement_of(support.decided(promoter), "ARS_IMMO")
    version = support.render(cpom)
    data = stored(version.docx_key)
    assert hashlib.sha256(data).hexdigest() == version.docx_sha256
    text = docx_text(data)
    missing = [e.strip() for e in expectations(cpom) if e.strip() not in text]
    assert not missing, missing
    assert "CONTRAT PLURIANNUEL D'OBJECTIFS ET DE MOYENS (CPOM)" in text


def test_a_convention_follows_its_own_shorter_outline(promoter):
    convention = support.agreement_of(support.decided(promoter), "REGION_IDF")
    version = support.render(convention)
    text = pdf_text(stored(version.pdf_key))
    assert "CONVENTION DE FINANCEMENT" in text
    assert "Vu le code général des collectivités territoriales" in text
    assert "Région Île-de-France attribue une subvention d'un montant total de 290 000,00 €" in text
    assert "Investissement immobilier 250 000,00 €" in text
    assert "Fonctionnement 40 000,00 €" in text
    assert "Article 10 — Litiges" in text
    assert "Article 12" not in text and "CPOM" not in text.replace("Convention ou CPOM", "")
    assert "Annexe 2 — Échéancier des versements et justificatifs" in text


def test_the_html_and_the_docx_come_from_one_outline(promoter):
    cpom = support.agreement_of(support.decided(promoter), "ARS_IMMO")
    data = version_of(cpom).data
    blocks = document.outline(data)
    html = unescape(document.render_html(data, blocks))
    word = docx_text(document.render_docx(data, blocks))
    headings = [b.text for b in blocks if b.kind == "heading"]
    assert len(headings) == 20  # fourteen articles, six annexes
    for heading in headings:
        assert heading in html
        assert heading in word


def test_amounts_are_written_in_french_format():
    from grants.documents.cpom_blocks import m

    assert m("1234567.89").translate(SPACES) == "1 234 567,89 €"
    assert m(str(Decimal("0.5"))).translate(SPACES) == "0,50 €"
