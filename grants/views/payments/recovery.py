"""Recovery orders from the decider's side: order the promoter to pay money back (never more
than was paid), then record the money when it comes back (a movement on the envelope)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from grants.extensions import db
from grants.models import Agreement, RecoveryOrder
from grants.services import payments as service
from grants.services import payments_access as access
from grants.services import payments_amounts as amounts
from grants.services.ledger import begin_write
from grants.services.payments_recovery import recoverable
from grants.views.payments import bp
from grants.views.payments.panel import agreement_or_404, refused_page, staff_only


def _decider_agreement(agreement_id: int) -> Agreement:
    agreement = agreement_or_404(agreement_id)
    staff_only(agreement)
    if not access.may_decide(current_user, agreement):
        abort(403)
    return agreement


def _form(agreement: Agreement, errors=(), amount: str = "", reason: str = "", status: int = 200):  # type: ignore[no-untyped-def]
    field_errors: dict[str, list[str]] = {}
    for name, message in errors:
        field_errors.setdefault(name or "", []).append(message)
    page = render_template(
        "payments/recovery_form.html",
        agreement=agreement,
        paid=amounts.paid_total(agreement),
        recoverable=recoverable(agreement),
        errors=list(errors),
        field_errors=field_errors,
        amount=amount,
        reason=reason,
    )
    return page, status


@bp.route("/conventions/<int:agreement_id>/reversement", methods=["GET", "POST"])
def order_recovery(agreement_id: int):  # type: ignore[no-untyped-def]
    if request.method == "POST":
        begin_write()
    agreement = _decider_agreement(agreement_id)
    if request.method == "GET":
        return _form(agreement)
    amount, reason = request.form.get("amount", ""), request.form.get("reason", "")
    computation = {
        "manual": True,
        "paid": str(amounts.paid_total(agreement)),
        "recoverable": str(recoverable(agreement)),
    }
    try:
        service.order_recovery(agreement, amount, reason, computation, current_user)
    except service.PaymentRefused as refused:
        db.session.rollback()
        agreement = _decider_agreement(agreement_id)
        errors = refused.errors or [(None, refused.message)]
        return _form(agreement, errors, amount, reason, refused.status)
    db.session.commit()
    flash("L'ordre de reversement est émis ; le porteur en est informé.", "success")
    return redirect(url_for("payments.agreement_payments", agreement_id=agreement_id))


@bp.post("/reversements/<int:order_id>/recouvrement")
def record_recovery(order_id: int):  # type: ignore[no-untyped-def]
    begin_write()
    order = db.session.get(RecoveryOrder, order_id)
    if order is None:
        abort(404)
    agreement = _decider_agreement(order.agreement_id)
    try:
        service.record_recovery(order, current_user)
    except service.PaymentRefused as refused:
        db.session.rollback()
        return refused_page(agreement_or_404(order.agreement_id), refused.status, refused.message)
    db.session.commit()
    flash("Le reversement est enregistré sur l'enveloppe.", "success")
    return redirect(url_for("payments.agreement_payments", agreement_id=agreement.id))
