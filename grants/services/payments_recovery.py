"""Recovery orders (titres de recette) when commitments are broken: never more than what was
paid and not already claimed; recording the money back is a ``recovered`` movement on the
envelope (it lowers what the dossier was paid and committed)."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from typing import Any

from sqlalchemy import func, select

from grants.extensions import db
from grants.models import Agreement, RecoveryOrder, User
from grants.models.base import utcnow
from grants.services import ledger
from grants.services import payments_access as access
from grants.services import payments_amounts as amounts
from grants.services.payments_common import PaymentRefused, lock_row, parse_amount
from grants.services.payments_notify import notify, record
from grants.templating import french_date, money


def claimed_total(agreement: Agreement) -> Decimal:
    """What recovery orders of the agreement already claim (ordered or recovered)."""
    total = db.session.scalar(
        select(func.coalesce(func.sum(RecoveryOrder.amount), 0)).where(
            RecoveryOrder.agreement_id == agreement.id
        )
    )
    return Decimal(total or 0).quantize(amounts.CENT)


def recoverable(agreement: Agreement) -> Decimal:
    return max(amounts.paid_total(agreement) - claimed_total(agreement), amounts.ZERO)


def order_recovery(
    agreement: Agreement,
    amount: Decimal | str,
    reason: str,
    computation: dict[str, Any] | None,
    actor: User,
) -> RecoveryOrder:
    """Order the promoter to pay ``amount`` back. The caller authorizes (the decider's page,
    the termination of the agreement)."""
    lock_row("agreements", agreement.id)
    errors: list[tuple[str | None, str]] = []
    # Computed amounts (a termination's pro rata) are cut to the cent; typed ones must be exact.
    value = parse_amount(
        amount.quantize(amounts.CENT, ROUND_DOWN) if isinstance(amount, Decimal) else amount
    )
    if value is None:
        errors.append(("amount", "Indiquez un montant positif en euros (par exemple 15000,00)."))
    reason = (reason or "").strip()
    if not reason:
        errors.append(("reason", "Indiquez le motif du reversement : il est transmis au porteur."))
    if errors:
        raise PaymentRefused(422, "L'ordre de reversement n'a pas été émis.", errors)
    assert value is not None
    available = recoverable(agreement)
    if value > available:
        message = (
            f"Le reversement demandé ({money(value)}) dépasse ce qui a été versé et n'est pas "
            f"déjà réclamé ({money(available)})."
        )
        raise PaymentRefused(422, message, [("amount", message)])
    order = RecoveryOrder(
        agreement_id=agreement.id,
        amount=value,
        reason=reason,
        computation=dict(computation or {}),
        state="ordered",
        ordered_by_id=actor.id,
        ordered_at=utcnow(),
    )
    db.session.add(order)
    db.session.flush()
    data = {"order": order.id, "amount": str(value), "reason": reason}
    event = record(
        "payment.recovery_ordered", agreement, actor, {**data, "computation": order.computation}
    )
    notify(
        event,
        agreement,
        actor,
        "Ordre de reversement émis",
        f"Montant à reverser : {money(value)}. Motif : {reason}",
    )
    return order


def record_recovery(order: RecoveryOrder, actor: User) -> RecoveryOrder:
    """The money came back: ordered → recovered, a ``recovered`` movement on the envelope."""
    lock_row("recovery_orders", order.id)
    order = db.session.scalars(
        select(RecoveryOrder)
        .where(RecoveryOrder.id == order.id)
        .execution_options(populate_existing=True)
    ).one()
    agreement = order.agreement
    if not access.may_decide(actor, agreement):
        raise PaymentRefused(403, "Seul un décideur du financeur enregistre un reversement.")
    if order.state != "ordered":
        raise PaymentRefused(
            409, f"Ce reversement est déjà enregistré ({french_date(order.recovered_at)})."
        )
    from grants.services.decisions import envelope_of

    envelope = envelope_of(agreement.track)
    reason = f"{agreement.reference} — reversement (ordre n° {order.id}) : {order.reason}"
    try:
        movement = (
            ledger.recover(envelope, agreement.dossier, order.amount, actor, reason)
            if envelope is not None
            else None
        )
    except ledger.LedgerRefused as refused:
        raise PaymentRefused(422, refused.message) from refused
    order.state = "recovered"
    order.recovered_at = utcnow()
    order.movement_id = movement.id if movement is not None else None
    db.session.flush()
    data = {"order": order.id, "amount": str(order.amount), "movement": order.movement_id}
    event = record("payment.recovered", agreement, actor, data)
    notify(
        event,
        agreement,
        actor,
        "Reversement enregistré",
        f"Le reversement de {money(order.amount)} est enregistré.",
    )
    return order
