"""Signature through HTTP: the promoter's owner signs in the product (typed name, confirmation,
time and IP recorded) or uploads the signed copy (PDF only), a member may not sign, the ARS
decider countersigns a CPOM (a Région decider may not), and the agreement in force gets its
payment tranches and reporting periods while the dossier moves into execution (T13)."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from grants.extensions import db
from grants.models import AuditEvent, PaymentTranche, ReportingPeriod
from tests.agreements import support
from tests.conftest import login
from tests.workflow.support import member_of

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def sent(agreement, staff, client_for):  # type: ignore[no-untyped-def]
    support.render(agreement)
    instructor = staff["ars_instructor"] if agreement.kind == "cpom" else staff["region_instructor"]
    response = client_for(instructor).post(f"/conventions/{agreement.id}/transitions/send", data={})
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    db.session.expire_all()
    assert agreement.state == "sent_to_promoter"


def test_the_promoter_signs_in_the_product_with_a_typed_name(
    client, promoter, cpom, staff, client_for
):
    sent(cpom, staff, client_for)
    login(client, promoter.email)
    page = client.get(f"/conventions/{cpom.id}/signature")
    assert page.status_code == 200
    assert "télécharger le PDF" in page.get_data(as_text=True)
    response = client.post(
        f"/conventions/{cpom.id}/signature",
        data={"method": "typed", "typed_name": "Claire Martin", "confirm": "y"},
        environ_base={"REMOTE_ADDR": "203.0.113.7"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    db.session.expire_all()
    assert cpom.state == "signed_by_promoter"
    assert cpom.promoter_signature_method == "typed"
    assert cpom.promoter_signed_name == "Claire Martin"
    assert cpom.promoter_signed_ip == "203.0.113.7"
    assert cpom.promoter_signed_at is not None
    assert cpom.promoter_signed_by_id == promoter.id
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "agreement.sign").order_by(AuditEvent.id)
    )
    assert event.data["ip"] == "203.0.113.7"
    assert event.data["version"] == 1


def test_a_typed_signature_needs_the_name_and_the_confirmation(
    client, promoter, cpom, staff, client_for
):
    sent(cpom, staff, client_for)
    login(client, promoter.email)
    response = client.post(
        f"/conventions/{cpom.id}/signature", data={"method": "typed", "typed_name": " "}
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Saisissez vos nom et prénom pour signer." in text
    assert "Cochez la case de confirmation de signature." in text
    db.session.expire_all()
    assert cpom.state == "sent_to_promoter"


def test_the_promoter_uploads_the_signed_copy_pdf_only(client, promoter, cpom, staff, client_for):
    sent(cpom, staff, client_for)
    login(client, promoter.email)
    wrong = client.post(
        f"/conventions/{cpom.id}/signature",
        data={
            "method": "upload",
            "signed_copy": (io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"0" * 64), "s.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert wrong.status_code == 422
    assert "La copie signée doit être un fichier PDF" in wrong.get_data(as_text=True)
    response = client.post(
        f"/conventions/{cpom.id}/signature",
        data={"method": "upload", "signed_copy": (io.BytesIO(PDF), "cpom signé.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    db.session.expire_all()
    assert cpom.promoter_signature_method == "upload"
    assert cpom.signed_copy_sha256 is not None
    copy = client.get(f"/conventions/{cpom.id}/copie-signee.pdf")
    assert copy.status_code == 200 and copy.data == PDF


def test_a_plain_member_may_not_sign(client, promoter, cpom, staff, client_for):
    sent(cpom, staff, client_for)
    member = member_of(promoter)
    response = client_for(member).post(
        f"/conventions/{cpom.id}/signature",
        data={"method": "typed", "typed_name": "Paul", "confirm": "y"},
    )
    assert response.status_code == 403
    assert "Seul un responsable de l&#39;organisation porteuse peut signer" in response.get_data(
        as_text=True
    )


def test_countersignature_puts_the_cpom_in_force(
    client, promoter, dossier_decided, cpom, staff, client_for
):
    sent(cpom, staff, client_for)
    login(client, promoter.email)
    client.post(
        f"/conventions/{cpom.id}/signature",
        data={"method": "typed", "typed_name": "Claire Martin", "confirm": "y"},
    )
    region = client_for(staff["region_decider"])
    assert region.post(f"/conventions/{cpom.id}/contre-signature", data={}).status_code == 403
    decider = client_for(staff["ars_decider"])
    page = decider.get(f"/conventions/{cpom.id}").get_data(as_text=True)
    assert "Contre-signer : la convention entre en vigueur" in page
    assert "Clauses du projet" in page and '<span class="badge">version à signer</span>' in page
    response = decider.post(f"/conventions/{cpom.id}/contre-signature", data={})
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    page = decider.get(f"/conventions/{cpom.id}").get_data(as_text=True)
    assert "Clauses en vigueur" in page and '<span class="badge">en vigueur</span>' in page
    db.session.expire_all()
    assert cpom.state == "active"
    assert cpom.countersigned_by_id == staff["ars_decider"].id
    tranches = db.session.scalars(
        select(PaymentTranche).where(PaymentTranche.agreement_id == cpom.id)
    ).all()
    assert [t.kind for t in tranches] == ["advance", "interim", "balance"]
    schedule = support.agreement_versions.version_of(cpom).data["financial"]["schedule"]
    assert [str(t.amount) for t in tranches] == [line["amount"] for line in schedule]
    periods = db.session.scalar(
        select(func.count(ReportingPeriod.id)).where(ReportingPeriod.agreement_id == cpom.id)
    )
    assert periods > 0
    assert dossier_decided.state == "in_execution"  # T13: the first agreement in force
    page = decider.get(f"/conventions/{cpom.id}").get_data(as_text=True)
    assert "Versements" in page and "Suivi des engagements" in page


def test_a_refused_signature_goes_back_to_the_promoter(client, promoter, cpom, staff, client_for):
    sent(cpom, staff, client_for)
    login(client, promoter.email)
    client.post(
        f"/conventions/{cpom.id}/signature",
        data={"method": "typed", "typed_name": "Claire Martin", "confirm": "y"},
    )
    instructor = client_for(staff["ars_instructor"])
    refused = instructor.post(
        f"/conventions/{cpom.id}/transitions/reject_signature", data={"reason": "Nom incomplet."}
    )
    assert refused.status_code == 302
    db.session.expire_all()
    assert cpom.state == "sent_to_promoter"
    assert cpom.promoter_signed_at is None and cpom.promoter_signed_name is None
