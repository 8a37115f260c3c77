"""Edit the single-object sections of a draft dossier; commune look-up for autocompletion."""

from __future__ import annotations

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError
from wtforms.fields.choices import SelectChoice

from grants.extensions import db
from grants.forms.sections import SECTION_FORMS, SectionForm
from grants.models import Dossier
from grants.permissions import dossier_or_404, require_editable
from grants.sections import SECTIONS, SECTIONS_BY_CODE, Section
from grants.services import communes as commune_service
from grants.services import sections as service
from grants.views.promoter import bp

STALE_MESSAGE = "Ce dossier a été modifié entre-temps : rechargez la page."
SAVED_MESSAGE = "Rubrique enregistrée."


@bp.route("/dossiers/<int:dossier_id>/rubriques/<section>", methods=["GET", "POST"])
def edit_section(dossier_id: int, section: str):  # type: ignore[no-untyped-def]
    meta = SECTIONS_BY_CODE.get(section)
    if meta is None or section not in SECTION_FORMS:
        abort(404)
    dossier = dossier_or_404(current_user, dossier_id)
    require_editable(dossier, section=section)
    financers = service.active_financers() if section == "identity" else []
    form = _build_form(section, dossier, financers)
    if request.method == "GET":
        return _render(meta, dossier, form)
    if request.form.get("lock_version", "") != str(dossier.lock_version):
        return _conflict(meta, dossier)
    if section == "territory" and "add_commune" in request.form:
        # Without JavaScript, "ajouter une commune" redisplays the form with one more input.
        if len(form.commune_inputs.entries) < form.commune_inputs.max_entries:
            form.commune_inputs.append_entry()
        return _render(meta, dossier, form)
    valid = form.validate()
    extras = _extras(section, form, financers)
    if not valid or extras is None:
        return _render(meta, dossier, form, status=422)
    try:
        service.save_section(
            dossier, section, actor=current_user, values=form.column_data(), **extras
        )
        db.session.commit()
    except StaleDataError:  # saved by someone else between our read and our write
        db.session.rollback()
        return _conflict(meta, dossier)
    flash(SAVED_MESSAGE, "success")
    return redirect(_next_url(meta, dossier) if "continue" in request.form else _summary(dossier))


@bp.get("/communes")
def communes():  # type: ignore[no-untyped-def]
    """Up to 20 communes matching ``q`` (name or INSEE code), for the datalist of section C."""
    found = commune_service.search_communes(request.args.get("q", "")[:100])
    return jsonify(
        [
            {
                "insee_code": c.insee_code,
                "name": c.name,
                "departement": c.departement_code,
                "label": c.label,
            }
            for c in found
        ]
    )


@bp.app_context_processor
def _section_helpers() -> dict[str, object]:
    return {
        "dossier_sections": SECTIONS,
        "section_edit_url": section_edit_url,
        "real_estate_total": service.real_estate_total,
    }


def section_edit_url(section: Section, dossier: Dossier) -> str | None:
    """The edit link of a section, or None while its endpoint is not registered yet."""
    if section.endpoint not in current_app.view_functions:
        return None
    return url_for(section.endpoint, dossier_id=dossier.id, section=section.code)


def _build_form(section: str, dossier: Dossier, financers: list) -> SectionForm:  # type: ignore[type-arg]
    extra: dict[str, object] = {}
    if section == "identity":
        extra["financer_ids"] = [f.id for f in dossier.financers]
    elif section == "territory":
        extra["commune_inputs"] = [dc.commune.label for dc in dossier.communes] or [""]
    form = SECTION_FORMS[section](obj=dossier, **extra)
    if section == "identity":
        form.financer_ids.choices = [SelectChoice(f.id, f.name) for f in financers]
    return form


def _extras(section: str, form: SectionForm, financers: list) -> dict[str, list] | None:  # type: ignore[type-arg]
    """Related objects of the section (financers, communes); None if a commune is not found."""
    if section == "identity":
        chosen = set(form.financer_ids.data or ())
        return {"financers": [f for f in financers if f.id in chosen]}
    if section == "territory":
        entries = form.commune_inputs.entries
        resolution = commune_service.resolve_communes([e.data or "" for e in entries])
        if not resolution.errors:
            return {"communes": resolution.communes}
        for index, message in resolution.errors.items():
            entries[index].errors = [*entries[index].errors, message]
        form.commune_inputs.errors = [list(e.errors) for e in entries]
        return None
    return {}


def _render(meta: Section, dossier: Dossier, form: SectionForm, status: int = 200):  # type: ignore[no-untyped-def]
    return render_template(
        f"promoter/section_{meta.code}.html",
        dossier=dossier,
        section=meta,
        form=form,
        next_section=_next_section(meta),
    ), status


def _conflict(meta: Section, dossier: Dossier):  # type: ignore[no-untyped-def]
    return render_template(
        "promoter/section_conflict.html", dossier=dossier, section=meta, message=STALE_MESSAGE
    ), 409


def _next_section(meta: Section) -> Section | None:
    index = SECTIONS.index(meta)
    return SECTIONS[index + 1] if index + 1 < len(SECTIONS) else None


def _next_url(meta: Section, dossier: Dossier) -> str:
    following = _next_section(meta)
    url = section_edit_url(following, dossier) if following else None
    return url or _summary(dossier)


def _summary(dossier: Dossier) -> str:
    return url_for("promoter.dossier", dossier_id=dossier.id)
