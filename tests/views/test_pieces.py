"""Pieces over HTTP: upload checks, removal, download through the permission check, the panel."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import re

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from grants.extensions import db
from grants.models import Attachment, AuditEvent
from grants.models.base import utcnow
from tests import factories
from tests.pieces_support import EXE, PDF, PNG, configure, docx_bytes, financer, plain_zip_bytes


def _upload(client, dossier, data, name="Projet de santé.pdf", piece="projet_sante", **extra):
    return client.post(
        f"/espace/dossiers/{dossier.id}/pieces",
        data={"piece_code": piece, "file": (io.BytesIO(data), name), **extra},
        content_type="multipart/form-data",
    )


def _big_upload(client, dossier, data):
    """Like ``_upload`` but closes the spooled request body (werkzeug's test client does not)."""
    stream, length, boundary = stream_encode_multipart(
        {
            "piece_code": "projet_sante",
            "csrf_token": client.csrf_token(),
            "file": FileStorage(io.BytesIO(data), filename="gros.pdf"),
        }
    )
    try:
        return client.post(
            f"/espace/dossiers/{dossier.id}/pieces",
            input_stream=stream,
            content_length=length,
            content_type=f"multipart/form-data; boundary={boundary}",
        )
    finally:
        stream.close()


def _attachments(dossier):
    return db.session.scalars(select(Attachment).where(Attachment.dossier_id == dossier.id)).all()


def _actions(dossier):
    return [
        e.action
        for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.dossier_id == dossier.id).order_by(AuditEvent.id)
        )
    ]


@pytest.fixture
def storage(app):
    return app.extensions["grants_storage"]


def test_upload_stores_the_bytes_under_a_uuid_key(promoter_client, dossier, storage, promoter):
    response = _upload(promoter_client, dossier, PDF, name="../Projet de santé (v2).pdf")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/espace/dossiers/{dossier.id}/pieces")
    [attachment] = _attachments(dossier)
    assert attachment.original_name == "Projet de santé v2.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.size == len(PDF)
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert attachment.uploaded_by_id == promoter.id and attachment.financer_id is None
    assert "santé" not in attachment.storage_key and attachment.storage_key.startswith("pieces/")
    assert storage.get(attachment.storage_key) == PDF
    assert "dossier.piece_uploaded" in _actions(dossier)
    page = promoter_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Projet de santé v2.pdf" in page and "est déposée" in page


def test_upload_of_an_office_document_and_an_image(promoter_client, dossier):
    assert _upload(promoter_client, dossier, docx_bytes(), name="lettre.docx").status_code == 302
    assert _upload(promoter_client, dossier, PNG, name="scan", piece="statuts").status_code == 302
    by_piece = {a.piece_code: a for a in _attachments(dossier)}
    assert by_piece["projet_sante"].content_type.endswith("wordprocessingml.document")
    assert by_piece["statuts"].content_type == "image/png"
    assert by_piece["statuts"].original_name == "scan.png"


@pytest.mark.parametrize("data", [EXE, plain_zip_bytes(), b"texte brut"])
def test_disguised_or_unknown_type_is_refused(promoter_client, dossier, data):
    response = _upload(promoter_client, dossier, data, name="statuts.pdf")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Ce type de fichier n&#39;est pas accepté" in html
    assert "error-summary" in html
    assert _attachments(dossier) == []


def test_empty_file_is_refused_and_the_choices_are_kept(promoter_client, dossier):
    response = _upload(promoter_client, dossier, b"", piece="statuts")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Le fichier est vide" in html
    assert re.search(r'<option selected value="statuts">', html)
    assert 'href="#file"' in html  # the error summary points at the file input
    assert _attachments(dossier) == []


def test_missing_file_and_unknown_piece_are_form_errors(promoter_client, dossier):
    response = promoter_client.post(
        f"/espace/dossiers/{dossier.id}/pieces",
        data={"piece_code": "projet_sante"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "Choisissez un fichier à déposer." in response.get_data(as_text=True)
    response = _upload(promoter_client, dossier, PDF, piece="comptes_cds")  # not required here
    assert response.status_code == 422 and _attachments(dossier) == []


@pytest.fixture
def one_megabyte_limit(app, monkeypatch):
    settings = app.extensions["grants_settings"]
    monkeypatch.setitem(
        app.extensions, "grants_settings", dataclasses.replace(settings, max_upload_mb=1)
    )
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2 * 1024 * 1024)


def test_file_over_the_limit_is_refused(promoter_client, dossier, one_megabyte_limit):
    response = _big_upload(promoter_client, dossier, PDF + b"0" * (1024 * 1024))
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "dépasse la taille maximale autorisée (1 Mo)" in html
    assert _attachments(dossier) == []


def test_request_over_the_hard_cap_gets_a_friendly_page(
    promoter_client, dossier, one_megabyte_limit
):
    response = _big_upload(promoter_client, dossier, PDF + b"0" * (3 * 1024 * 1024))
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "Fichier trop volumineux" in html and "1 Mo" in html
    assert f"/espace/dossiers/{dossier.id}/pieces" in html


def test_financer_specific_piece(promoter_client, dossier):
    configure(dossier, structure_type="msp", financers=["DEP_77", "ARS_FIR"])
    dep77, ars = financer("DEP_77"), financer("ARS_FIR")
    response = _upload(
        promoter_client, dossier, PDF, piece="formulaire_departement", financer_id=str(ars.id)
    )
    assert response.status_code == 422
    assert "Ce cofinanceur ne demande pas cette pièce." in response.get_data(as_text=True)
    response = _upload(
        promoter_client, dossier, PDF, piece="formulaire_departement", financer_id=str(dep77.id)
    )
    assert response.status_code == 302
    [attachment] = _attachments(dossier)
    assert attachment.financer_id == dep77.id


def test_remove_keeps_the_row_and_the_object(promoter_client, dossier, storage):
    _upload(promoter_client, dossier, PDF)
    [attachment] = _attachments(dossier)
    response = promoter_client.post(
        f"/espace/dossiers/{dossier.id}/pieces/{attachment.id}/supprimer", data={}
    )
    assert response.status_code == 302
    db.session.refresh(attachment)
    assert attachment.removed_at is not None
    assert storage.exists(attachment.storage_key)
    assert _actions(dossier)[-1] == "dossier.piece_removed"
    url = f"/espace/dossiers/{dossier.id}/pieces/{attachment.id}"
    assert promoter_client.get(url).status_code == 404
    page = promoter_client.get(f"/espace/dossiers/{dossier.id}/pieces").get_data(as_text=True)
    assert "Aucune pièce déposée" in page


def test_download_streams_with_safe_headers(promoter_client, dossier):
    _upload(promoter_client, dossier, PDF, name="Délibération.pdf")
    [attachment] = _attachments(dossier)
    response = promoter_client.get(f"/espace/dossiers/{dossier.id}/pieces/{attachment.id}")
    assert response.status_code == 200
    assert response.data == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''D%C3%A9lib%C3%A9ration.pdf" in disposition


def test_other_organisations_dossier_answers_404(client, dossier, storage):
    stranger = factories.UserFactory()
    factories.MembershipFactory(user=stranger)
    owner = dossier.created_by
    attachment = Attachment(
        dossier=dossier,
        piece_code="projet_sante",
        storage_key="pieces/other/secret",
        original_name="secret.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256="0" * 64,
        uploaded_by=owner,
    )
    db.session.add(attachment)
    db.session.flush()
    storage.put(attachment.storage_key, PDF, "application/pdf")
    from tests.conftest import login

    login(client, stranger.email)
    base = f"/espace/dossiers/{dossier.id}/pieces"
    assert _upload(client, dossier, PDF).status_code == 404
    assert client.get(base).status_code == 404
    assert client.get(f"{base}/{attachment.id}").status_code == 404
    assert client.post(f"{base}/{attachment.id}/supprimer", data={}).status_code == 404
    assert attachment.removed_at is None and len(_attachments(dossier)) == 1


def test_attachment_of_another_dossier_is_404(promoter_client, dossier, promoter):
    other = factories.DossierFactory(organisation=dossier.organisation, created_by=promoter)
    db.session.flush()
    _upload(promoter_client, other, PDF)
    [attachment] = _attachments(other)
    base = f"/espace/dossiers/{dossier.id}/pieces/{attachment.id}"
    assert promoter_client.get(base).status_code == 404
    assert promoter_client.post(f"{base}/supprimer", data={}).status_code == 404


def test_submitted_dossier_refuses_upload_and_removal(promoter_client, dossier):
    _upload(promoter_client, dossier, PDF)
    [attachment] = _attachments(dossier)
    dossier.state, dossier.reference, dossier.submitted_at = "submitted", "D-TEST-1", utcnow()
    db.session.flush()
    assert _upload(promoter_client, dossier, PDF).status_code == 409
    base = f"/espace/dossiers/{dossier.id}/pieces/{attachment.id}"
    assert promoter_client.post(f"{base}/supprimer", data={}).status_code == 409
    assert promoter_client.get(base).status_code == 200
    page = promoter_client.get(f"/espace/dossiers/{dossier.id}/pieces").get_data(as_text=True)
    assert "Déposer la pièce" not in page and "Retirer" not in page


def test_dossier_page_lists_missing_pieces_per_financer(promoter_client, dossier):
    configure(
        dossier,
        structure_type="msp",
        aid_types=["investment_real_estate"],
        financers=["ARS_IMMO", "DEP_77"],
    )
    _upload(promoter_client, dossier, PDF)  # projet_sante
    html = promoter_client.get(f"/espace/dossiers/{dossier.id}").get_data(as_text=True)
    panel = html.split('id="pieces-title"')[1]
    ars_part = panel.split("<h3>ARS Île-de-France — aide à l&#39;investissement immobilier")[1]
    ars_part = ars_part.split("<h3>")[0]
    dep_part = panel.split("<h3>Département de Seine-et-Marne</h3>")[1].split("<h3>")[0]
    assert 'Diagnostic territorial partagé <span class="badge missing">manquante' in ars_part
    assert "Diagnostic territorial partagé" not in dep_part
    assert 'Formulaire propre au Département <span class="badge missing">' in dep_part
    assert 'Projet de santé <span class="badge ok">fournie' in dep_part
    assert 'enctype="multipart/form-data"' in html and 'name="csrf_token"' in html


def test_pieces_page_query_count_does_not_grow_with_attachments(
    promoter_client, dossier, count_queries
):
    configure(dossier, structure_type="msp", financers=["ARS_FIR", "DEP_77", "REGION_IDF"])
    url = f"/espace/dossiers/{dossier.id}/pieces"
    _upload(promoter_client, dossier, PDF)
    with count_queries() as one:
        assert promoter_client.get(url).status_code == 200
    for piece in ("statuts", "lettres_engagement_ps", "plan_financement_signe", "extrait_cls"):
        _upload(promoter_client, dossier, PDF, piece=piece)
    with count_queries() as five:
        html = promoter_client.get(url).get_data(as_text=True)
    assert html.count("Télécharger") == 5
    assert five.count == one.count <= 8
