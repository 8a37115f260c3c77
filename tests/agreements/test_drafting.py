"""T12: once the dossier is decided, the engine drafts one agreement per granting track — a CPOM
for the ARS, a convention for the others — with defaults taken from the dossier and the
decision, and the first version of its document (data + hash) following DOMAIN §5.4."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from grants.extensions import db
from grants.models import Agreement, AuditEvent
from grants.services import agreement_versions
from grants.services.agreement_terms import latest_end
from grants.services.decisions import decide
from tests.agreements import support
from tests.decisions.support import decisions_pending, track_of

D = Decimal


def actions(dossier) -> list[str]:  # type: ignore[no-untyped-def]
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.dossier_id == dossier.id)
            .order_by(AuditEvent.id)
        )
    )


def test_a_decided_dossier_gets_a_cpom_for_the_ars_and_conventions_for_the_others(promoter):
    dossier = support.decided(promoter)
    assert dossier.state == "agreements_in_progress"
    agreements = db.session.scalars(
        select(Agreement).where(Agreement.dossier_id == dossier.id).order_by(Agreement.id)
    ).all()
    kinds = {a.financer.code: a.kind for a in agreements}
    assert kinds == {"ARS_IMMO": "cpom", "REGION_IDF": "convention", "DEP_77": "convention"}
    for agreement in agreements:
        assert agreement.state == "drafted"
        assert agreement.decision.track_id == agreement.track_id
        (version,) = agreement.versions
        assert version.number == 1
        assert version.data_sha256 == agreement_versions.digest(version.data)
        assert version.pdf_key is None  # rendered after the commit
    assert support.agreement_of(dossier, "ARS_IMMO").reference.startswith("CPOM-")
    assert support.agreement_of(dossier, "REGION_IDF").reference.startswith("CONV-")
    trail = actions(dossier)
    assert "dossier.start_agreements" in trail
    assert trail.count("agreement.drafted") == 3
    assert trail.count("agreement.version") == 3


def test_defaults_come_from_the_dossier_and_the_decision(promoter):
    dossier = support.decided(promoter)
    cpom = support.agreement_of(dossier, "ARS_IMMO")
    today = date.today()
    first_of_next_month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    assert cpom.starts_on == first_of_next_month
    assert cpom.ends_on == latest_end(cpom.starts_on)  # five years for a CPOM
    assert cpom.min_physicians == 3  # the three physicians of the dossier
    assert cpom.min_physician_etp == D("2.80")
    assert cpom.rent_ceiling_m2_year == D("120.00")  # the planned rent (section G)
    assert cpom.commitments_survive_years == 5  # ten years committed, five under the CPOM
    assert cpom.financer_signatory == support.SIGNATORIES["ARS_IMMO"]
    assert cpom.promoter_signatory == "Dr Claire Martin, Gérante"
    codes = [i.code for i in cpom.indicators]
    assert codes == ["K1", "K2", "K3", "K4", "K5"]
    k4 = next(i for i in cpom.indicators if i.code == "K4")
    assert k4.baseline == D("3")
    assert set(k4.targets) == {str(y) for y in range(cpom.starts_on.year, cpom.ends_on.year + 1)}
    assert all(D(v) == 3 for v in k4.targets.values())
    k5 = next(i for i in cpom.indicators if i.code == "K5")
    assert (k5.baseline, k5.direction) == (D("120.00"), "at_most")
    convention = support.agreement_of(dossier, "REGION_IDF")
    assert (convention.ends_on - convention.starts_on).days in (1094, 1095)  # three years
    assert [i.code for i in convention.indicators] == ["K2", "K4", "K5"]


def test_only_granting_tracks_get_an_agreement(promoter):
    grants = {"ARS_IMMO": support.GRANTS["ARS_IMMO"]}
    dossier = support.decided(promoter, grants=grants)
    agreements = db.session.scalars(select(Agreement).where(Agreement.dossier_id == dossier.id))
    assert [a.financer.code for a in agreements] == ["ARS_IMMO"]


def test_a_granting_track_without_its_decision_act_keeps_the_dossier_decided(promoter):
    from grants.workflow import engine

    dossier = support.decided(promoter, advance=False)
    track = track_of(dossier, "DEP_77")
    for decision in db.session.scalars(
        select(support.FinancerDecision).where(support.FinancerDecision.track_id == track.id)
    ):
        db.session.delete(decision)
    db.session.flush()
    engine.advance(dossier)
    assert dossier.state == "decided"
    with pytest.raises(engine.TransitionError) as error:
        engine.check(dossier, "start_agreements", None)
    assert error.value.reasons == [
        "Décision d'attribution non enregistrée pour : Département de Seine-et-Marne."
    ]


def test_the_last_decision_through_the_decision_service_drafts_the_agreements(promoter):
    """The real path of issue 5: the deciders decide, the dossier is decided, then drafted."""
    pending = decisions_pending(promoter)
    deciders = support.deciders()
    grants = {
        "ARS_IMMO": {"investment_real_estate": "300000"},
        "REGION_IDF": {"operating": "40000"},
    }
    for code, lines in grants.items():
        track = track_of(pending, code)
        decide(
            track,
            deciders[code],
            "granted",
            lines,
            conditions="",
            motivation="",
            act_reference=f"DEC-{code}-2026-001",
            act_date=date.today() - timedelta(days=1),
            signatory="Mme Anne Dupont, directrice générale",
            expected_version=track.lock_version,
        )
    track = track_of(pending, "DEP_77")
    decide(
        track,
        deciders["DEP_77"],
        "refused",
        {},
        conditions="",
        motivation="Hors priorités départementales.",
        act_reference="CP-77-2026-3",
        act_date=date.today() - timedelta(days=1),
        signatory="Mme Jeanne Petit, présidente",
        expected_version=track.lock_version,
    )
    assert pending.state == "agreements_in_progress"
    agreements = db.session.scalars(select(Agreement).where(Agreement.dossier_id == pending.id))
    by_code = {a.financer.code: a for a in agreements}
    assert set(by_code) == {"ARS_IMMO", "REGION_IDF"}
    assert by_code["ARS_IMMO"].decision.total == D("300000.00")
    trail = actions(pending)
    assert trail.index("dossier.conclude") < trail.index("dossier.start_agreements")


def test_the_document_data_follows_the_cpom_outline(promoter):
    dossier = support.decided(promoter)
    data = agreement_versions.version_of(support.agreement_of(dossier, "ARS_IMMO")).data
    assert data["kind"] == "cpom"
    assert data["financer"]["institution"] == "Agence régionale de santé Île-de-France"
    assert data["structure"]["siret"] == "73282932000074"
    assert data["decision"]["act_reference"] == "DEC-ARS_IMMO-2026-014"
    assert data["committee"]["opinion"] == "favourable_with_reservations"
    assert data["financial"]["total"] == "1234567.89"
    schedule = data["financial"]["schedule"]
    assert [line["kind"] for line in schedule] == ["advance", "interim", "balance"]
    assert sum(D(line["amount"]) for line in schedule) == D("1234567.89")
    assert [line["planned_on"] for line in schedule] == sorted(
        line["planned_on"] for line in schedule
    )
    assert data["commitments"]["min_physicians"] == 3
    assert data["commitments"]["objectives"][0]["objective"].startswith("Améliorer le suivi")
    plan = {part["aid_type"]: part for part in data["annexes"]["financing_plan"]}
    financers = [r["label"] for r in plan["investment_real_estate"]["resources"]]
    assert "Région Île-de-France" in financers and "Département de Seine-et-Marne" in financers
    assert len(data["annexes"]["professionals"]) == 5
    assert data["annexes"]["premises"]["surface_m2"] == "450.00"
    assert [i["code"] for i in data["indicators"]] == ["K1", "K2", "K3", "K4", "K5"]
