"""A financer's decision (DOMAIN §3.5, T11): the decider's form reached from the track panel, the
notification letters, and the whole project across financers on one page."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from grants.extensions import db
from grants.forms.decision import DecisionForm, build_decision_form
from grants.models import Dossier, FinancerTrack
from grants.models.choices import AID_TYPES
from grants.permissions import staff_dossier_or_404
from grants.services import decisions as service
from grants.services.decision_letters import letter_of
from grants.services.ledger import begin_write, dossier_balance
from grants.services.project_overview import project_overview
from grants.views.downloads import send_stored
from grants.views.instruction import bp
from grants.views.instruction.helpers import transition_refused

PROJECT_OPTIONS = (
    selectinload(Dossier.organisation),
    selectinload(Dossier.financers),
    selectinload(Dossier.tracks),
    selectinload(Dossier.resource_lines),
    selectinload(Dossier.cost_lines),
)


def _track_or_404(dossier: Dossier, track_id: int) -> FinancerTrack:
    track = next((t for t in dossier.tracks if t.id == track_id), None)
    if track is None:
        abort(404)
    return track


def _form(track: FinancerTrack, **kwargs: object) -> DecisionForm:
    aid_types = [(code, AID_TYPES[code]) for code in service.asked_aid_types(track)]
    return build_decision_form(aid_types, service.proposed_amounts(track), **kwargs)


def _render(  # type: ignore[no-untyped-def]
    dossier: Dossier,
    track: FinancerTrack,
    form: DecisionForm,
    status: int = 200,
    errors: list[str] | tuple[str, ...] = (),
):
    envelope = service.envelope_of(track)
    return render_template(
        "instruction/decision_form.html",
        dossier=dossier,
        track=track,
        form=form,
        general_errors=list(errors),
        requested=service.requested_amounts(track),
        proposed=service.proposed_amounts(track),
        committee_item=service.latest_opinion_item(dossier.id),
        envelope=envelope,
        balance=dossier_balance(envelope, dossier) if envelope is not None else None,
        previous=[d for d in service.decisions_of(dossier.id) if d.track_id == track.id],
    ), status


def _refused_page(dossier_id: int, refused: service.DecisionRefused):  # type: ignore[no-untyped-def]
    return transition_refused(dossier_id, refused)


@bp.route("/dossiers/<int:dossier_id>/financeurs/<int:track_id>/decision", methods=["GET", "POST"])
def decision_form(dossier_id: int, track_id: int):  # type: ignore[no-untyped-def]
    dossier = staff_dossier_or_404(current_user, dossier_id)
    track = _track_or_404(dossier, track_id)
    refused = service.refusal(track, current_user)
    if refused is not None:
        return _refused_page(dossier.id, refused)
    if request.method == "GET":
        outcome = service.EVENT_OUTCOMES.get(request.args.get("evenement", ""), "")
        form = _form(track, formdata=None, outcome=outcome or None, lock_version=track.lock_version)
        return _render(dossier, track, form)
    form = _form(track)
    if not form.validate():
        return _render(dossier, track, form, 422)
    raw_version = form.lock_version.data or ""
    begin_write()  # SQLite: take the write lock before reading again (no-op on PostgreSQL)
    try:
        decision = service.decide(
            track,
            current_user,
            form.outcome.data,
            form.amounts(),
            form.conditions.data or "",
            form.motivation.data or "",
            form.act_reference.data or "",
            form.act_date.data,
            form.signatory.data or "",
            int(raw_version) if raw_version.isdigit() else None,
        )
    except service.DecisionRefused as refused:
        db.session.rollback()
        if refused.status != 422:
            return _refused_page(dossier_id, refused)
        dossier = staff_dossier_or_404(current_user, dossier_id)
        track = _track_or_404(dossier, track_id)
        return _render(dossier, track, _with_errors(form, refused), 422, _general(form, refused))
    db.session.commit()
    flash(
        f"Décision de {decision.financer.name} enregistrée ({service.summary(decision)}). "
        "La lettre de notification est envoyée au porteur.",
        "success",
    )
    return redirect(url_for("instruction.project", dossier_id=dossier_id, _anchor="decisions"))


def _with_errors(form: DecisionForm, refused: service.DecisionRefused) -> DecisionForm:
    for name, message in refused.errors:
        if name is not None and name in form:
            form[name].errors = [*form[name].errors, message]
    return form


def _general(form: DecisionForm, refused: service.DecisionRefused) -> list[str]:
    """Messages that belong to no single field (amounts as a whole, the engine's reasons)."""
    general = [message for name, message in refused.errors if name is None or name not in form]
    return general or ([] if refused.errors else [refused.message])


@bp.get("/dossiers/<int:dossier_id>/decisions/<int:decision_id>/lettre.pdf")
def decision_letter(dossier_id: int, decision_id: int):  # type: ignore[no-untyped-def]
    dossier = staff_dossier_or_404(current_user, dossier_id)
    letter = letter_of(dossier.id, decision_id)
    if letter is None:
        abort(404)
    return send_stored(letter)


@bp.get("/dossiers/<int:dossier_id>/projet")
def project(dossier_id: int):  # type: ignore[no-untyped-def]
    dossier = staff_dossier_or_404(current_user, dossier_id, PROJECT_OPTIONS)
    return render_template(
        "instruction/project.html",
        dossier=dossier,
        overview=project_overview(dossier),
        may_decide={
            t.id: service.refusal(t, current_user) is None
            for t in dossier.tracks
            if t.state in ("awaiting_decision", "deferred")
        },
    )
