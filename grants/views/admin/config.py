"""Versioned configuration pages: the scoring grid, the aid formula and the financing rules. An
edit creates a NEW version (never an in-place change); a new grid re-scores every open dossier
in the background, with a progress page polling the job's JSON status."""

from __future__ import annotations

from flask import abort, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from grants.extensions import db
from grants.forms.config_versions import fields_for, read_form
from grants.models import BackgroundJob
from grants.models.choices import CONFIG_KINDS
from grants.models.scoring import ConfigVersion
from grants.services import config_versions, scoring
from grants.views.admin import bp, register_page

register_page(
    "admin.config_home",
    "Notation, aide immobilière et plan de financement",
    "Grille de notation, formule de l'aide immobilière et règles du plan de financement, "
    "modifiées par nouvelles versions.",
)


def _kind_or_404(kind: str) -> str:
    if kind not in CONFIG_KINDS:
        abort(404)
    return kind


@bp.get("/configuration")
def config_home():  # type: ignore[no-untyped-def]
    kinds = [(kind, label, config_versions.versions(kind)) for kind, label in CONFIG_KINDS.items()]
    if any(not versions for _k, _l, versions in kinds):
        config_versions.seed_all()
        db.session.commit()
        kinds = [(k, lbl, config_versions.versions(k)) for k, lbl in CONFIG_KINDS.items()]
    return render_template("admin/config_home.html", kinds=kinds)


@bp.get("/configuration/<kind>/<int:version_id>")
def config_version(kind: str, version_id: int):  # type: ignore[no-untyped-def]
    version = db.session.get(ConfigVersion, version_id)
    if version is None or version.kind != _kind_or_404(kind):
        abort(404)
    return render_template(
        "admin/config_version.html",
        kind=kind,
        label=CONFIG_KINDS[kind],
        version=version,
        fields=fields_for(kind, version.payload),
    )


@bp.route("/configuration/<kind>/nouvelle-version", methods=["GET", "POST"])
def new_config_version(kind: str):  # type: ignore[no-untyped-def]
    base = config_versions.active(_kind_or_404(kind))
    if request.method == "GET":
        db.session.commit()  # the first visit may have seeded the shipped version
        return _form(kind, base, fields_for(kind, base.payload), [], "", "")
    name, comment = request.form.get("version", ""), request.form.get("comment", "")
    payload, fields = read_form(kind, base.payload, request.form)
    errors = [(f.name, f"{f.label} : {message}") for f in fields for message in f.errors]
    if not errors:
        try:
            created = config_versions.create_version(
                kind, payload, actor=current_user, version=name, comment=comment
            )
        except config_versions.ConfigRefusedError as refused:
            errors = [("version" if "version" in m else "fields", m) for m in refused.errors]
    if errors:
        db.session.rollback()
        return _form(kind, base, fields, errors, name, comment), 422
    if kind == "scoring_grid":
        job = scoring.start_rescore(created, actor=current_user)
        db.session.commit()
        return redirect(url_for("admin.job", job_id=job.id))
    db.session.commit()
    return redirect(url_for("admin.config_version", kind=kind, version_id=created.id))


def _form(kind, base, fields, errors, name, comment):  # type: ignore[no-untyped-def]
    groups: dict[str, list] = {}
    for f in fields:
        groups.setdefault(f.group, []).append(f)
    return render_template(
        "admin/config_form.html",
        kind=kind,
        label=CONFIG_KINDS[kind],
        base=base,
        groups=groups,
        errors=errors,
        name=name,
        comment=comment,
    )


def _job_or_404(job_id: int) -> BackgroundJob:
    job = db.session.get(BackgroundJob, job_id)
    if job is None or job.kind != scoring.RESCORE_KIND:
        abort(404)
    return job


@bp.get("/taches/<int:job_id>")
def job(job_id: int):  # type: ignore[no-untyped-def]
    found = _job_or_404(job_id)
    grid = db.session.get(ConfigVersion, found.params.get("grid_id"))
    return render_template("admin/config_job.html", job=found, grid=grid)


@bp.get("/taches/<int:job_id>.json")
def job_status(job_id: int):  # type: ignore[no-untyped-def]
    found = _job_or_404(job_id)
    return jsonify(
        id=found.id,
        state=found.state,
        done=found.done,
        total=found.total,
        error=found.error,
    )
