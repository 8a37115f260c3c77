"""An active CPOM built directly (test data: the product activates agreements through the CPOM
workflow): a filed dossier of the promoter (zoning recorded at submission), the ARS decision
with its commitment on the envelope, the agreement countersigned with its indicators and
tranches, and its reporting calendar scheduled by the service under test."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from grants.extensions import db
from grants.models import (
    Agreement,
    AgreementIndicator,
    DecisionAmount,
    Financer,
    FinancerDecision,
    PaymentRequest,
    PaymentTranche,
    ReportingPeriod,
    User,
)
from grants.models.base import utcnow
from grants.services import ledger
from grants.services.envelopes import envelope_for
from grants.services.reporting import schedule_periods
from grants.services.submission import submit_dossier
from tests import factories
from tests.helpers.complete_dossier import make_complete_dossier

D = Decimal
GRANTED = D("300000.00")
_numbers = itertools.count(1)
# K1 turnover at most 20 %, K2 at least 1 new professional, K6 trainees (typed) at least 2.
INDICATORS: tuple[dict[str, Any], ...] = (
    {"code": "K1", "label": "Rotation des professionnels", "unit": "%", "direction": "at_most",
     "targets": {str(y): "20" for y in range(2025, 2030)}},
    {"code": "K2", "label": "Nouveaux professionnels", "unit": "professionnels",
     "direction": "at_least", "targets": {str(y): "1" for y in range(2025, 2030)}},
    {"code": "K6", "label": "Stagiaires accueillis", "unit": "stagiaires",
     "direction": "at_least", "targets": {str(y): "2" for y in range(2025, 2030)}},
)  # fmt: skip


def financer(code: str) -> Financer:
    return db.session.scalar(select(Financer).where(Financer.code == code))


def make_cpom(
    promoter: User,
    *,
    starts_on: date = date(2025, 1, 1),
    ends_on: date = date(2029, 12, 31),
    commune_codes: tuple[str, ...] = ("77458",),
    financer_codes: tuple[str, ...] = ("ARS_IMMO", "REGION_IDF", "DEP_77"),
    min_physicians: int | None = 3,
    min_physician_etp: Decimal | None = D("2.50"),
    rent_ceiling: Decimal | None = D("150.00"),
    indicators: tuple[dict[str, Any], ...] = INDICATORS,
    tranches: bool = True,
    schedule: bool = True,
    title: str | None = None,
) -> Agreement:
    extra = {"title": title} if title else {}
    dossier = make_complete_dossier(
        promoter, commune_codes=commune_codes, financer_codes=financer_codes, **extra
    )
    submit_dossier(dossier, actor=promoter, expected_lock_version=dossier.lock_version)
    decider = factories.make_staff("ars_decider", factories.ARS_FINANCERS)
    ars = financer("ARS_IMMO")
    now = utcnow()
    dossier.state = "in_execution"
    track = next(t for t in dossier.tracks if t.financer_id == ars.id)
    track.state, track.checklist_completed_at, track.decided_at = "granted", now, now
    decision = FinancerDecision(
        track_id=track.id,
        dossier_id=dossier.id,
        financer_id=ars.id,
        outcome="granted",
        act_reference=f"DG ARS 2024-{next(_numbers)}",
        act_date=starts_on - timedelta(days=30),
        signatory="Mme Anne Dupont, directrice générale",
        decided_by_id=decider.id,
    )
    decision.amounts.append(DecisionAmount(aid_type="investment_real_estate", amount=GRANTED))
    db.session.add(decision)
    db.session.flush()
    envelope = envelope_for(ars.id)
    assert envelope is not None
    ledger.commit(envelope, dossier, GRANTED, decider, "Décision ARS", allow_direct=True)
    agreement = Agreement(
        reference=f"CPOM-TEST-{next(_numbers):04d}",
        dossier_id=dossier.id,
        track_id=track.id,
        financer_id=ars.id,
        decision_id=decision.id,
        kind="cpom",
        state="active",
        starts_on=starts_on,
        ends_on=ends_on,
        min_physicians=min_physicians,
        min_physician_etp=min_physician_etp,
        rent_ceiling_m2_year=rent_ceiling,
        promoter_signed_at=now,
        promoter_signature_method="typed",
        promoter_signed_name="Claire Martin",
        promoter_signed_by_id=promoter.id,
        countersigned_at=now,
        countersigned_by_id=decider.id,
    )
    for position, spec in enumerate(indicators):
        agreement.indicators.append(AgreementIndicator(position=position, **spec))
    db.session.add(agreement)
    db.session.flush()
    if tranches:
        add_tranches(agreement)
    if schedule:
        schedule_periods(agreement, decider)
    db.session.expire(agreement)
    return agreement


def add_tranches(agreement: Agreement) -> list[PaymentTranche]:
    """Advance 30 % planned at the start, interim 50 % a year later, balance 20 % at the end."""
    shares = (("advance", D("0.30")), ("interim", D("0.50")), ("balance", D("0.20")))
    planned = (agreement.starts_on, agreement.starts_on + timedelta(days=365), agreement.ends_on)
    rows = [
        PaymentTranche(
            agreement_id=agreement.id,
            position=index + 1,
            kind=kind,
            share=share,
            amount=(GRANTED * share).quantize(D("0.01")),
            planned_on=on,
            evidence=[],
        )
        for index, ((kind, share), on) in enumerate(zip(shares, planned, strict=True))
    ]
    db.session.add_all(rows)
    db.session.flush()
    return rows


def pay(tranche: PaymentTranche, amount: Decimal | None = None) -> PaymentRequest:
    """A paid request (built directly; the payments service is another part's)."""
    agreement = db.session.get(Agreement, tranche.agreement_id)
    envelope = envelope_for(agreement.financer_id)
    movement = ledger.pay(envelope, agreement.dossier, amount or tranche.amount, None, "Versement")
    request = PaymentRequest(
        agreement_id=agreement.id,
        tranche_id=tranche.id,
        state="paid",
        amount=amount or tranche.amount,
        paid_at=utcnow(),
        movement_id=movement.id,
    )
    db.session.add(request)
    db.session.flush()
    return request


def period(agreement: Agreement, label: str) -> ReportingPeriod:
    return db.session.scalar(
        select(ReportingPeriod).where(
            ReportingPeriod.agreement_id == agreement.id, ReportingPeriod.label == label
        )
    )
