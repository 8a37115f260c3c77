"""What the promoter sees of the committee and the financers' decisions on their dossier page,
the notification letters they download, and the revised financing plan they send when asked."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from grants.extensions import db
from grants.forms.rows import FinancingForm
from grants.models import Dossier
from grants.models.choices import AID_TYPES
from grants.permissions import dossier_or_404
from grants.sections import SECTIONS_BY_CODE
from grants.services import aggregates
from grants.services import plan_revision as service
from grants.services.decision_letters import letter_of
from grants.services.project_overview import EARLY_STATES, ProjectOverview, project_overview
from grants.views.downloads import send_stored
from grants.views.promoter import bp

CONFLICT_MESSAGE = "Ce dossier a été modifié entre-temps : rechargez la page."


@bp.app_template_global()
def promoter_project(dossier: Dossier) -> ProjectOverview | None:
    """The committee and decisions section of the promoter's dossier page (None: nothing yet)."""
    if dossier.state in EARLY_STATES or not dossier.committee_items:
        return None
    return project_overview(dossier)


@bp.get("/dossiers/<int:dossier_id>/decisions/<int:decision_id>/lettre.pdf")
def decision_letter(dossier_id: int, decision_id: int):  # type: ignore[no-untyped-def]
    dossier = dossier_or_404(current_user, dossier_id)
    letter = letter_of(dossier.id, decision_id)
    if letter is None:
        abort(404)
    return send_stored(letter)


# --- the revised financing plan -----------------------------------------------------------------


def _load(dossier_id: int) -> Dossier:
    return dossier_or_404(
        current_user,
        dossier_id,
        (
            selectinload(Dossier.financers),
            selectinload(Dossier.cost_lines),
            selectinload(Dossier.resource_lines),
        ),
    )


def _form(dossier: Dossier) -> FinancingForm:
    if request.method == "POST":
        form = FinancingForm()
    else:
        form = FinancingForm(
            data={
                "lock_version": dossier.lock_version,
                "costs": [*dossier.cost_lines, None],
                "resources": [*dossier.resource_lines, None],
            }
        )
    chosen = [code for code in AID_TYPES if code in (dossier.aid_types or [])]
    form.prepare(
        aid_types={code: AID_TYPES[code] for code in chosen or AID_TYPES},
        financers={str(f.id): f.name for f in dossier.financers},
    )
    return form


def _render(dossier: Dossier, form: FinancingForm, revision, problems=(), status: int = 200):  # type: ignore[no-untyped-def]
    balances = aggregates.balance_by_aid_type(
        form.typed_lines("costs", "aid_type", "amount"),
        form.typed_lines("resources", "aid_type", "amount"),
        [code for code in AID_TYPES if code in (dossier.aid_types or [])],
    )
    return render_template(
        "promoter/plan_revision.html",
        dossier=dossier,
        section=SECTIONS_BY_CODE["financing"],
        form=form,
        balances=balances,
        revision=revision,
        problems=list(problems),
    ), status


@bp.route("/dossiers/<int:dossier_id>/plan-revise", methods=["GET", "POST"])
def revise_plan(dossier_id: int):  # type: ignore[no-untyped-def]
    dossier = _load(dossier_id)
    revision = service.open_request(dossier.id)
    if revision is None and request.method == "GET":
        flash("Aucun plan de financement révisé ne vous est demandé pour ce dossier.", "info")
        return redirect(url_for("promoter.dossier", dossier_id=dossier.id))
    if revision is None:
        return render_template(
            "error.html",
            code=409,
            title="Aucun plan révisé demandé",
            message="Aucun plan de financement révisé ne vous est demandé pour ce dossier.",
        ), 409
    form = _form(dossier)
    if request.method == "GET":
        return _render(dossier, form, revision)
    added = request.form.get("add_row")
    if added:
        form.add_row(added)
        return _render(dossier, form, revision)
    if form.lock_version.data != str(dossier.lock_version):
        return _conflict()
    if not form.validate():
        return _render(dossier, form, revision, status=422)
    try:
        version = service.answer(dossier, actor=current_user, rows=form.collect())
    except service.PlanRevisionRefused as refused:
        db.session.rollback()
        dossier = _load(dossier_id)
        return _render(
            dossier, form, service.open_request(dossier.id), refused.problems, refused.status
        )
    except StaleDataError:
        db.session.rollback()
        return _conflict()
    db.session.commit()
    flash(
        "Votre plan de financement révisé est transmis aux financeurs. "
        f"La version {version.number} du dossier est figée.",
        "success",
    )
    return redirect(url_for("promoter.dossier", dossier_id=dossier_id, _anchor="decisions"))


def _conflict():  # type: ignore[no-untyped-def]
    return render_template("error.html", code=409, title="Conflit", message=CONFLICT_MESSAGE), 409
