"""The financer's steps on a payment request: the instructor checks (or rejects with a reason),
the decider approves, then records the payment. Outside the financer's staff: 404; the wrong
role: 403; a step already taken by someone else: 409."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from grants.extensions import db
from grants.models import Agreement, PaymentRequest, User
from grants.services import payments as service
from grants.services import payments_access as access
from grants.services.ledger import begin_write
from grants.views.payments import bp
from grants.views.payments.panel import refused_page, request_or_404, staff_only
from grants.views.payments.requests import render_request

STEPS: dict[str, tuple[Callable[[User, Agreement], bool], Callable[..., PaymentRequest], str]] = {
    "check": (access.may_check, service.check_request, "La demande est vérifiée."),
    "approve": (access.may_decide, service.approve_request, "Le versement est approuvé."),
    "pay": (access.may_decide, service.pay_request, "Le paiement est enregistré."),
}


def _staff_request(request_id: int) -> PaymentRequest:
    found = request_or_404(request_id)
    staff_only(found.agreement)
    return found


def _expected_version() -> int | None:
    raw = request.form.get("lock_version", "")
    return int(raw) if raw.isdigit() else None


def _run(request_id: int, step: str):  # type: ignore[no-untyped-def]
    if request.method == "POST":
        begin_write()
    found = _staff_request(request_id)
    allowed, action, done = STEPS[step]
    if not allowed(current_user, found.agreement):
        return refused_page(
            found.agreement,
            403,
            "Cette étape de la demande de versement ne relève pas de votre rôle.",
        )
    if request.method == "GET":
        return render_request(found, step)
    try:
        action(found, current_user, _expected_version())
    except service.PaymentRefused as refused:
        db.session.rollback()
        found = _staff_request(request_id)
        return render_request(found, step, [refused.message], status=refused.status)
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("payments.request_detail", request_id=request_id))


@bp.route("/demandes/<int:request_id>/verification", methods=["GET", "POST"])
def check(request_id: int):  # type: ignore[no-untyped-def]
    return _run(request_id, "check")


@bp.route("/demandes/<int:request_id>/approbation", methods=["GET", "POST"])
def approve(request_id: int):  # type: ignore[no-untyped-def]
    return _run(request_id, "approve")


@bp.route("/demandes/<int:request_id>/paiement", methods=["GET", "POST"])
def pay(request_id: int):  # type: ignore[no-untyped-def]
    return _run(request_id, "pay")


@bp.post("/demandes/<int:request_id>/rejet")
def reject(request_id: int):  # type: ignore[no-untyped-def]
    begin_write()
    found = _staff_request(request_id)
    agreement = found.agreement
    if not (
        access.may_check(current_user, agreement) or access.may_decide(current_user, agreement)
    ):
        abort(403)
    reason = request.form.get("reason", "")
    try:
        service.reject_request(found, current_user, reason, _expected_version())
    except service.PaymentRefused as refused:
        db.session.rollback()
        found = _staff_request(request_id)
        return render_request(found, "reject", [refused.message], reason, refused.status)
    db.session.commit()
    flash("La demande est rejetée ; le porteur en est informé avec le motif.", "success")
    return redirect(url_for("payments.request_detail", request_id=request_id))
