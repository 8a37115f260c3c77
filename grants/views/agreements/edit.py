"""The instructor's form over a draft's negotiable parts: each save records a new version of
the document (its PDF and DOCX are generated once the change is committed)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from grants.extensions import db
from grants.forms.agreements import TermsForm, catalogue_choices, form_data, read_terms
from grants.models import Agreement
from grants.services import agreement_versions
from grants.services.agreement_terms import Terms, agreement_terms
from grants.services.agreements import (
    NOT_EDITABLE,
    AgreementRefused,
    default_indicator,
    may_prepare,
    update_terms,
)
from grants.views.agreements import bp
from grants.views.agreements.helpers import STAFF, load, refused
from grants.workflow.engine import STALE_MESSAGE

FORBIDDEN = AgreementRefused(
    403, "Seuls les instructeurs du financeur signataire modifient ce projet."
)


def prepare_form(form: TermsForm, agreement: Agreement, terms: Terms) -> None:
    form.add_indicator.choices = catalogue_choices({i.code for i in terms.indicators})


def schedule_rows(agreement: Agreement, terms: Terms) -> list[dict]:  # type: ignore[type-arg]
    """The tranches as the version in force plans them (labels for the date fields)."""
    version = agreement_versions.version_of(agreement)
    return list(version.data["financial"]["schedule"]) if version is not None else []


def with_added_indicator(form: TermsForm, agreement: Agreement, terms: Terms) -> Terms:
    code = form.add_indicator.data
    if code and code not in {i.code for i in terms.indicators}:
        terms.indicators.append(default_indicator(code, agreement.dossier, terms))
    return terms


@bp.route("/<int:agreement_id>/modifier", methods=["GET", "POST"])
def edit(agreement_id: int):  # type: ignore[no-untyped-def]
    agreement, audience = load(agreement_id)
    if audience != STAFF or not may_prepare(agreement, current_user):
        return refused(agreement, FORBIDDEN)
    if agreement.state != "drafted":
        return refused(agreement, AgreementRefused(422, NOT_EDITABLE))
    current = agreement_terms(agreement)
    rows = schedule_rows(agreement, current)
    if request.method == "GET":
        form = TermsForm(data=form_data(current, agreement.lock_version))
        prepare_form(form, agreement, current)
        return _page(agreement, form, rows)
    form = TermsForm()
    prepare_form(form, agreement, current)
    if not form.validate():
        return _page(agreement, form, rows, status=422)
    terms = with_added_indicator(form, agreement, read_terms(form, len(rows)))
    expected = int(form.lock_version.data) if (form.lock_version.data or "").isdigit() else None
    try:
        version = update_terms(agreement, terms, current_user, expected)
    except AgreementRefused as error:
        db.session.rollback()
        if error.status != 422:
            return refused(agreement, error)
        agreement, _audience = load(agreement_id)
        _attach(form, error)
        prepare_form(form, agreement, current)
        return _page(agreement, form, rows, status=422, errors=error.errors)
    db.session.commit()
    flash(
        f"Version {version.number} enregistrée ; ses documents PDF et DOCX sont générés.", "success"
    )
    if form.add_indicator.data:
        return redirect(url_for("agreements.edit", agreement_id=agreement.id) + "#indicateurs")
    return redirect(url_for("agreements.detail", agreement_id=agreement.id))


def _attach(form: TermsForm, error: AgreementRefused) -> None:
    for field_name, message in error.errors:
        field = getattr(form, field_name or "", None)
        if field is not None and hasattr(field, "errors") and isinstance(field.errors, list):
            field.errors.append(message)


def _page(agreement: Agreement, form: TermsForm, rows: list, status: int = 200, errors=()):  # type: ignore[no-untyped-def]
    return render_template(
        "agreements/edit.html",
        agreement=agreement,
        dossier=agreement.dossier,
        form=form,
        schedule=rows,
        general_errors=[m for f, m in errors if f is None or not hasattr(form, f or "")],
        stale_message=STALE_MESSAGE,
    ), status
