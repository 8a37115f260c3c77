"""Edit the repeating-row sections of a dossier (D, E objectives, H, I) as accessible tables."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from grants.extensions import db
from grants.forms.rows import SECTION_FORMS, RowsForm
from grants.models import Dossier
from grants.models.choices import AID_TYPES
from grants.permissions import dossier_or_404, require_editable
from grants.sections import SECTIONS_BY_CODE
from grants.services import aggregates
from grants.services import rows as service
from grants.views.promoter import bp

CONFLICT_MESSAGE = "Ce dossier a été modifié entre-temps : rechargez la page."


@bp.route("/dossiers/<int:dossier_id>/lignes/<section>", methods=["GET", "POST"])
def edit_rows(dossier_id: int, section: str):  # type: ignore[no-untyped-def]
    if section not in SECTION_FORMS:
        abort(404)
    dossier = dossier_or_404(current_user, dossier_id, service.row_options(section))
    require_editable(dossier, section=section)
    form = _build_form(section, dossier)
    if request.method == "GET":
        return _render(section, dossier, form)
    added = request.form.get("add_row")
    if added:
        form.add_row(added)
        return _render(section, dossier, form)
    if form.lock_version.data != str(dossier.lock_version):
        return _conflict()
    if not form.validate():
        return _render(section, dossier, form), 422
    try:
        service.replace_rows(dossier, actor=current_user, section=section, rows=form.collect())
    except StaleDataError:
        db.session.rollback()
        return _conflict()
    db.session.commit()
    flash("Rubrique enregistrée.", "success")
    return redirect(url_for("promoter.dossier", dossier_id=dossier_id))


def _build_form(section: str, dossier: Dossier) -> RowsForm:
    form_class = SECTION_FORMS[section]
    if request.method == "POST":
        form = form_class()
    else:
        # Saved rows, then one blank row ready to be filled in.
        initial: dict[str, object] = {"lock_version": dossier.lock_version}
        for table in service.ROW_TABLES[section]:
            initial[table.name] = [*getattr(dossier, table.collection), None]
        form = form_class(data=initial)
    form.prepare(aid_types=_aid_type_choices(dossier), financers=_financer_choices(dossier))
    return form


def _aid_type_choices(dossier: Dossier) -> dict[str, str]:
    chosen = [code for code in AID_TYPES if code in (dossier.aid_types or [])]
    return {code: AID_TYPES[code] for code in chosen or AID_TYPES}


def _financer_choices(dossier: Dossier) -> dict[str, str]:
    return {str(f.id): f.name for f in dossier.financers}


def _render(section: str, dossier: Dossier, form: RowsForm) -> str:
    context: dict[str, object] = {}
    if section == "professionals":
        context["aggregates"] = aggregates.professional_aggregates(dossier.professionals)
    elif section == "financing":
        context["balances"] = aggregates.balance_by_aid_type(
            form.typed_lines("costs", "aid_type", "amount"),
            form.typed_lines("resources", "aid_type", "amount"),
            list(_aid_type_choices(dossier)),
        )
    return render_template(
        f"promoter/rows_{section}.html",
        dossier=dossier,
        section=SECTIONS_BY_CODE[section],
        form=form,
        **context,
    )


def _conflict() -> tuple[str, int]:
    return render_template("error.html", code=409, title="Conflit", message=CONFLICT_MESSAGE), 409
