"""Versions and their documents: a draft is sent only once its document exists, the instructor
may take it back to edit it, the rendering task is idempotent, a failed rendering can be asked
again, and the promoter reaches neither the edit form nor a draft's documents."""

from __future__ import annotations

from grants.extensions import db
from grants.services.agreement_versions import version_of
from tests.agreements import support
from tests.conftest import login
from worker.tasks.agreements import render_version


def test_a_draft_is_sent_only_once_its_document_exists(cpom, staff, client_for):
    instructor = client_for(staff["ars_instructor"])
    version = version_of(cpom)
    version.pdf_key = version.pdf_sha256 = version.docx_key = version.docx_sha256 = None
    db.session.flush()  # as after a failed rendering
    refused = instructor.post(f"/conventions/{cpom.id}/transitions/send", data={})
    assert refused.status_code == 422
    assert "Le document est en cours de génération" in refused.get_data(as_text=True)
    regenerated = instructor.post(f"/conventions/{cpom.id}/versions/1/generer", data={})
    assert regenerated.status_code == 302
    db.session.expire_all()
    assert version_of(cpom).pdf_key is not None  # rendered after that commit
    assert instructor.post(f"/conventions/{cpom.id}/transitions/send", data={}).status_code == 302


def test_the_rendering_task_is_idempotent(cpom):
    version = version_of(cpom)
    version.pdf_key = None
    assert render_version(version.id) is True
    key = version.pdf_key
    assert render_version(version.id) is False
    assert version_of(cpom).pdf_key == key


def test_an_instructor_takes_a_sent_draft_back_to_edit_it(cpom, staff, client_for):
    support.render(cpom)
    instructor = client_for(staff["ars_instructor"])
    instructor.post(f"/conventions/{cpom.id}/transitions/send", data={})
    no_reason = instructor.post(f"/conventions/{cpom.id}/transitions/recall", data={})
    assert no_reason.status_code == 422
    assert "Indiquez le motif." in no_reason.get_data(as_text=True)
    back = instructor.post(
        f"/conventions/{cpom.id}/transitions/recall", data={"reason": "Cible K4 à revoir"}
    )
    assert back.status_code == 302
    db.session.expire_all()
    assert cpom.state == "drafted"
    assert instructor.get(f"/conventions/{cpom.id}/modifier").status_code == 200


def test_the_promoter_neither_edits_nor_countersigns(client, promoter, cpom):
    login(client, promoter.email)
    assert client.get(f"/conventions/{cpom.id}/modifier").status_code == 403
    assert client.get(f"/conventions/{cpom.id}/avenants/nouveau").status_code == 403
    assert client.post(f"/conventions/{cpom.id}/contre-signature", data={}).status_code == 422
    assert client.post(f"/conventions/{cpom.id}/versions/1/generer", data={}).status_code == 404
    assert client.get(f"/conventions/{cpom.id}/resiliation").status_code == 422
