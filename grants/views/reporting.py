"""The promoter files the reports of its agreements: indicator values, the register of
professionals (arrivals, departures), rent, objectives, comments and pieces; saves drafts,
submits. Another organisation's agreement or report answers 404."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import RequestEntityTooLarge

from grants.extensions import db
from grants.forms.reporting import (
    ArrivalForm,
    DepartureForm,
    ReportForm,
    build_report_form,
    report_form_data,
)
from grants.models import Agreement, Dossier, Membership, RegisterEntry, ReportingPeriod
from grants.services import reporting_register as register
from grants.services import reporting_reports as reports
from grants.services import uploads
from grants.services.document_requests import paris_today
from grants.services.reporting import periods_of
from grants.views.downloads import send_stored

bp = Blueprint("reporting", __name__, url_prefix="/espace/suivi")

FOLLOWED_STATES = ("active", "ended", "terminated")
OWNER_ONLY = "Seul le responsable de l'organisation peut remettre le rapport."


def _today() -> date:
    return paris_today()


def _agreements() -> list[Agreement]:
    return list(
        db.session.scalars(
            select(Agreement)
            .join(Dossier, Dossier.id == Agreement.dossier_id)
            .join(Membership, Membership.organisation_id == Dossier.organisation_id)
            .where(Membership.user_id == current_user.id, Agreement.state.in_(FOLLOWED_STATES))
            .options(selectinload(Agreement.dossier), selectinload(Agreement.financer))
            .order_by(Agreement.starts_on, Agreement.id)
        )
    )


def _period_or_404(period_id: int) -> tuple[ReportingPeriod, Membership]:
    found = db.session.execute(
        select(ReportingPeriod, Membership)
        .join(Agreement, Agreement.id == ReportingPeriod.agreement_id)
        .join(Dossier, Dossier.id == Agreement.dossier_id)
        .join(Membership, Membership.organisation_id == Dossier.organisation_id)
        .where(
            ReportingPeriod.id == period_id,
            Membership.user_id == current_user.id,
            Agreement.state.in_(FOLLOWED_STATES),
        )
    ).first()
    if found is None:
        abort(404)
    return found[0], found[1]


@bp.get("")
def index():  # type: ignore[no-untyped-def]
    agreements = _agreements()
    return render_template(
        "reporting/index.html",
        items=[(a, periods_of(a.id)) for a in agreements],
        today=_today(),
    )


def _page(
    period: ReportingPeriod,
    membership: Membership,
    *,
    form: ReportForm | None = None,
    arrival: ArrivalForm | None = None,
    departure: tuple[int, DepartureForm] | None = None,
    upload_error: str = "",
    status: int = 200,
):  # type: ignore[no-untyped-def]
    editable = reports.is_editable(period)
    if form is None:
        form = build_report_form(period, formdata=None, data=report_form_data(period))
    entries = register.entries_of(period.agreement_id)
    figures = register.figures(register.members(entries), period.starts_on, period.ends_on)
    return render_template(
        "reporting/report.html",
        period=period,
        agreement=period.agreement,
        editable=editable,
        may_submit=membership.role == "owner",
        form=form,
        arrival=arrival or ArrivalForm(formdata=None),
        departure=departure,
        entries=entries,
        figures=figures,
        computed=reports.computed_values(period, figures),
        computed_labels=reports.COMPUTED_INDICATORS,
        upload_error=upload_error,
        max_upload_mb=_max_upload_mb(),
    ), status


@bp.get("/rapports/<int:period_id>")
def report(period_id: int):  # type: ignore[no-untyped-def]
    period, membership = _period_or_404(period_id)
    return _page(period, membership)


@bp.post("/rapports/<int:period_id>")
def save_report(period_id: int):  # type: ignore[no-untyped-def]
    period, membership = _period_or_404(period_id)
    form = build_report_form(period)
    submitting = request.form.get("action") == "submit"
    if not form.validate():
        return _page(period, membership, form=form, status=422)
    if submitting and membership.role != "owner":
        flash(OWNER_ONLY, "error")
        return _page(period, membership, form=form, status=403)
    expected = _int(form.lock_version.data)
    try:
        if submitting:
            reports.submit_report(
                period, form.to_input(), actor=current_user, expected_lock_version=expected
            )
        else:
            reports.save_draft(
                period, form.to_input(), actor=current_user, expected_lock_version=expected
            )
    except reports.ReportRefused as refused:
        db.session.rollback()
        period, membership = _period_or_404(period_id)
        _attach_errors(form, refused.errors)
        return _page(period, membership, form=form, status=refused.status)
    db.session.commit()
    if submitting:
        flash("Rapport remis : la délégation départementale va l'examiner.", "success")
    else:
        flash("Brouillon enregistré.", "success")
    return redirect(url_for("reporting.report", period_id=period_id))


@bp.post("/rapports/<int:period_id>/arrivees")
def add_arrival(period_id: int):  # type: ignore[no-untyped-def]
    period, membership = _period_or_404(period_id)
    form = ArrivalForm()
    if not reports.is_editable(period):
        return _refused(period, membership)
    if not form.validate():
        return _page(period, membership, arrival=form, status=422)
    try:
        register.add_arrival(
            period,
            actor=current_user,
            last_name=form.last_name.data,
            first_name=form.first_name.data,
            profession=form.profession.data,
            etp=form.etp.data,
            arrived_on=form.arrived_on.data,
            newly_installed=bool(form.newly_installed.data),
            today=_today(),
        )
    except register.RegisterRefused as refused:
        db.session.rollback()
        period, membership = _period_or_404(period_id)
        getattr(form, refused.field or "last_name").errors = [refused.message]
        return _page(period, membership, arrival=form, status=422)
    db.session.commit()
    flash(f"Arrivée de {form.first_name.data} {form.last_name.data} enregistrée.", "success")
    return redirect(url_for("reporting.report", period_id=period_id, _anchor="registre"))


@bp.post("/rapports/<int:period_id>/registre/<int:entry_id>/depart")
def record_departure(period_id: int, entry_id: int):  # type: ignore[no-untyped-def]
    period, membership = _period_or_404(period_id)
    entry = db.session.get(RegisterEntry, entry_id)
    if entry is None or entry.agreement_id != period.agreement_id:
        abort(404)
    if not reports.is_editable(period):
        return _refused(period, membership)
    form = DepartureForm()
    if not form.validate():
        return _page(period, membership, departure=(entry_id, form), status=422)
    try:
        register.record_departure(
            period, entry, actor=current_user, left_on=form.left_on.data, today=_today()
        )
    except register.RegisterRefused as refused:
        db.session.rollback()
        period, membership = _period_or_404(period_id)
        form.left_on.errors = [refused.message]
        return _page(period, membership, departure=(entry_id, form), status=422)
    db.session.commit()
    flash(f"Départ de {entry.first_name} {entry.last_name} enregistré.", "success")
    return redirect(url_for("reporting.report", period_id=period_id, _anchor="registre"))


@bp.post("/rapports/<int:period_id>/pieces")
def upload_piece(period_id: int):  # type: ignore[no-untyped-def]
    period, membership = _period_or_404(period_id)
    if not reports.is_editable(period):
        return _refused(period, membership)
    try:
        file = request.files.get("piece")
        if file is None or not file.filename:
            raise uploads.UploadRejectedError("Choisissez le fichier à joindre.")
        reports.add_piece(
            period,
            uploads.Upload(file.filename, file.stream),
            actor=current_user,
            storage=current_app.extensions["grants_storage"],
            max_bytes=_max_upload_mb() * 1024 * 1024,
        )
    except RequestEntityTooLarge:
        return _page(period, membership, upload_error=_too_large(), status=413)
    except uploads.UploadRejectedError as rejected:
        db.session.rollback()
        period, membership = _period_or_404(period_id)
        return _page(period, membership, upload_error=rejected.message, status=rejected.status)
    db.session.commit()
    flash("Pièce jointe au rapport.", "success")
    return redirect(url_for("reporting.report", period_id=period_id, _anchor="pieces"))


@bp.get("/rapports/<int:period_id>/pieces/<int:index>")
def piece(period_id: int, index: int):  # type: ignore[no-untyped-def]
    period, _membership = _period_or_404(period_id)
    stored = reports.stored_piece(period, index)
    if stored is None:
        abort(404)
    return send_stored(stored)


def _refused(period: ReportingPeriod, membership: Membership):  # type: ignore[no-untyped-def]
    flash(f"Le rapport est {period.state_label.lower()} : il ne peut plus être modifié.", "error")
    return _page(period, membership, status=409)


def _attach_errors(form: ReportForm, errors: dict[str, str]) -> None:
    for name, message in errors.items():
        if name and name in form:
            form[name].errors = [*form[name].errors, message]
        else:
            flash(message, "error")


def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def _max_upload_mb() -> int:
    return int(current_app.extensions["grants_settings"].max_upload_mb)


def _too_large() -> str:
    return f"Le fichier dépasse la taille maximale autorisée ({_max_upload_mb()} Mo)."
