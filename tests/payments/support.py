"""An agreement ready to be paid, built directly: a decided dossier whose financer granted
amounts per aid type (committed on the financer's envelope), its planned eligible costs, and
the agreement in the wanted state (active by default, so signed and countersigned)."""

from __future__ import annotations

import io
import itertools
from datetime import date, timedelta
from decimal import Decimal

from grants.extensions import db
from grants.models import Agreement, FinancerDecision, User
from grants.models.base import utcnow
from grants.models.decision import DecisionAmount
from grants.models.rows import CostLine
from grants.services import ledger
from grants.services.envelopes import envelope_for
from grants.services.uploads import Upload
from tests import factories
from tests.pieces_support import PDF
from tests.workflow.support import financers, make_dossier, track_of

D = Decimal
RE, OP = "investment_real_estate", "operating"
_numbers = itertools.count(1)
SIGNED = ("signed_by_promoter", "active", "ended", "terminated")
COUNTERSIGNED = ("active", "ended", "terminated")


def make_agreement(
    promoter: User,
    *,
    financer_code: str = "ARS_IMMO",
    granted: dict[str, Decimal] | None = None,
    planned_costs: dict[str, Decimal] | None = None,
    committed: Decimal | None = None,
    state: str = "active",
    kind: str | None = None,
) -> Agreement:
    """``granted`` by aid type (default 300 000 € of real estate), ``planned_costs`` the
    financing plan's costs by aid type (default 1 000 000 € of real estate); ``committed`` what
    the decision committed on the envelope (default: the granted total)."""
    granted = granted if granted is not None else {RE: D("300000.00")}
    planned_costs = planned_costs if planned_costs is not None else {RE: D("1000000.00")}
    codes = tuple(dict.fromkeys(("ARS_IMMO", "REGION_IDF", "DEP_77", financer_code)))
    dossier = make_dossier(
        promoter,
        "decided",
        financer_codes=codes,
        track_states=dict.fromkeys(codes, "granted"),
    )
    for position, (aid_type, amount) in enumerate(planned_costs.items()):
        db.session.add(
            CostLine(
                dossier_id=dossier.id,
                position=position,
                aid_type=aid_type,
                year=2026,
                label=f"Dépenses {aid_type}",
                amount=amount,
            )
        )
    financer = financers(financer_code)[0]
    track = track_of(dossier, financer_code)
    decider = factories.make_staff(
        "ars_decider" if financer.kind.startswith("ars_") else "financer_decider",
        (financer_code,),
    )
    decision = FinancerDecision(
        track_id=track.id,
        dossier_id=dossier.id,
        financer_id=financer.id,
        outcome="granted",
        act_reference=f"ACTE-{next(_numbers):04d}",
        act_date=date.today() - timedelta(days=30),
        signatory="Directrice générale",
        decided_by_id=decider.id,
    )
    decision.amounts = [DecisionAmount(aid_type=k, amount=v) for k, v in granted.items()]
    db.session.add(decision)
    db.session.flush()
    envelope = envelope_for(financer.id)
    total = committed if committed is not None else decision.total
    if envelope is not None and total > 0:
        ledger.commit(
            envelope, dossier, total, decider, "Décision d'attribution", allow_direct=True
        )
    now = utcnow()
    agreement = Agreement(
        reference=f"CPOM-TEST-{next(_numbers):05d}",
        dossier_id=dossier.id,
        track_id=track.id,
        financer_id=financer.id,
        decision_id=decision.id,
        kind=kind or ("cpom" if financer.kind.startswith("ars_") else "convention"),
        state=state,
        starts_on=date(2026, 1, 1),
        ends_on=date(2030, 12, 31),
        promoter_signed_at=now if state in SIGNED else None,
        promoter_signature_method="typed" if state in SIGNED else None,
        promoter_signed_name="Claire Martin" if state in SIGNED else None,
        countersigned_at=now if state in COUNTERSIGNED else None,
        termination_reason="Engagements non tenus" if state == "terminated" else "",
    )
    db.session.add(agreement)
    db.session.flush()
    return agreement


def pdf_upload(name: str = "piece.pdf") -> Upload:
    return Upload(name, io.BytesIO(PDF))


def uploads_for(codes: list[str]) -> dict[str, Upload]:
    return {code: pdf_upload(f"{code}.pdf") for code in codes}


def staff(agreement: Agreement) -> dict[str, User]:
    """The instructor and the decider of the agreement's financer."""
    code = agreement.financer.code
    if agreement.financer.kind.startswith("ars_"):
        return {
            "instructor": factories.make_staff("ars_instructor", factories.ARS_FINANCERS),
            "decider": factories.make_staff("ars_decider", factories.ARS_FINANCERS),
        }
    return {
        "instructor": factories.make_staff("financer_instructor", (code,)),
        "decider": factories.make_staff("financer_decider", (code,)),
    }
