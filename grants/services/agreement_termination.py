"""Terminating an agreement (DOMAIN §5.2, T16): the pro-rata recovery and the release of what
was committed and never paid.

The recovery is computed pro rata temporis, in days:

    recovery = paid × remaining days / total days

where ``paid`` is what the financer paid under this agreement (its paid payment requests),
``total days`` runs from the first to the last day of the agreement (both included) and
``remaining days`` from the day after the termination to the last day (all of it when the
agreement is terminated before it starts; none after its end). Rounded half-up to the cent, and
never more than what was paid and not already claimed by an earlier recovery order.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from grants.models import Agreement, User
from grants.services import ledger

CENT = Decimal("0.01")
FORMULA = "montants versés × jours restant à courir / durée totale du contrat en jours"


def recovery_computation(agreement: Agreement, on: date) -> dict[str, Any]:
    """The documented computation of what the promoter pays back if terminated ``on`` (never
    more than what was paid and not already claimed by an earlier recovery order)."""
    from grants.services.payments_amounts import paid_total
    from grants.services.payments_recovery import claimed_total

    paid = paid_total(agreement).quantize(CENT)
    claimed = claimed_total(agreement)
    total_days = (agreement.ends_on - agreement.starts_on).days + 1
    if on < agreement.starts_on:
        remaining = total_days
    else:
        remaining = max(0, min(total_days, (agreement.ends_on - on).days))
    pro_rata = (paid * remaining / total_days).quantize(CENT, ROUND_HALF_UP)
    return {
        "formula": FORMULA,
        "paid": str(paid),
        "starts_on": agreement.starts_on.isoformat(),
        "ends_on": agreement.ends_on.isoformat(),
        "terminated_on": on.isoformat(),
        "total_days": total_days,
        "remaining_days": remaining,
        "pro_rata": str(pro_rata),
        "already_claimed": str(claimed),
        "amount": str(max(min(pro_rata, paid - claimed), Decimal("0.00"))),
    }


def order_recovery_and_release(
    agreement: Agreement, reason: str, computation: dict[str, Any], actor: User | None
) -> dict[str, Any]:
    """Order the recovery (payments service) and release the commitment not paid."""
    from grants.services import payments
    from grants.services.decisions import envelope_of
    from grants.services.payments_common import PaymentRefused
    from grants.workflow.engine import TransitionError

    result: dict[str, Any] = {"recovery": None, "released": None}
    amount = Decimal(computation["amount"])
    if amount > 0:
        try:
            order = payments.order_recovery(agreement, amount, reason, computation, actor)
        except PaymentRefused as refused:
            reasons = [message for _field, message in refused.errors]
            raise TransitionError(refused.status, refused.message, reasons) from refused
        result["recovery"] = order.id
    envelope = envelope_of(agreement.track)
    if envelope is not None:
        held = ledger.dossier_balance(envelope, agreement.dossier)
        unpaid = held.committed - held.paid
        if unpaid > 0:
            note = f"Résiliation de {agreement.reference} : engagement non versé libéré — {reason}"
            try:
                ledger.release(
                    envelope, agreement.dossier, unpaid, actor, note[:500], source="committed"
                )
            except ledger.LedgerRefused as refused:
                raise TransitionError(422, refused.message) from refused
            result["released"] = str(unpaid)
    return result
