"""How much a tranche request pays, shown line by line: never more than granted, and prorated
when the actual eligible costs are lower than planned (cumulated payments ≤ granted × actual /
planned eligible cost, DOMAIN §3.7); the balance pays what remains under that ceiling and the
unused commitment is released when it is paid."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

from sqlalchemy import func, select

from grants.extensions import db
from grants.models import Agreement, PaymentRequest, PaymentTranche
from grants.models.rows import CostLine
from grants.templating import money, number

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
OPEN_STATES = ("requested", "checked", "approved")
COUNTED_STATES = (*OPEN_STATES, "paid")


@dataclass
class Computation:
    """The figures of one request, and the French lines that explain them."""

    granted: Decimal
    tranche_amount: Decimal
    previous: Decimal
    planned_cost: Decimal | None
    actual_cost: Decimal | None
    ceiling: Decimal
    amount: Decimal
    unused: Decimal = ZERO
    lines: list[tuple[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        values = {
            name: None if value is None else str(value)
            for name, value in (
                ("granted", self.granted),
                ("tranche_amount", self.tranche_amount),
                ("previous", self.previous),
                ("planned_cost", self.planned_cost),
                ("actual_cost", self.actual_cost),
                ("ceiling", self.ceiling),
                ("amount", self.amount),
                ("unused", self.unused),
            )
        }
        return {**values, "lines": [list(line) for line in self.lines]}


def tranches_of(agreement: Agreement) -> list[PaymentTranche]:
    return list(
        db.session.scalars(
            select(PaymentTranche)
            .where(PaymentTranche.agreement_id == agreement.id)
            .order_by(PaymentTranche.position)
        )
    )


def granted(agreement: Agreement) -> Decimal:
    """What the tranches plan to pay: the decision's granted amount."""
    total = db.session.scalar(
        select(func.coalesce(func.sum(PaymentTranche.amount), 0)).where(
            PaymentTranche.agreement_id == agreement.id
        )
    )
    return Decimal(total or 0).quantize(CENT)


def requested_total(
    agreement: Agreement, *, states: tuple[str, ...] = COUNTED_STATES, before_id: int | None = None
) -> Decimal:
    """The amounts of the agreement's requests in ``states`` (those before ``before_id``)."""
    query = select(func.coalesce(func.sum(PaymentRequest.amount), 0)).where(
        PaymentRequest.agreement_id == agreement.id, PaymentRequest.state.in_(states)
    )
    if before_id is not None:
        query = query.where(PaymentRequest.id < before_id)
    return Decimal(db.session.scalar(query) or 0).quantize(CENT)


def paid_total(agreement: Agreement) -> Decimal:
    return requested_total(agreement, states=("paid",))


def planned_eligible_cost(agreement: Agreement) -> Decimal | None:
    """The financing plan's costs of the aid types the decision grants (None when unknown)."""
    aid_types = [line.aid_type for line in agreement.decision.amounts if line.amount > 0]
    if not aid_types:
        return None
    total = db.session.scalar(
        select(func.coalesce(func.sum(CostLine.amount), 0)).where(
            CostLine.dossier_id == agreement.dossier_id, CostLine.aid_type.in_(aid_types)
        )
    )
    total = Decimal(total or 0).quantize(CENT)
    return total if total > 0 else None


def compute(
    agreement: Agreement,
    tranche: PaymentTranche,
    actual_cost: Decimal | None,
    previous: Decimal,
) -> Computation:
    """The amount a request for ``tranche`` pays, ``previous`` being what the agreement's
    other requests (paid or in progress) already take."""
    total = granted(agreement)
    planned = planned_eligible_cost(agreement)
    ceiling = total
    ratio: Decimal | None = None
    if tranche.kind != "advance" and actual_cost is not None and planned:
        ratio = min(actual_cost / planned, Decimal("1"))
        ceiling = min((total * actual_cost / planned).quantize(CENT, rounding=ROUND_DOWN), total)
    unused = ZERO
    if tranche.kind == "balance":
        amount = max(ceiling - previous, ZERO)
        unused = max(total - previous - amount, ZERO)
    else:
        amount = max(min(tranche.amount, ceiling - previous, total - previous), ZERO)
    result = Computation(total, tranche.amount, previous, planned, actual_cost, ceiling, amount)
    result.unused = unused
    result.lines = _lines(result, tranche, ratio)
    return result


def _lines(c: Computation, tranche: PaymentTranche, ratio: Decimal | None) -> list[tuple[str, str]]:
    share = number(tranche.share * 100, 2)
    lines = [
        ("Montant accordé", money(c.granted)),
        (
            f"Tranche « {tranche.kind_label} » prévue à l'échéancier ({share} %)",
            money(c.tranche_amount),
        ),
    ]
    if tranche.kind != "advance":
        lines.append(("Coût éligible prévu au plan de financement", money(c.planned_cost)))
        lines.append(("Coût éligible réel déclaré", money(c.actual_cost)))
        if ratio is not None:
            lines.append(
                ("Taux de réalisation (réel ÷ prévu, au plus 100 %)", f"{number(ratio * 100, 2)} %")
            )
            lines.append(
                ("Plafond des versements cumulés (accordé × réel ÷ prévu)", money(c.ceiling))
            )
        else:
            lines.append(("Plafond des versements cumulés (montant accordé)", money(c.ceiling)))
    lines.append(("Déjà versé ou en cours de versement", money(c.previous)))
    lines.append(("Montant de la demande", money(c.amount)))
    if tranche.kind == "balance":
        lines.append(("Engagement non utilisé, libéré au paiement du solde", money(c.unused)))
    return lines


def computation_of(request: PaymentRequest) -> Computation:
    """The computation of a recorded request, as it stood when it was made."""
    previous = requested_total(request.agreement, before_id=request.id)
    result = compute(request.agreement, request.tranche, request.actual_eligible_cost, previous)
    if result.amount != request.amount:
        # Figures changed since (a plan revision): the recorded amount is what counts.
        result.lines.append(("Montant enregistré de la demande", money(request.amount)))
    return result
