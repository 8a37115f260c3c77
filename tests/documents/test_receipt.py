"""The filing receipt: a PDF rendered from the frozen version, French amounts, escaped text."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from grants.documents import pdf
from grants.documents.receipt import receipt_context
from grants.extensions import db
from grants.models import Dossier
from grants.templating import french_date
from tests.helpers.complete_dossier import make_complete_dossier

TITLE = 'MSP <script>alert("x")</script> & Cie'


def submit(client, dossier: Dossier) -> None:  # type: ignore[no-untyped-def]
    response = client.post(
        f"/espace/dossiers/{dossier.id}/depot", data={"lock_version": str(dossier.lock_version)}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def pdf_text(data: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"[ \u202f\xa0]+", " ", text)


def receipt_url(dossier: Dossier, number: int = 1) -> str:
    return f"/espace/dossiers/{dossier.id}/versions/{number}/accuse-de-depot.pdf"


def test_the_receipt_is_a_pdf_with_the_filing_details(promoter_client, promoter):
    dossier = make_complete_dossier(promoter, title=TITLE)
    submit(promoter_client, dossier)
    response = promoter_client.get(receipt_url(dossier))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="accuse-depot-{dossier.reference}-v1.pdf"'
    )
    text = pdf_text(response.data)
    version = dossier.versions[0]
    assert "Accusé de dépôt" in text
    assert dossier.reference in text
    assert dossier.organisation.legal_name in text
    assert dossier.organisation.siret in text
    assert "Dr Claire Martin" in text
    assert re.sub(r"[\u202f\xa0]", " ", french_date(dossier.submitted_at)) in text
    assert "1 234 567,89 €" in text  # real-estate costs and resources, French format
    assert "884 567,89 €" in text
    assert "Souppes-sur-Loing (77458)" in text
    assert "5 dont 3 médecins" in text
    assert "Région Île-de-France" in text
    assert version.payload_sha256 in text.replace("\n", "")
    first_piece = version.payload["attachments"][0]
    assert first_piece["sha256"][:12] in text
    # User text is shown as text, never interpreted as markup.
    assert TITLE in text


def test_user_text_is_escaped_in_the_html(app, promoter_client, promoter):
    dossier = make_complete_dossier(promoter, title=TITLE)
    submit(promoter_client, dossier)
    from flask import render_template

    with app.test_request_context():
        html = render_template("documents/receipt.html", **receipt_context(dossier.versions[0]))
    assert "<script>" not in html
    assert "&lt;script&gt;" in html and "&amp; Cie" in html


def test_the_receipt_comes_from_the_frozen_version(promoter_client, promoter):
    dossier = make_complete_dossier(promoter)
    submit(promoter_client, dossier)
    frozen_title = dossier.title
    dossier.title = "Titre modifié après le dépôt"
    db.session.flush()
    text = pdf_text(promoter_client.get(receipt_url(dossier)).data)
    assert frozen_title in text and "Titre modifié" not in text


def test_unknown_version_is_404(promoter_client, promoter):
    dossier = make_complete_dossier(promoter)
    assert promoter_client.get(receipt_url(dossier)).status_code == 404
    submit(promoter_client, dossier)
    assert promoter_client.get(receipt_url(dossier, 2)).status_code == 404


def test_the_stylesheet_and_fonts_are_shared():
    assert pdf.stylesheet() is pdf.stylesheet()
    assert pdf.font_config() is pdf.font_config()
