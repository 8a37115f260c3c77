"""The contract pages through HTTP: who reaches them, the instructor's edit form (a new version
each time, its PDF and DOCX generated after the commit), the five-year limit answered 422 in
French, indicators added and removed from the catalogue, downloads, and the dossier pages'
section listing the agreements."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from grants.extensions import db
from grants.models import AgreementVersion
from grants.models.choices import AGREEMENT_STATES
from grants.services.agreement_terms import add_years
from tests.agreements import support
from tests.conftest import login
from tests.workflow import agreement_support

D = Decimal


def test_the_promoter_and_the_staff_in_scope_see_the_contract_page(
    client, promoter, cpom, staff, client_for
):
    login(client, promoter.email)
    page = client.get(f"/conventions/{cpom.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "En préparation par le financeur" in text  # the promoter's wording
    assert "Modifier les clauses négociables" not in text
    for role in ("ars_instructor", "region_instructor", "monitor"):
        assert client_for(staff[role]).get(f"/conventions/{cpom.id}").status_code == 200
    assert client_for(staff["dep91_instructor"]).get(f"/conventions/{cpom.id}").status_code == 404
    outsider = support.outsider()
    assert client_for(outsider).get(f"/conventions/{cpom.id}").status_code == 404


def test_an_instructor_edits_the_negotiable_parts_and_gets_a_new_version(cpom, staff, client_for):
    instructor = client_for(staff["ars_instructor"])
    page = instructor.get(f"/conventions/{cpom.id}")
    assert "Modifier les clauses négociables" in page.get_data(as_text=True)
    form = support.terms_form(
        cpom,
        min_physicians="4",
        rent_ceiling_m2_year="110,50",
        specific_clauses="La structure accueille un interne en médecine générale dès 2028.",
        **{"indicators-3-targets-1": "4", "indicators-0-remove": "y"},
    )
    response = instructor.post(f"/conventions/{cpom.id}/modifier", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    assert cpom.min_physicians == 4
    assert cpom.rent_ceiling_m2_year == D("110.50")
    assert [i.code for i in cpom.indicators] == ["K2", "K3", "K4", "K5"]
    k4 = next(i for i in cpom.indicators if i.code == "K4")
    second_year = str(cpom.starts_on.year + 1)
    assert D(k4.targets[second_year]) == 4
    versions = db.session.scalars(
        select(AgreementVersion).where(AgreementVersion.agreement_id == cpom.id)
    ).all()
    assert [v.number for v in versions] == [1, 2]
    latest = versions[-1]
    assert latest.data_sha256 != versions[0].data_sha256
    assert latest.data["commitments"]["min_physicians"] == 4
    assert latest.pdf_key and latest.docx_key  # generated once the edit was committed
    pdf = instructor.get(f"/conventions/{cpom.id}/versions/2/document.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert pdf.headers["Content-Type"] == "application/pdf"
    word = instructor.get(f"/conventions/{cpom.id}/versions/2/document.docx")
    assert word.status_code == 200 and word.data.startswith(b"PK")


def test_more_than_five_years_is_refused_in_french(cpom, staff, client_for):
    instructor = client_for(staff["ars_instructor"])
    too_late = add_years(cpom.starts_on, 5)  # one day past the five years
    form = support.terms_form(cpom, ends_on=too_late.isoformat())
    response = instructor.post(f"/conventions/{cpom.id}/modifier", data=form)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "La durée d&#39;un CPOM ne peut pas dépasser cinq ans" in text
    db.session.expire_all()
    assert len(cpom.versions) == 1
    fine = support.terms_form(cpom, ends_on=(too_late - timedelta(days=1)).isoformat())
    assert instructor.post(f"/conventions/{cpom.id}/modifier", data=fine).status_code == 302


def test_an_indicator_is_added_from_the_catalogue(cpom, staff, client_for):
    instructor = client_for(staff["ars_instructor"])
    form = support.terms_form(cpom, add_indicator="K6")
    response = instructor.post(f"/conventions/{cpom.id}/modifier", data=form)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("#indicateurs")
    db.session.expire_all()
    assert [i.code for i in cpom.indicators][-1] == "K6"
    assert "K6 — Stagiaires accueillis" in instructor.get(response.headers["Location"]).get_data(
        as_text=True
    )


def test_only_the_financers_own_instructors_edit_and_only_a_draft(
    cpom, convention, staff, client_for
):
    region = client_for(staff["region_instructor"])
    assert region.get(f"/conventions/{cpom.id}/modifier").status_code == 403
    assert region.post(f"/conventions/{cpom.id}/modifier", data={}).status_code == 403
    assert region.get(f"/conventions/{convention.id}/modifier").status_code == 200
    ars = client_for(staff["ars_instructor"])
    support.render(cpom)
    sent = ars.post(f"/conventions/{cpom.id}/transitions/send", data={})
    assert sent.status_code == 302
    refused = ars.get(f"/conventions/{cpom.id}/modifier")
    assert refused.status_code == 422
    assert "reprenez-le d&#39;abord" in refused.get_data(as_text=True)


def test_a_stale_form_answers_409(cpom, staff, client_for):
    instructor = client_for(staff["ars_instructor"])
    form = support.terms_form(cpom, lock_version=str(cpom.lock_version - 1 or 99))
    assert instructor.post(f"/conventions/{cpom.id}/modifier", data=form).status_code == 409


def test_the_promoter_sees_documents_only_once_sent(client, promoter, cpom, staff, client_for):
    support.render(cpom)
    login(client, promoter.email)
    assert client.get(f"/conventions/{cpom.id}/versions/1/document.pdf").status_code == 404
    client_for(staff["ars_instructor"]).post(f"/conventions/{cpom.id}/transitions/send", data={})
    pdf = client.get(f"/conventions/{cpom.id}/versions/1/document.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert client.get(f"/conventions/{cpom.id}/versions/9/document.pdf").status_code == 404


def test_both_dossier_pages_list_the_agreements(
    client, promoter, dossier_decided, cpom, staff, client_for
):
    login(client, promoter.email)
    page = client.get(f"/espace/dossiers/{dossier_decided.id}").get_data(as_text=True)
    assert "Conventions de financement et CPOM" in page
    assert f"/conventions/{cpom.id}" in page
    staff_page = client_for(staff["ars_instructor"]).get(
        f"/instruction/dossiers/{dossier_decided.id}"
    )
    assert staff_page.status_code == 200
    assert f"CPOM {cpom.reference}" in staff_page.get_data(as_text=True)


@pytest.mark.parametrize("state", list(AGREEMENT_STATES))
def test_the_contract_page_opens_in_every_state_for_both_audiences(
    state, client, promoter, staff, client_for
):
    if state == "active":  # with an amendment being signed
        amendment = agreement_support.amendment_in(
            promoter, "ARS_IMMO", "sent_to_promoter", staff["ars_instructor"]
        )
        agreement = amendment.agreement
    else:
        agreement = agreement_support.agreement_in(promoter, "ARS_IMMO", state)
    login(client, promoter.email)
    for user_client in (client, client_for(staff["ars_decider"]), client_for(staff["monitor"])):
        page = user_client.get(f"/conventions/{agreement.id}")
        assert page.status_code == 200, page.get_data(as_text=True)[:1500]
