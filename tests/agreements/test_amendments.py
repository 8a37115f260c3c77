"""Amendments (avenants) through HTTP: drafted over a CPOM in force with a reason and the changed
negotiable parts, a new version of the document saying what changes, the same signature path,
applied once countersigned, and the history kept."""

from __future__ import annotations

import io

import docx
from flask import current_app

from grants.extensions import db
from grants.models import Amendment
from tests.agreements import support
from tests.agreements.test_documents import pdf_text
from tests.conftest import login


def active_cpom(cpom, promoter, staff):  # type: ignore[no-untyped-def]
    return support.activate(cpom, promoter, staff["ars_instructor"], staff["ars_decider"])


def test_an_amendment_follows_the_signature_path_and_applies_when_countersigned(
    client, promoter, cpom, staff, client_for
):
    active_cpom(cpom, promoter, staff)
    instructor = client_for(staff["ars_instructor"])
    assert "Préparer un avenant" in instructor.get(f"/conventions/{cpom.id}").get_data(as_text=True)
    form = support.terms_form(cpom, reason="Départ d'un médecin non remplacé", min_physicians="2")
    response = instructor.post(f"/conventions/{cpom.id}/avenants/nouveau", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    (amendment,) = cpom.amendments
    assert (amendment.number, amendment.state) == (1, "drafted")
    assert amendment.changes["changed"] == [
        {
            "field": "min_physicians",
            "label": "Nombre minimal de médecins",
            "before": "3",
            "after": "2",
        }
    ]
    assert cpom.min_physicians == 3  # not applied yet
    version = cpom.versions[-1]
    assert (version.number, version.amendment_id) == (2, amendment.id)
    assert version.pdf_key  # rendered after the commit
    storage = current_app.extensions["grants_storage"]
    text = pdf_text(storage.get(version.pdf_key))
    assert "AVENANT N° 1 AU CONTRAT PLURIANNUEL D'OBJECTIFS ET DE MOYENS (CPOM)" in text
    assert "Motif : Départ d'un médecin non remplacé" in text
    assert "Nombre minimal de médecins 3 2" in text
    assert "au moins 2 médecins" in text
    word = docx.Document(io.BytesIO(storage.get(version.docx_key)))
    assert any("Objet de l'avenant n° 1" in p.text for p in word.paragraphs)

    # The promoter does not see it before it is sent; then signs it like the agreement.
    login(client, promoter.email)
    assert client.get(f"/conventions/{cpom.id}/versions/2/document.pdf").status_code == 404
    url = f"/conventions/{cpom.id}/avenants/{amendment.id}/transitions"
    assert instructor.post(f"{url}/send", data={}).status_code == 302
    assert client.get(f"/conventions/{cpom.id}/versions/2/document.pdf").status_code == 200
    signed = client.post(
        f"/conventions/{cpom.id}/avenants/{amendment.id}/signature",
        data={"method": "typed", "typed_name": "Claire Martin", "confirm": "y"},
    )
    assert signed.status_code == 302, signed.get_data(as_text=True)[:1500]
    decider = client_for(staff["ars_decider"])
    assert decider.post(f"{url}/countersign", data={}).status_code == 302
    db.session.expire_all()
    amendment = db.session.get(Amendment, amendment.id)
    assert amendment.state == "active" and amendment.countersigned_at is not None
    assert cpom.min_physicians == 2  # applied
    page = decider.get(f"/conventions/{cpom.id}").get_data(as_text=True)
    assert "Avenant n° 1" in page and "Départ d&#39;un médecin non remplacé" in page
    assert "Version 2" in page and "Version 1" in page  # history kept


def test_an_amendment_must_change_something_and_give_its_reason(cpom, promoter, staff, client_for):
    active_cpom(cpom, promoter, staff)
    instructor = client_for(staff["ars_instructor"])
    same = support.terms_form(cpom, reason="Rien")
    response = instructor.post(f"/conventions/{cpom.id}/avenants/nouveau", data=same)
    assert response.status_code == 422
    assert "L&#39;avenant ne modifie aucune clause" in response.get_data(as_text=True)
    no_reason = support.terms_form(cpom, reason="", min_physicians="2")
    response = instructor.post(f"/conventions/{cpom.id}/avenants/nouveau", data=no_reason)
    assert response.status_code == 422
    assert "Indiquez le motif de l&#39;avenant." in response.get_data(as_text=True)
    db.session.expire_all()
    assert cpom.amendments == []


def test_one_amendment_at_a_time_and_only_in_force(cpom, convention, promoter, staff, client_for):
    instructor = client_for(staff["ars_instructor"])
    assert instructor.get(f"/conventions/{cpom.id}/avenants/nouveau").status_code == 422
    active_cpom(cpom, promoter, staff)
    form = support.terms_form(cpom, reason="Loyer révisé", rent_ceiling_m2_year="115")
    assert instructor.post(f"/conventions/{cpom.id}/avenants/nouveau", data=form).status_code == 302
    again = instructor.get(f"/conventions/{cpom.id}/avenants/nouveau")
    assert again.status_code == 422
    assert "Un avenant est déjà en cours" in again.get_data(as_text=True)
    region = client_for(staff["region_instructor"])
    assert region.get(f"/conventions/{cpom.id}/avenants/nouveau").status_code == 403
    db.session.expire_all()
    (amendment,) = cpom.amendments
    cancelled = instructor.post(
        f"/conventions/{cpom.id}/avenants/{amendment.id}/transitions/cancel",
        data={"reason": "Erreur de saisie"},
    )
    assert cancelled.status_code == 302
    db.session.expire_all()
    assert cpom.amendments[0].state == "cancelled"
    assert cpom.rent_ceiling_m2_year == 120
