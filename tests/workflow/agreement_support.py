"""Agreements and amendments built directly in a given state for the workflow matrix (test data
only: the product changes states through the engine), satisfying the database's CHECKs: a
dossier whose ARS and Région tracks granted, the financer's decision, the agreement with its
rendered version (document keys stand in for the files, which the matrix never reads)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from grants.extensions import db
from grants.models import (
    Agreement,
    AgreementVersion,
    Amendment,
    DecisionAmount,
    FinancerDecision,
    User,
)
from grants.models.base import utcnow
from grants.services.agreement_terms import agreement_terms, latest_end
from tests import factories
from tests.workflow import support

SIGNED = frozenset({"signed_by_promoter", "active", "ended", "terminated"})
COUNTERSIGNED = frozenset({"active", "ended", "terminated"})


def agreement_in(promoter: User, financer_code: str, state: str) -> Agreement:
    dossier = support.make_dossier(
        promoter,
        "in_execution" if state in COUNTERSIGNED else "agreements_in_progress",
        track_states={"ARS_IMMO": "granted", "REGION_IDF": "granted", "DEP_77": "refused"},
    )
    track = support.track_of(dossier, financer_code)
    decider = factories.make_staff("ars_decider", factories.ARS_FINANCERS)
    decision = FinancerDecision(
        track_id=track.id,
        dossier_id=dossier.id,
        financer_id=track.financer_id,
        outcome="granted",
        act_reference="DEC-2026-001",
        act_date=date.today() - timedelta(days=3),
        signatory="Mme Anne Dupont",
        decided_by_id=decider.id,
        amounts=[DecisionAmount(aid_type="investment_real_estate", amount=Decimal("100000"))],
    )
    db.session.add(decision)
    db.session.flush()
    now = utcnow()
    starts_on = date.today().replace(day=1)
    agreement = Agreement(
        reference=f"TEST-{dossier.reference}-{financer_code}",
        dossier=dossier,
        track=track,
        financer=track.financer,
        decision=decision,
        kind="cpom" if financer_code.startswith("ARS") else "convention",
        state=state,
        starts_on=starts_on,
        ends_on=latest_end(starts_on),
        min_physicians=2,
        financer_signatory="Mme Anne Dupont",
        promoter_signatory="Dr Claire Martin",
        promoter_signed_at=now if state in SIGNED else None,
        promoter_signature_method="typed" if state in SIGNED else None,
        promoter_signed_name="Claire Martin" if state in SIGNED else None,
        countersigned_at=now if state in COUNTERSIGNED else None,
        terminated_at=now if state == "terminated" else None,
        termination_reason="Projet abandonné" if state == "terminated" else "",
    )
    db.session.add(agreement)
    db.session.flush()
    _version(agreement, None)
    return agreement


def amendment_in(promoter: User, financer_code: str, state: str, author: User) -> Amendment:
    agreement = agreement_in(promoter, financer_code, "active")
    terms = agreement_terms(agreement)
    terms.min_physicians = 1
    now = utcnow()
    signed = state in ("signed_by_promoter", "active")
    amendment = Amendment(
        agreement=agreement,
        number=1,
        reason="Départ d'un médecin",
        changes={"terms": terms.to_json(), "changed": []},
        state=state,
        promoter_signed_at=now if signed else None,
        promoter_signature_method="typed" if signed else None,
        countersigned_at=now if state == "active" else None,
        created_by_id=author.id,
    )
    db.session.add(amendment)
    db.session.flush()
    _version(agreement, amendment)
    return amendment


def _version(agreement: Agreement, amendment: Amendment | None) -> AgreementVersion:
    version = AgreementVersion(
        agreement=agreement,
        number=len(agreement.versions) + 1,
        reason="Matrice",
        amendment_id=amendment.id if amendment is not None else None,
        data={"kind": agreement.kind},
        data_sha256="0" * 64,
        pdf_key="matrix/agreement.pdf",
        pdf_sha256="0" * 64,
        docx_key="matrix/agreement.docx",
        docx_sha256="0" * 64,
    )
    db.session.add(version)
    db.session.flush()
    return version
