"""Payments of an agreement (DOMAIN §3.7): tranches planned at activation, then each payment
request goes requested → checked → approved → paid (or rejected with a reason); paying is a
``paid`` movement on the financer's envelope in the same transaction. No ARS payment while the
dossier's CPOM is not active; never more than granted; prorated to the actual eligible costs.

Services flush, never commit. Refusals raise ``PaymentRefused`` (status and French message).
Tranches (creation, suspension) live in ``payments_tranches`` and recovery orders in
``payments_recovery``; both are re-exported here, the names the other services call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal

from sqlalchemy import select

from grants.extensions import db
from grants.models import Agreement, PaymentRequest, PaymentTranche, User
from grants.models.base import utcnow
from grants.models.choices import AGREEMENT_STATES, PAYMENT_REQUEST_STATES
from grants.services import ledger
from grants.services import payments_access as access
from grants.services import payments_amounts as amounts
from grants.services import payments_evidence as evidence
from grants.services.payments_common import PaymentRefused, lock_row, parse_amount
from grants.services.payments_notify import notify, record
from grants.services.payments_recovery import order_recovery, record_recovery
from grants.services.payments_tranches import create_tranches, resume_tranche, suspend_tranche
from grants.services.uploads import Upload
from grants.storage import Storage
from grants.templating import french_date, money

STALE_MESSAGE = (
    "Cette demande a été modifiée entre-temps par quelqu'un d'autre : rechargez la page pour "
    "voir son état actuel."
)


# --- guards ------------------------------------------------------------------------------------


def cpom_refusal(agreement: Agreement) -> str | None:
    """Why no payment of this agreement may be created or paid now (None: it may). The ARS
    pays only under an active CPOM; other financers under their convention once it is signed
    by both parties (still after its end, for the balance)."""
    if access.is_ars(agreement):
        cpom = agreement if agreement.kind == "cpom" else _cpom_of(agreement.dossier_id)
        if cpom is None:
            return (
                "Aucun paiement de l'ARS ne peut être créé : ce dossier n'a pas de CPOM. Le CPOM "
                "doit être signé par les deux parties et en vigueur."
            )
        if cpom.state != "active":
            return (
                "Aucun paiement de l'ARS ne peut être créé tant que le CPOM du dossier n'est pas "
                f"en vigueur (état actuel : « {AGREEMENT_STATES[cpom.state]} »)."
            )
        return None
    if agreement.state not in ("active", "ended"):
        return (
            f"La convention de {agreement.financer.name} n'est pas en vigueur (état actuel : "
            f"« {AGREEMENT_STATES[agreement.state]} ») : aucun versement ne peut être créé."
        )
    return None


def _cpom_of(dossier_id: int) -> Agreement | None:
    return db.session.scalar(
        select(Agreement)
        .where(Agreement.dossier_id == dossier_id, Agreement.kind == "cpom")
        .order_by((Agreement.state == "active").desc(), Agreement.id.desc())
        .limit(1)
    )


def _suspended_refusal(tranche: PaymentTranche, verb: str) -> PaymentRefused:
    return PaymentRefused(
        422,
        f"La tranche « {tranche.kind_label} » est suspendue ({tranche.suspension_reason}) : "
        f"elle ne peut pas être {verb} tant que la suspension n'est pas levée.",
    )


def requestable_refusal(tranche: PaymentTranche) -> str | None:
    """Why the promoter may not request ``tranche`` now (None: they may)."""
    agreement = tranche.agreement
    refusal = cpom_refusal(agreement)
    if refusal:
        return refusal
    if tranche.suspended:
        return _suspended_refusal(tranche, "demandée").message
    requests = db.session.scalars(
        select(PaymentRequest)
        .join(PaymentTranche, PaymentTranche.id == PaymentRequest.tranche_id)
        .where(PaymentRequest.agreement_id == agreement.id, PaymentRequest.state != "rejected")
        .execution_options(populate_existing=True)
    ).all()
    for other in requests:
        if other.state in amounts.OPEN_STATES:
            return (
                f"Une demande de versement est déjà en cours (tranche « "
                f"{other.tranche.kind_label} », {other.state_label.lower()}) : une seule demande "
                "à la fois, attendez qu'elle soit payée ou rejetée."
            )
        if other.tranche_id == tranche.id:
            return f"La tranche « {tranche.kind_label} » a déjà été versée."
        if other.tranche.position > tranche.position or other.tranche.kind == "balance":
            return "Une tranche suivante a déjà été versée : celle-ci ne peut plus être demandée."
    return None


# --- the promoter's request --------------------------------------------------------------------


def request_payment(
    tranche: PaymentTranche,
    actor: User,
    *,
    actual_eligible_cost: str | Decimal | None,
    files: Mapping[str, Upload],
    storage: Storage,
    max_bytes: int,
) -> PaymentRequest:
    """The promoter asks for ``tranche`` with the evidence it requires (and, past the advance,
    the actual eligible costs). Nothing is stored when anything is refused."""
    agreement = tranche.agreement
    if not access.is_member(actor, agreement):
        raise PaymentRefused(
            403, "Seuls les membres de l'organisation porteuse peuvent demander un versement."
        )
    lock_row("agreements", agreement.id)
    db.session.refresh(tranche)
    refusal = requestable_refusal(tranche)
    if refusal:
        raise PaymentRefused(409 if "déjà en cours" in refusal else 422, refusal)
    errors: list[tuple[str | None, str]] = []
    actual: Decimal | None = None
    if tranche.kind != "advance":
        actual = parse_amount(actual_eligible_cost)
        if actual is None:
            errors.append(
                (
                    "actual_eligible_cost",
                    "Indiquez le coût éligible réellement engagé, en euros (par exemple "
                    "850000,00).",
                )
            )
    needed = evidence.required(tranche, agreement)
    checked, file_errors = evidence.check_files(needed, files, max_bytes)
    errors += file_errors
    if errors:
        raise PaymentRefused(422, "La demande n'a pas été enregistrée.", errors)
    computation = amounts.compute(agreement, tranche, actual, amounts.requested_total(agreement))
    if computation.amount <= 0:
        raise PaymentRefused(
            422,
            _nothing_to_pay(computation),
            [("actual_eligible_cost", _nothing_to_pay(computation))],
        )
    request = PaymentRequest(
        agreement_id=agreement.id,
        tranche_id=tranche.id,
        state="requested",
        amount=computation.amount,
        actual_eligible_cost=actual,
        evidence=evidence.store(agreement, needed, checked, storage),
        requested_by_id=actor.id,
        requested_at=utcnow(),
        rejection_reason="",
    )
    db.session.add(request)
    db.session.flush()
    data = {"request": request.id, "tranche": tranche.id, "kind": tranche.kind}
    data["computation"] = computation.to_json()
    data["evidence"] = [{"code": e["code"], "sha256": e.get("sha256")} for e in request.evidence]
    event = record("payment.requested", agreement, actor, data)
    notify(
        event,
        agreement,
        actor,
        f"Versement demandé : tranche « {tranche.kind_label} »",
        f"Montant demandé : {money(request.amount)}. La demande est à vérifier.",
        audience="staff",
    )
    return request


def _nothing_to_pay(c: amounts.Computation) -> str:
    return (
        f"Aucun montant ne peut être versé pour cette tranche : les versements déjà faits ou en "
        f"cours ({money(c.previous)}) atteignent le plafond de {money(c.ceiling)} "
        "(montant accordé × coût éligible réel ÷ coût éligible prévu)."
    )


# --- the financer's steps ----------------------------------------------------------------------


def check_request(
    request: PaymentRequest, actor: User, expected_version: int | None = None
) -> PaymentRequest:
    """The instructor has checked the evidence and the figures: requested → checked."""
    request = _step(request, actor, "requested", expected_version, access.may_check, "vérifier")
    request.state = "checked"
    request.checked_by_id = actor.id
    request.checked_at = utcnow()
    return _after(request, actor, "payment.checked", "Demande de versement vérifiée", "")


def reject_request(
    request: PaymentRequest, actor: User, reason: str, expected_version: int | None = None
) -> PaymentRequest:
    """Refuse the request with a reason: the instructor before checking, the decider after."""
    current = _locked_request(request.id)
    allowed = access.may_check if current.state == "requested" else access.may_decide
    source = current.state if current.state in ("requested", "checked") else "requested"
    reason = (reason or "").strip()
    request = _step(current, actor, source, expected_version, allowed, "rejeter")
    if not reason:
        message = "Indiquez le motif du rejet : il est transmis au porteur."
        raise PaymentRefused(422, message, [("reason", message)])
    request.state = "rejected"
    request.rejection_reason = reason
    return _after(request, actor, "payment.rejected", "Demande de versement rejetée", reason)


def approve_request(
    request: PaymentRequest, actor: User, expected_version: int | None = None
) -> PaymentRequest:
    """The decider approves the checked request: checked → approved."""
    request = _step(request, actor, "checked", expected_version, access.may_decide, "approuver")
    request.state = "approved"
    request.approved_by_id = actor.id
    request.approved_at = utcnow()
    message = f"Le versement de {money(request.amount)} est approuvé ; il sera payé prochainement."
    return _after(request, actor, "payment.approved", "Versement approuvé", message)


def pay_request(
    request: PaymentRequest, actor: User, expected_version: int | None = None
) -> PaymentRequest:
    """Record the payment: a ``paid`` movement on the envelope (none for a financer without
    one), and for the balance the release of the unused commitment, in this transaction. The
    request row is locked first, so two clicks never pay twice."""
    request = _step(request, actor, "approved", expected_version, access.may_decide, "payer")
    agreement, tranche = request.agreement, request.tranche
    refusal = cpom_refusal(agreement)
    if refusal:
        raise PaymentRefused(422, refusal)
    db.session.refresh(tranche)
    if tranche.suspended:
        raise _suspended_refusal(tranche, "payée")
    granted, paid = amounts.granted(agreement), amounts.paid_total(agreement)
    if paid + request.amount > granted:
        raise PaymentRefused(
            422,
            f"Payer {money(request.amount)} porterait les versements à "
            f"{money(paid + request.amount)}, au-delà du montant accordé ({money(granted)}).",
        )
    envelope, dossier = _envelope(agreement), agreement.dossier
    reason = f"{agreement.reference} — tranche « {tranche.kind_label} » (demande n° {request.id})"
    released = amounts.ZERO
    try:
        movement = (
            ledger.pay(envelope, dossier, request.amount, actor, reason) if envelope else None
        )
        if tranche.kind == "balance":
            released = granted - paid - request.amount
            if released > 0 and envelope is not None:
                ledger.release(
                    envelope,
                    dossier,
                    released,
                    actor,
                    f"{reason} : engagement non utilisé",
                    source="committed",
                )
    except ledger.LedgerRefused as refused:
        raise PaymentRefused(422, refused.message) from refused
    request.state = "paid"
    request.paid_at = utcnow()
    request.movement_id = movement.id if movement is not None else None
    extra = {"movement": request.movement_id, "released": str(released)}
    message = f"{money(request.amount)} versés au titre de la tranche « {tranche.kind_label} »."
    if released > 0:
        message += f" L'engagement non utilisé ({money(released)}) est libéré."
    return _after(request, actor, "payment.paid", "Versement payé", message, extra)


def _envelope(agreement: Agreement):  # type: ignore[no-untyped-def]
    from grants.services.decisions import envelope_of

    return envelope_of(agreement.track)


def _step(
    request: PaymentRequest,
    actor: User,
    source: str,
    expected_version: int | None,
    allowed: Callable[[User, Agreement], bool],
    verb: str,
) -> PaymentRequest:
    """Lock and re-read the request, then check who acts, its state and the version seen."""
    request = _locked_request(request.id)
    agreement = request.agreement
    if not allowed(actor, agreement):
        raise PaymentRefused(
            403, f"Vous ne pouvez pas {verb} cette demande de versement : ce n'est pas votre rôle."
        )
    if request.state != source:
        if request.state == "paid":
            when = french_date(request.paid_at)
            raise PaymentRefused(409, f"Ce versement a déjà été payé ({when}).")
        raise PaymentRefused(
            409 if expected_version is not None else 422,
            f"Impossible de {verb} cette demande : elle est « "
            f"{PAYMENT_REQUEST_STATES[request.state].lower()} ».",
        )
    if expected_version is not None and expected_version != request.lock_version:
        raise PaymentRefused(409, STALE_MESSAGE)
    return request


def _after(
    request: PaymentRequest,
    actor: User,
    action: str,
    label: str,
    message: str,
    extra: dict[str, object] | None = None,
) -> PaymentRequest:
    db.session.flush()  # the version counter moves: a concurrent step fails its compare-and-set
    agreement = request.agreement
    data = {"request": request.id, "state": request.state, "amount": str(request.amount)}
    event = record(action, agreement, actor, {**data, **(extra or {})})
    tranche_label = f"tranche « {request.tranche.kind_label} »"
    notify(event, agreement, actor, f"{label} ({tranche_label})", message)
    return request


def _locked_request(request_id: int) -> PaymentRequest:
    lock_row("payment_requests", request_id)
    return db.session.scalars(
        select(PaymentRequest)
        .where(PaymentRequest.id == request_id)
        .execution_options(populate_existing=True)
    ).one()


__all__ = [
    "PaymentRefused",
    "parse_amount",
    "approve_request",
    "check_request",
    "cpom_refusal",
    "create_tranches",
    "order_recovery",
    "pay_request",
    "record_recovery",
    "reject_request",
    "request_payment",
    "resume_tranche",
    "suspend_tranche",
]
