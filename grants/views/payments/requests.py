"""The promoter's payment request form (evidence files, actual eligible costs), the request's
page with its computation line by line, and the evidence downloads."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from grants.extensions import db
from grants.models import PaymentRequest, PaymentTranche
from grants.services import payments as service
from grants.services import payments_access as access
from grants.services import payments_amounts as amounts
from grants.services import payments_evidence as evidence
from grants.services.ledger import begin_write
from grants.services.uploads import Upload
from grants.templating import money
from grants.views.downloads import send_stored
from grants.views.payments import bp
from grants.views.payments.panel import (
    agreement_or_404,
    max_bytes,
    refused_page,
    request_or_404,
    storage,
)


def _tranche_of_member(agreement_id: int, tranche_id: int) -> PaymentTranche:
    agreement = agreement_or_404(agreement_id)
    tranche = db.session.get(PaymentTranche, tranche_id)
    if tranche is None or tranche.agreement_id != agreement.id:
        abort(404)
    if not access.is_member(current_user, agreement):
        abort(404)  # staff never request a payment: the page does not exist for them
    return tranche


def _form(tranche: PaymentTranche, errors=(), actual: str = "", status: int = 200):  # type: ignore[no-untyped-def]
    agreement = tranche.agreement
    field_errors: dict[str, list[str]] = {}
    general = []
    for name, message in errors:
        if name:
            field_errors.setdefault(name, []).append(message)
        else:
            general.append(message)
    page = render_template(
        "payments/request_form.html",
        agreement=agreement,
        tranche=tranche,
        needed=evidence.required(tranche, agreement),
        preview=amounts.compute(agreement, tranche, None, amounts.requested_total(agreement)),
        planned_cost=amounts.planned_eligible_cost(agreement),
        errors=list(errors),
        field_errors=field_errors,
        general_errors=general,
        actual=actual,
        max_upload_mb=max_bytes() // (1024 * 1024),
    )
    return page, status


@bp.route(
    "/conventions/<int:agreement_id>/tranches/<int:tranche_id>/demande", methods=["GET", "POST"]
)
def request_form(agreement_id: int, tranche_id: int):  # type: ignore[no-untyped-def]
    if request.method == "POST":
        begin_write()  # SQLite: the write lock before anything is read (PostgreSQL: no-op)
    tranche = _tranche_of_member(agreement_id, tranche_id)
    if request.method == "GET":
        refusal = service.requestable_refusal(tranche)
        if refusal:
            return refused_page(tranche.agreement, 422, refusal)
        return _form(tranche)
    actual = request.form.get("actual_eligible_cost", "")
    files = {
        code: Upload(f.filename or "", f.stream)
        for code in tranche.evidence
        if (f := request.files.get(f"evidence-{code}")) is not None and f.filename
    }
    try:
        created = service.request_payment(
            tranche,
            current_user,
            actual_eligible_cost=actual,
            files=files,
            storage=storage(),
            max_bytes=max_bytes(),
        )
    except service.PaymentRefused as refused:
        db.session.rollback()
        tranche = _tranche_of_member(agreement_id, tranche_id)
        if not refused.errors:
            return refused_page(tranche.agreement, refused.status, refused.message)
        return _form(tranche, refused.errors, actual, refused.status)
    db.session.commit()
    flash(
        f"Votre demande de versement de {money(created.amount)} est transmise au financeur, "
        "qui va la vérifier.",
        "success",
    )
    return redirect(url_for("payments.request_detail", request_id=created.id))


@bp.get("/demandes/<int:request_id>")
def request_detail(request_id: int):  # type: ignore[no-untyped-def]
    found = request_or_404(request_id)
    return render_request(found)


def render_request(  # type: ignore[no-untyped-def]
    found: PaymentRequest, step: str | None = None, errors=(), reason: str = "", status: int = 200
):
    agreement = found.agreement
    user = current_user
    page = render_template(
        "payments/request.html",
        agreement=agreement,
        payment=found,
        computation=amounts.computation_of(found),
        labels=evidence.labels(),
        step=step,
        errors=[(None, message) for message in errors],
        reason=reason,
        may_check=access.may_check(user, agreement) and found.state == "requested",
        may_decide=access.may_decide(user, agreement) and found.state in ("checked", "approved"),
        may_reject=(
            (found.state == "requested" and access.may_check(user, agreement))
            or (found.state == "checked" and access.may_decide(user, agreement))
        ),
    )
    return page, status


@bp.get("/demandes/<int:request_id>/pieces/<int:index>")
def evidence_file(request_id: int, index: int):  # type: ignore[no-untyped-def]
    found = request_or_404(request_id)
    entries = found.evidence or []
    stored = evidence.stored_file(entries[index]) if 0 <= index < len(entries) else None
    if stored is None:
        abort(404)
    return send_stored(stored)
