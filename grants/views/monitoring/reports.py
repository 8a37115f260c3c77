"""Reports for staff: the list to validate, one report read in full, its validation or its
return to the promoter with a reason (délégation départementale, or ARS head office)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from grants.extensions import db
from grants.forms.reporting import ReturnForm, ValidateForm
from grants.models import Agreement, Dossier, ReportingPeriod
from grants.services import monitoring
from grants.services import reporting_register as register
from grants.services import reporting_reports as reports
from grants.services.document_requests import paris_today
from grants.views.downloads import send_stored
from grants.views.monitoring import bp

LIST_LIMIT = 200


def _period_or_404(period_id: int) -> ReportingPeriod:
    period = db.session.get(ReportingPeriod, period_id)
    if period is None:
        abort(404)
    monitoring.staff_agreement_or_404(current_user, period.agreement_id)
    return period


@bp.get("/rapports")
def reports_list():  # type: ignore[no-untyped-def]
    today = paris_today()
    base = (
        select(ReportingPeriod)
        .join(Agreement, Agreement.id == ReportingPeriod.agreement_id)
        .join(Dossier, Dossier.id == Agreement.dossier_id)
        .where(monitoring.agreement_filter(current_user), Agreement.state == "active")
        .options(selectinload(ReportingPeriod.agreement).selectinload(Agreement.dossier))
    )
    submitted = db.session.scalars(
        base.where(ReportingPeriod.state == "submitted")
        .order_by(ReportingPeriod.submitted_at)
        .limit(LIST_LIMIT)
    ).all()
    overdue = db.session.scalars(
        base.where(ReportingPeriod.state == "due", ReportingPeriod.due_on < today)
        .order_by(ReportingPeriod.due_on)
        .limit(LIST_LIMIT)
    ).all()
    return render_template("monitoring/reports.html", submitted=submitted, overdue=overdue)


def _page(period: ReportingPeriod, status: int = 200, return_form: ReturnForm | None = None):  # type: ignore[no-untyped-def]
    entries = register.entries_of(period.agreement_id)
    figures = register.figures(register.members(entries), period.starts_on, period.ends_on)
    may_review = monitoring.may_review(current_user) and period.state == "submitted"
    return render_template(
        "monitoring/report.html",
        period=period,
        agreement=period.agreement,
        entries=entries,
        figures=figures,
        values={v.code: v for v in period.values},
        may_review=may_review,
        validate_form=ValidateForm(formdata=None, data={"lock_version": period.lock_version}),
        return_form=return_form
        or ReturnForm(formdata=None, data={"lock_version": period.lock_version}),
    ), status


@bp.get("/rapports/<int:period_id>")
def report(period_id: int):  # type: ignore[no-untyped-def]
    return _page(_period_or_404(period_id))


def _reviewer_or_403() -> None:
    if not monitoring.may_review(current_user):
        abort(403)


@bp.post("/rapports/<int:period_id>/validation")
def validate_report(period_id: int):  # type: ignore[no-untyped-def]
    period = _period_or_404(period_id)
    _reviewer_or_403()
    form = ValidateForm()
    try:
        reports.validate_report(
            period, actor=current_user, expected_lock_version=_int(form.lock_version.data)
        )
    except reports.ReportRefused as refused:
        db.session.rollback()
        flash(refused.message, "error")
        return _page(_period_or_404(period_id), refused.status)
    db.session.commit()
    flash("Rapport validé ; le porteur en est informé.", "success")
    return redirect(url_for("monitoring.report", period_id=period_id))


@bp.post("/rapports/<int:period_id>/renvoi")
def return_report(period_id: int):  # type: ignore[no-untyped-def]
    period = _period_or_404(period_id)
    _reviewer_or_403()
    form = ReturnForm()
    if not form.validate():
        return _page(period, 422, form)
    try:
        reports.return_report(
            period,
            form.reason.data,
            actor=current_user,
            expected_lock_version=_int(form.lock_version.data),
        )
    except reports.ReportRefused as refused:
        db.session.rollback()
        form.reason.errors = [refused.message]
        return _page(_period_or_404(period_id), refused.status, form)
    db.session.commit()
    flash("Rapport renvoyé au porteur avec vos demandes.", "success")
    return redirect(url_for("monitoring.report", period_id=period_id))


@bp.get("/rapports/<int:period_id>/pieces/<int:index>")
def piece(period_id: int, index: int):  # type: ignore[no-untyped-def]
    stored = reports.stored_piece(_period_or_404(period_id), index)
    if stored is None:
        abort(404)
    return send_stored(stored)


def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None
