"""The payment panel of an agreement (``payments/_panel.html``, included by the agreement page
and shown on its own payments page): tranches, requests and recoveries with the buttons each
role may use; and the loaders that answer 404 outside the user's scope."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from grants.extensions import db
from grants.models import Agreement, PaymentRequest, PaymentTranche, RecoveryOrder, User
from grants.services import payments as service
from grants.services import payments_access as access
from grants.services import payments_amounts as amounts
from grants.services import payments_evidence as evidence
from grants.services.ledger import begin_write
from grants.services.payments_recovery import recoverable
from grants.templating import money
from grants.views.payments import bp
from grants.views.refused import refused_page as explained_refusal

# --- loading within scope ------------------------------------------------------------------------


def agreement_or_404(agreement_id: int) -> Agreement:
    agreement = db.session.get(Agreement, agreement_id)
    if agreement is None or not access.may_see(current_user, agreement):
        abort(404)
    return agreement


def tranche_or_404(tranche_id: int) -> PaymentTranche:
    tranche = db.session.get(PaymentTranche, tranche_id)
    if tranche is None or not access.may_see(current_user, tranche.agreement):
        abort(404)
    return tranche


def request_or_404(request_id: int) -> PaymentRequest:
    found = db.session.get(PaymentRequest, request_id)
    if found is None or not access.may_see(current_user, found.agreement):
        abort(404)
    return found


def staff_only(agreement: Agreement) -> None:
    """Staff pages: a promoter never learns they exist (404)."""
    user = current_user
    if not (access.acts_for(user, agreement) or access.is_ars_monitor(user, agreement)):
        abort(404)


def refused_page(agreement: Agreement, status: int, message: str):  # type: ignore[no-untyped-def]
    return explained_refusal(
        status,
        message,
        back_url=url_for("payments.agreement_payments", agreement_id=agreement.id),
        back_label="Revenir aux versements",
    )


def storage():  # type: ignore[no-untyped-def]
    return current_app.extensions["grants_storage"]


def max_bytes() -> int:
    return int(current_app.extensions["grants_settings"].max_upload_mb) * 1024 * 1024


# --- the panel ---------------------------------------------------------------------------------


@dataclass
class TrancheRow:
    tranche: PaymentTranche
    evidence: list[evidence.Evidence]
    status: str
    may_request: bool = False


@dataclass
class Panel:
    agreement: Agreement
    granted: Decimal
    paid: Decimal
    recoverable: Decimal
    refusal: str | None
    tranches: list[TrancheRow] = field(default_factory=list)
    requests: list[PaymentRequest] = field(default_factory=list)
    recoveries: list[RecoveryOrder] = field(default_factory=list)
    is_member: bool = False
    may_check: bool = False
    may_decide: bool = False
    may_suspend: bool = False


def _status(tranche: PaymentTranche, requests: list[PaymentRequest]) -> str:
    mine = [r for r in requests if r.tranche_id == tranche.id and r.state != "rejected"]
    if tranche.suspended:
        return f"Suspendue : {tranche.suspension_reason}"
    if not mine:
        return "À demander"
    last = mine[-1]
    return f"{last.state_label} — {money(last.amount)}"


@bp.app_template_global()
def payment_panel(agreement: Agreement) -> Panel | None:
    """What ``payments/_panel.html`` shows to the current user (None: nothing for them)."""
    user: User = current_user
    if not user.is_authenticated or not access.may_see(user, agreement):
        return None
    requests = list(
        db.session.scalars(
            select(PaymentRequest)
            .where(PaymentRequest.agreement_id == agreement.id)
            .order_by(PaymentRequest.id)
        )
    )
    panel = Panel(
        agreement=agreement,
        # Before the tranches exist (not yet in force), what the decision granted.
        granted=amounts.granted(agreement) or agreement.decision.total,
        paid=amounts.paid_total(agreement),
        recoverable=recoverable(agreement),
        refusal=service.cpom_refusal(agreement),
        requests=requests,
        recoveries=list(
            db.session.scalars(
                select(RecoveryOrder)
                .where(RecoveryOrder.agreement_id == agreement.id)
                .order_by(RecoveryOrder.id)
            )
        ),
        is_member=access.is_member(user, agreement),
        may_check=access.may_check(user, agreement),
        may_decide=access.may_decide(user, agreement),
        may_suspend=access.may_suspend(user, agreement),
    )
    for tranche in amounts.tranches_of(agreement):
        row = TrancheRow(tranche, evidence.required(tranche, agreement), _status(tranche, requests))
        row.may_request = panel.is_member and service.requestable_refusal(tranche) is None
        panel.tranches.append(row)
    return panel


@bp.get("/conventions/<int:agreement_id>")
def agreement_payments(agreement_id: int):  # type: ignore[no-untyped-def]
    agreement = agreement_or_404(agreement_id)
    return render_template("payments/agreement.html", agreement=agreement)


# --- suspensions -------------------------------------------------------------------------------


def _suspension_target(tranche_id: int) -> PaymentTranche:
    tranche = tranche_or_404(tranche_id)
    staff_only(tranche.agreement)
    if not access.may_suspend(current_user, tranche.agreement):
        abort(403)
    return tranche


@bp.post("/tranches/<int:tranche_id>/suspension")
def suspend(tranche_id: int):  # type: ignore[no-untyped-def]
    begin_write()
    tranche = _suspension_target(tranche_id)
    reason = request.form.get("reason", "")
    try:
        service.suspend_tranche(tranche, reason, current_user)
    except service.PaymentRefused as refused:
        db.session.rollback()
        agreement = agreement_or_404(tranche.agreement_id)
        page = render_template(
            "payments/agreement.html",
            agreement=agreement,
            suspension_error=(tranche_id, refused.message),
            typed_reason=reason,
        )
        return page, refused.status
    db.session.commit()
    flash(f"La tranche « {tranche.kind_label} » est suspendue.", "success")
    return redirect(url_for("payments.agreement_payments", agreement_id=tranche.agreement_id))


@bp.post("/tranches/<int:tranche_id>/reprise")
def resume(tranche_id: int):  # type: ignore[no-untyped-def]
    begin_write()
    tranche = _suspension_target(tranche_id)
    service.resume_tranche(tranche, current_user)
    db.session.commit()
    flash(f"La suspension de la tranche « {tranche.kind_label} » est levée.", "success")
    return redirect(url_for("payments.agreement_payments", agreement_id=tranche.agreement_id))
