"""The submission service: reference numbering per year and département, retry, frozen snapshot."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from grants.extensions import db
from grants.models import AuditEvent, Dossier
from grants.services import submission
from grants.services.snapshot import canonical_json, payload_sha256
from grants.services.submission import SubmissionRefusedError, submit_dossier
from tests import factories
from tests.helpers.complete_dossier import make_complete_dossier


def year() -> int:
    return datetime.now(UTC).astimezone(submission.PARIS).year


def file(dossier: Dossier, actor):  # type: ignore[no-untyped-def]
    return submit_dossier(dossier, actor=actor, expected_lock_version=dossier.lock_version)


def test_references_count_per_year_and_departement(promoter):
    factories.DossierFactory(
        organisation=promoter.memberships[0].organisation,
        created_by=promoter,
        state="submitted",
        reference=f"IDF-{year() - 1}-77-0007",
        submitted_at=datetime(2000, 1, 1, tzinfo=UTC),
    )
    first = make_complete_dossier(promoter)
    second = make_complete_dossier(promoter)
    elsewhere = make_complete_dossier(
        promoter, commune_codes=["93008"], financer_codes=["ARS_IMMO", "DEP_93"]
    )
    for dossier in (first, second, elsewhere):
        file(dossier, promoter)
    assert first.reference == f"IDF-{year()}-77-0001"
    assert second.reference == f"IDF-{year()}-77-0002"
    assert elsewhere.reference == f"IDF-{year()}-93-0001"


def test_the_departement_comes_from_the_first_commune_when_unset(promoter):
    dossier = make_complete_dossier(promoter, departement_code=None)
    file(dossier, promoter)
    assert dossier.departement_code == "77"
    assert dossier.reference.startswith(f"IDF-{year()}-77-")


def test_a_taken_reference_is_retried_in_a_savepoint(promoter, monkeypatch):
    taken = make_complete_dossier(promoter)
    file(taken, promoter)
    sequences = iter([1, 1, 2])  # as if a concurrent filing had taken number 1
    monkeypatch.setattr(submission, "next_sequence", lambda prefix: next(sequences))
    dossier = make_complete_dossier(promoter)
    version = file(dossier, promoter)
    assert dossier.reference == f"IDF-{year()}-77-0002"
    assert dossier.state == "completeness_check" and version.number == 1


def test_giving_up_after_repeated_collisions(promoter, monkeypatch):
    taken = make_complete_dossier(promoter)
    file(taken, promoter)
    monkeypatch.setattr(submission, "next_sequence", lambda prefix: 1)
    dossier = make_complete_dossier(promoter)
    with pytest.raises(SubmissionRefusedError) as refused:
        file(dossier, promoter)
    assert refused.value.status == 409
    db.session.expire_all()
    assert db.session.get(Dossier, dossier.id).state == "draft"


def test_snapshot_holds_the_whole_dossier(promoter):
    dossier = make_complete_dossier(promoter)
    version = file(dossier, promoter)
    payload = version.payload
    assert payload["dossier"]["reference"] == dossier.reference
    assert payload["organisation"]["legal_name"] == dossier.organisation.legal_name
    assert payload["sections"]["identity"]["aid_types"] == ["investment_real_estate", "operating"]
    assert payload["sections"]["real_estate"]["cost_works"] == "884567.89"
    assert payload["sections"]["territory"]["diagnosis_date"] == "2024-03-14"
    assert payload["communes"][0] == {
        "insee_code": "77458",
        "name": "Souppes-sur-Loing",
        "departement_code": "77",
        "population": payload["communes"][0]["population"],
    }
    assert len(payload["professionals"]) == 5 and len(payload["objectives"]) == 1
    assert len(payload["operating_lines"]) == 6
    assert {line["financer_code"] for line in payload["resource_lines"]} == {
        "ARS_IMMO",
        "REGION_IDF",
        "DEP_77",
        None,
    }
    assert payload["attachments"] and all(len(a["sha256"]) == 64 for a in payload["attachments"])
    aggregates = payload["aggregates"]
    assert aggregates["physicians_count"] == 3 and aggregates["professionals_count"] == 5
    assert Decimal(aggregates["costs_by_aid_type"]["investment_real_estate"]) == Decimal(
        "1234567.89"
    )
    assert aggregates["total_costs"] == aggregates["total_resources"]
    # The digest is over canonical JSON and the payload survives a round trip unchanged.
    assert version.payload_sha256 == payload_sha256(json.loads(canonical_json(payload)))
    db.session.expire_all()
    assert payload_sha256(db.session.get(type(version), version.id).payload) == (
        version.payload_sha256
    )


def test_refusals_change_nothing(promoter):
    dossier = make_complete_dossier(promoter, title="")
    with pytest.raises(SubmissionRefusedError) as refused:
        file(dossier, promoter)
    assert refused.value.status == 422
    assert [p.field for p in refused.value.problems] == ["title"]
    with pytest.raises(SubmissionRefusedError) as stale:
        submit_dossier(dossier, actor=promoter, expected_lock_version=dossier.lock_version - 1)
    assert stale.value.status == 409
    assert dossier.state == "draft" and dossier.reference is None
    assert not db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "dossier.submit")
    ).all()


def test_a_concurrent_save_is_caught_by_the_compare_and_set(promoter):
    from sqlalchemy import update

    dossier = make_complete_dossier(promoter)
    seen = dossier.lock_version
    # Another request saved the dossier after this one loaded it.
    db.session.execute(
        update(Dossier.__table__).where(Dossier.id == dossier.id).values(lock_version=seen + 1)
    )
    with pytest.raises(SubmissionRefusedError) as refused:
        submit_dossier(dossier, actor=promoter, expected_lock_version=seen)
    assert refused.value.status == 409
    assert "modifié entre-temps" in refused.value.message
