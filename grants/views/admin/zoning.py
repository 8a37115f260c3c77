"""Zoning administration: schemes and units, completing a partial unit, importing a version."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from grants.extensions import db
from grants.forms.zoning import (
    RemoveCommuneForm,
    UnitCommuneForm,
    UnitPartialForm,
    ZoningImportForm,
)
from grants.models.choices import PROFESSION_ZONINGS, ZONING_CATEGORIES, ZONING_UNIT_TYPES
from grants.models.zoning import ZoningScheme, ZoningUnit, ZoningUnitCommune
from grants.services import zoning as zoning_service
from grants.services.communes import resolve_communes
from grants.services.zoning_import import SchemeData, ZoningImportError, import_zoning
from grants.views.admin import bp, register_page

register_page(
    "admin.zoning_schemes",
    "Zonages",
    "Versions du zonage (arrêtés ARS), unités et communes ; import d'une nouvelle version.",
)
# The instructors' dossier page shows the recorded and the current zoning side by side
# (templates/instruction/_zoning.html calls this).
bp.add_app_template_global(zoning_service.zoning_comparison, "zoning_comparison")

LABELS = {
    "professions": PROFESSION_ZONINGS,
    "categories": ZONING_CATEGORIES,
    "unit_types": ZONING_UNIT_TYPES,
}


@bp.get("/zonages")
def zoning_schemes():  # type: ignore[no-untyped-def]
    counts = {
        scheme_id: (units, partial)
        for scheme_id, units, partial in db.session.execute(
            select(
                ZoningUnit.scheme_id,
                func.count(ZoningUnit.id),
                func.count(ZoningUnit.id).filter(ZoningUnit.partial.is_(True)),
            ).group_by(ZoningUnit.scheme_id)
        )
    }
    schemes = db.session.scalars(
        select(ZoningScheme).order_by(ZoningScheme.profession, ZoningScheme.valid_from)
    ).all()
    return render_template("admin/zoning_schemes.html", schemes=schemes, counts=counts, **LABELS)


@bp.get("/zonages/<int:scheme_id>")
def zoning_scheme(scheme_id: int):  # type: ignore[no-untyped-def]
    scheme = db.session.get(
        ZoningScheme,
        scheme_id,
        options=[
            selectinload(ZoningScheme.units)
            .selectinload(ZoningUnit.communes)
            .joinedload(ZoningUnitCommune.commune)
        ],
    )
    if scheme is None:
        abort(404)
    return render_template("admin/zoning_scheme.html", scheme=scheme, **LABELS)


def _unit_or_404(unit_id: int) -> ZoningUnit:
    unit = db.session.get(
        ZoningUnit,
        unit_id,
        options=[selectinload(ZoningUnit.communes).joinedload(ZoningUnitCommune.commune)],
    )
    if unit is None:
        abort(404)
    return unit


def _unit_page(unit: ZoningUnit, add_form: UnitCommuneForm | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    page = render_template(
        "admin/zoning_unit.html",
        unit=unit,
        add_form=add_form or UnitCommuneForm(formdata=None),
        partial_form=UnitPartialForm(formdata=None, partial=unit.partial),
        remove_form=RemoveCommuneForm(formdata=None),
        **LABELS,
    )
    return page, status


@bp.get("/zonages/unites/<int:unit_id>")
def zoning_unit(unit_id: int):  # type: ignore[no-untyped-def]
    return _unit_page(_unit_or_404(unit_id))


@bp.post("/zonages/unites/<int:unit_id>/communes")
def add_unit_commune(unit_id: int):  # type: ignore[no-untyped-def]
    unit = _unit_or_404(unit_id)
    form = UnitCommuneForm()
    if form.validate():
        resolution = resolve_communes([form.commune.data])
        if resolution.errors:
            form.commune.errors = [*resolution.errors.values()]
        else:
            commune = resolution.communes[0]
            try:
                zoning_service.add_unit_commune(unit, commune, actor=current_user)
            except zoning_service.ZoningError as exc:
                form.commune.errors = [str(exc)]
            else:
                db.session.commit()
                flash(f"{commune.label} ajoutée à « {unit.name} ».", "success")
                return redirect(url_for("admin.zoning_unit", unit_id=unit.id))
    db.session.rollback()
    return _unit_page(_unit_or_404(unit_id), form, 422)


@bp.post("/zonages/unites/<int:unit_id>/communes/<insee_code>/retirer")
def remove_unit_commune(unit_id: int, insee_code: str):  # type: ignore[no-untyped-def]
    unit = _unit_or_404(unit_id)
    if not RemoveCommuneForm().validate():
        abort(400)
    try:
        zoning_service.remove_unit_commune(unit, insee_code, actor=current_user)
    except zoning_service.ZoningError:
        abort(404)
    db.session.commit()
    flash(f"Commune {insee_code} retirée de « {unit.name} ».", "success")
    return redirect(url_for("admin.zoning_unit", unit_id=unit.id))


@bp.post("/zonages/unites/<int:unit_id>/partiel")
def set_unit_partial(unit_id: int):  # type: ignore[no-untyped-def]
    unit = _unit_or_404(unit_id)
    form = UnitPartialForm()
    if not form.validate():
        abort(400)
    zoning_service.set_unit_partial(unit, bool(form.partial.data), actor=current_user)
    db.session.commit()
    flash("Composition de l'unité enregistrée.", "success")
    return redirect(url_for("admin.zoning_unit", unit_id=unit.id))


@bp.route("/zonages/import", methods=["GET", "POST"])
def import_zoning_version():  # type: ignore[no-untyped-def]
    form = ZoningImportForm()
    errors: list[str] = []
    if form.is_submitted():
        if form.validate():
            data = SchemeData(
                code=form.code.data,
                name=form.name.data,
                legal_reference=form.legal_reference.data,
                valid_from=form.valid_from.data,
                valid_to=form.valid_to.data,
                profession=form.profession.data,
            )
            try:
                scheme = import_zoning(data, form.file.data.read(), actor=current_user)
            except ZoningImportError as exc:
                errors = exc.errors
            else:
                db.session.commit()
                flash(f"Zonage « {scheme.code} » importé : {len(scheme.units)} unités.", "success")
                return redirect(url_for("admin.zoning_scheme", scheme_id=scheme.id))
        db.session.rollback()
        status = 422
    else:
        status = 200
    return render_template("admin/zoning_import.html", form=form, errors=errors), status
