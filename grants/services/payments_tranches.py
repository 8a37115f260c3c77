"""An agreement's tranches: planned from the active payment schedule when the agreement becomes
active (idempotent), suspended and resumed by the monitor or the financer's decider."""

from __future__ import annotations

from datetime import date

from grants.extensions import db
from grants.models import Agreement, PaymentTranche, User
from grants.services import config_versions
from grants.services import payments_amounts as amounts
from grants.services import payments_schedule as schedule
from grants.services.payments_common import PaymentRefused
from grants.services.payments_notify import notify, record


def create_tranches(agreement: Agreement, actor: User | None) -> list[PaymentTranche]:
    """The agreement's tranches from the active payment schedule (idempotent: existing tranches
    are returned as they are). Called when the agreement becomes active."""
    existing = amounts.tranches_of(agreement)
    if existing:
        return existing
    config = config_versions.active("payment_schedule")
    granted = {line.aid_type: line.amount for line in agreement.decision.amounts}
    planned = schedule.plan(config.payload, agreement.financer.kind, granted)
    dates = schedule.planned_dates(planned, agreement.starts_on, agreement.ends_on)
    dates = [
        given or default
        for given, default in zip(_negotiated(agreement, dates), dates, strict=True)
    ]
    rows = [
        PaymentTranche(
            agreement_id=agreement.id,
            position=position,
            kind=tranche.kind,
            share=tranche.share,
            amount=tranche.amount,
            planned_on=planned_on,
            evidence=list(tranche.evidence),
            suspended=False,
            suspension_reason="",
        )
        for position, (tranche, planned_on) in enumerate(zip(planned, dates, strict=True), 1)
    ]
    db.session.add_all(rows)
    db.session.flush()
    record(
        "payment.tranches_created",
        agreement,
        actor,
        {
            "schedule_version": config.version,
            "tranches": [
                {"kind": t.kind, "share": str(t.share), "amount": str(t.amount)} for t in rows
            ],
        },
    )
    return rows


def _negotiated(agreement: Agreement, defaults: list[date]) -> list[date | None]:
    """The dates negotiated in the agreement in force (its schedule annex), by position."""
    from grants.services.agreement_schedule import negotiated_dates

    given = negotiated_dates(agreement) if agreement.versions else []
    return [given[i] if i < len(given) else None for i in range(len(defaults))]


def suspend_tranche(tranche: PaymentTranche, reason: str, actor: User) -> PaymentTranche:
    """Stop a tranche from being requested or paid until it is resumed. The caller authorizes
    (``payments_access.may_suspend``)."""
    reason = (reason or "").strip()
    if not reason:
        raise PaymentRefused(
            422, "Indiquez le motif de la suspension.", [("reason", "Indiquez le motif.")]
        )
    if tranche.suspended and tranche.suspension_reason == reason:
        return tranche
    tranche.suspended = True
    tranche.suspension_reason = reason
    db.session.flush()
    agreement = tranche.agreement
    event = record("payment.tranche_suspended", agreement, actor, _tranche_data(tranche))
    notify(event, agreement, actor, f"Tranche « {tranche.kind_label} » suspendue", reason)
    return tranche


def resume_tranche(tranche: PaymentTranche, actor: User) -> PaymentTranche:
    """Lift a suspension (a no-op when the tranche is not suspended)."""
    if not tranche.suspended:
        return tranche
    tranche.suspended = False
    tranche.suspension_reason = ""
    db.session.flush()
    agreement = tranche.agreement
    event = record("payment.tranche_resumed", agreement, actor, _tranche_data(tranche))
    notify(
        event,
        agreement,
        actor,
        f"Tranche « {tranche.kind_label} » de nouveau disponible",
        "La suspension de la tranche est levée : elle peut être demandée et payée.",
    )
    return tranche


def _tranche_data(tranche: PaymentTranche) -> dict[str, object]:
    return {
        "tranche": tranche.id,
        "kind": tranche.kind,
        "amount": str(tranche.amount),
        "suspended": tranche.suspended,
        "reason": tranche.suspension_reason,
    }
