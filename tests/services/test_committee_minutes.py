"""The procès-verbal: content snapshot, PDF text, approval frozen by a hash, corrections."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest
from flask import current_app
from sqlalchemy import select

from grants.extensions import db
from grants.models import AuditEvent
from grants.services import committee_minutes as minutes_service
from grants.services import committee_recording as recording
from grants.services.committee import CommitteeRefused
from grants.services.committee_recording import ItemRecord
from tests import factories
from tests.documents.test_receipt import pdf_text
from tests.helpers import committee as data
from tests.services.test_committee_recording import frozen

D = Decimal


def flat(text: str) -> str:
    """PDF text on one line (a line may break after a hyphen of a compound name)."""
    return text.replace("-\n", "-").replace("\n", " ")


@pytest.fixture
def dd(app):  # type: ignore[no-untyped-def]
    return factories.make_staff("dd_instructor", factories.ARS_FINANCERS, departement="77")


@pytest.fixture
def examined(committee_secretary, promoter, dd):  # type: ignore[no-untyped-def]
    """A held session: a favourable item with reservations and amounts and a conflict, a
    deferred item; attendance recorded."""
    first = data.instructed_dossier(promoter, dd, title="Maison de santé de Drancy")
    second = data.instructed_dossier(promoter, dd, title="Maison de santé d'Épinay")
    session = frozen(committee_secretary, first, second)
    urps, secretary, guest = session.members
    recording.record_attendance(
        session,
        {urps.id: "present", secretary.id: "present", guest.id: "excused"},
        actor=committee_secretary,
        expected_version=None,
    )
    recording.record_item(
        session.items[0],
        ItemRecord(
            opinion="favourable_with_reservations",
            reservations="Loyer modéré à justifier avant tout versement.",
            discussion="Équipe de six médecins constituée.",
            amounts={
                (data.financer_id("ARS_IMMO"), "investment_real_estate"): D("440000"),
                (data.financer_id("REGION_IDF"), "investment_real_estate"): D("1234567.89"),
            },
            conflicts={urps.id: "Exerce dans la commune voisine."},
        ),
        actor=committee_secretary,
        expected_version=None,
    )
    recording.record_item(
        session.items[1],
        ItemRecord(opinion="deferred", deferral_reasons="Foncier non maîtrisé."),
        actor=committee_secretary,
        expected_version=None,
    )
    return session


def test_the_content_snapshots_what_was_recorded(examined):
    content = minutes_service.build_content(examined)
    urps = examined.members[0]
    first, second = content["items"]
    assert first["opinion"] == "favourable_with_reservations"
    assert first["conflicts"] == [
        {
            "name": urps.full_name,
            "institution": urps.institution,
            "note": "Exerce dans la commune voisine.",
        }
    ]
    assert urps.full_name not in first["participants"]
    assert examined.members[1].full_name in first["participants"]
    assert first["total"] == "1674567.89"
    assert second["deferral_reasons"] == "Foncier non maîtrisé." and second["amounts"] == []
    assert content["totals"] == [
        {
            "financer": "ARS Île-de-France — aide à l'investissement immobilier (55 M€)",
            "amount": "440000.00",
        },
        {"financer": "Région Île-de-France", "amount": "1234567.89"},
    ]


def test_draft_pdf_approval_and_correction(examined, committee_secretary):
    draft = minutes_service.generate(examined, actor=committee_secretary, expected_version=None)
    assert (draft.version, draft.state, draft.sha256) == (1, "draft", None)
    text = pdf_text(minutes_service.read_pdf(draft))
    urps = examined.members[0]
    for expected in (
        "Procès-verbal de la séance du 14 janvier 2027",
        "PROJET",
        "14 janvier 2027 à 14:30",
        "13 rue du Landy",
        "Martine Roussel",
        "Région Île-de-France",
        "Excusé",
        "Favorable avec réserves",
        "Loyer modéré à justifier",
        "Foncier non maîtrisé.",
        "1 234 567,89 €",
        "440 000,00 €",
        f"{urps.full_name} ({urps.institution}), ayant déclaré un conflit d'intérêts, n'a pas "
        "pris part à l'examen de ce dossier.",
        "Ajournement",
    ):
        assert expected in flat(text), expected

    # Regenerating a draft keeps its version; approval needs it up to date.
    again = minutes_service.generate(examined, actor=committee_secretary, expected_version=None)
    assert again is draft and again.version == 1
    examined.items[0].discussion = "Synthèse complétée."
    db.session.flush()
    with pytest.raises(CommitteeRefused) as refused:
        minutes_service.approve(draft, actor=committee_secretary, expected_version=None)
    assert refused.value.status == 409 and "régénérez" in refused.value.message
    minutes_service.generate(examined, actor=committee_secretary, expected_version=None)
    minutes_service.approve(draft, actor=committee_secretary, expected_version=None)
    assert draft.state == "approved" and examined.state == "closed"
    approved_bytes = minutes_service.read_pdf(draft)
    assert hashlib.sha256(approved_bytes).hexdigest() == draft.sha256
    approved_text = pdf_text(approved_bytes)
    assert "PROJET" not in approved_text and "approuvée le" in approved_text

    with pytest.raises(CommitteeRefused, match="motif"):
        minutes_service.generate(examined, actor=committee_secretary, expected_version=None)
    correction = minutes_service.generate(
        examined,
        actor=committee_secretary,
        expected_version=None,
        correction_reason="Orthographe du nom d'un membre.",
    )
    assert (correction.version, correction.state) == (2, "draft")
    assert examined.state == "held"
    assert "Orthographe du nom d'un membre." in pdf_text(minutes_service.read_pdf(correction))
    minutes_service.approve(correction, actor=committee_secretary, expected_version=None)
    assert examined.state == "closed"
    assert minutes_service.read_pdf(draft) == approved_bytes  # version 1 unchanged
    actions = set(
        db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.stream == f"committee:{examined.id}")
        )
    )
    assert {
        "committee.minutes_drafted",
        "committee.minutes_regenerated",
        "committee.minutes_approved",
        "committee.minutes_correction_started",
    } <= actions


def test_approval_needs_every_opinion_and_attendance(committee_secretary, promoter, dd):
    session = frozen(committee_secretary, data.instructed_dossier(promoter, dd))
    recording.open_recording(session, actor=committee_secretary, expected_version=None)
    draft = minutes_service.generate(session, actor=committee_secretary, expected_version=None)
    with pytest.raises(CommitteeRefused) as refused:
        minutes_service.approve(draft, actor=committee_secretary, expected_version=None)
    assert refused.value.reasons == [f"Avis non enregistré : {session.items[0].dossier.reference}."]
    recording.record_item(
        session.items[0],
        ItemRecord(opinion="unfavourable"),
        actor=committee_secretary,
        expected_version=None,
    )
    minutes_service.generate(session, actor=committee_secretary, expected_version=None)
    with pytest.raises(CommitteeRefused) as refused:
        minutes_service.approve(draft, actor=committee_secretary, expected_version=None)
    assert len(refused.value.reasons) == 3  # nobody's attendance is known yet


def test_the_stored_approved_file_is_checked_against_its_hash(examined, committee_secretary):
    draft = minutes_service.generate(examined, actor=committee_secretary, expected_version=None)
    minutes_service.approve(draft, actor=committee_secretary, expected_version=None)
    current_app.extensions["grants_storage"].put(
        draft.storage_key, b"%PDF-altered", "application/pdf"
    )
    with pytest.raises(CommitteeRefused) as refused:
        minutes_service.read_pdf(draft)
    assert refused.value.status == 500
