"""Scoring on the instructors' side: the score card (with its grid version and adjustments), the
eligibility gates, the real-estate aid computed line by line, proposed amounts per track and the
financing-plan checks. ``scoring_panel(dossier)`` feeds the partials on the dossier page too."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from grants.extensions import db
from grants.models import Dossier
from grants.models.choices import INSTRUCTION_ROLES
from grants.models.scoring import ScoreAdjustment, ScoreCard
from grants.permissions import staff_dossier_or_404
from grants.scoring.inputs import from_dossier
from grants.services import eligibility as eligibility_service
from grants.services import proposed_amounts, scoring
from grants.services.dossiers import full_dossier_options
from grants.views.instruction import bp

OPTIONS = (*full_dossier_options(), selectinload(Dossier.tracks))


@bp.app_template_global()
def scoring_panel(dossier: Any) -> dict[str, Any]:
    """Everything the scoring partials show, for a loaded dossier (or ``DossierPage``)."""
    card = scoring.current_card(dossier.id)
    if card is not None:
        card = db.session.scalar(
            db.select(ScoreCard)
            .where(ScoreCard.id == card.id)
            .options(
                joinedload(ScoreCard.grid),
                selectinload(ScoreCard.adjustments).joinedload(ScoreAdjustment.adjusted_by),
            )
        )
    inputs = from_dossier(dossier)
    gates = eligibility_service.gate_results(dossier)
    total = scoring.effective_total(card) if card is not None else None
    return {
        "card": card,
        "lines": scoring.effective_lines(card) if card is not None else [],
        "total": total,
        "gates": gates,
        "flags": eligibility_service.advisory_flags(gates),
        "aid": proposed_amounts.envelope_aid(inputs, total) if inputs.targets_envelope else None,
        "plan": proposed_amounts.financing_view(dossier, inputs),
        "amounts": {(a.track_id, a.aid_type): a for a in proposed_amounts.amounts_of(dossier)},
        "may_score": current_user.role in INSTRUCTION_ROLES,
        "proposable": [t for t in dossier.tracks if proposed_amounts.may_propose(current_user, t)],
    }


@bp.app_template_global()
def eligibility_gates(dossier: Any) -> list[Any]:
    """The gates the promoter reads before filing (``promoter/_eligibility.html``)."""
    return eligibility_service.gate_results(dossier)


def _load(dossier_id: int) -> Dossier:
    return staff_dossier_or_404(current_user, dossier_id, OPTIONS)


def _page(dossier: Dossier, status: int = 200, **context: Any):  # type: ignore[no-untyped-def]
    history = scoring.card_history(dossier.id)
    return render_template(
        "instruction/scoring.html",
        dossier=dossier,
        scoring=scoring_panel(dossier),
        history=history,
        **context,
    ), status


@bp.get("/dossiers/<int:dossier_id>/notation")
def scoring_page(dossier_id: int):  # type: ignore[no-untyped-def]
    dossier = _load(dossier_id)
    response = _page(dossier)
    db.session.commit()  # the first use may have seeded the shipped configuration
    return response


@bp.get("/dossiers/<int:dossier_id>/notation/fiches/<int:card_id>")
def score_card(dossier_id: int, card_id: int):  # type: ignore[no-untyped-def]
    dossier = _load(dossier_id)
    card = db.session.get(ScoreCard, card_id)
    if card is None or card.dossier_id != dossier.id:
        return render_template("error.html", code=404, title="Fiche introuvable", message=""), 404
    return render_template(
        "instruction/score_card_archive.html",
        dossier=dossier,
        card=card,
        lines=scoring.effective_lines(card),
        total=scoring.effective_total(card),
    )


@bp.post("/dossiers/<int:dossier_id>/notation/calcul")
def request_scoring(dossier_id: int):  # type: ignore[no-untyped-def]
    dossier = _load(dossier_id)
    if current_user.role not in INSTRUCTION_ROLES:
        return _page(dossier, 403, error="Seuls les instructeurs demandent une notation.")
    scoring.schedule_scoring(dossier.id, "instructor")
    db.session.commit()
    flash("La notation du dossier a été demandée ; la fiche apparaît dès qu'elle est calculée.")
    return redirect(url_for("instruction.scoring_page", dossier_id=dossier.id) + "#score-card")


@bp.post("/dossiers/<int:dossier_id>/notation/<int:card_id>/ajustement")
def adjust_score(dossier_id: int, card_id: int):  # type: ignore[no-untyped-def]
    dossier = _load(dossier_id)
    form = {k: request.form.get(k, "") for k in ("criterion", "points", "justification")}
    card = db.session.get(ScoreCard, card_id)
    if card is None or card.dossier_id != dossier.id:
        return _page(dossier, 404, error="Cette fiche n'existe pas.", adjust_form=form)
    if current_user.role not in INSTRUCTION_ROLES:
        return _page(dossier, 403, error="Seuls les instructeurs ajustent une note.")
    try:
        scoring.adjust_criterion(card, actor=current_user, **form)
    except scoring.AdjustmentRefusedError as refused:
        db.session.rollback()
        return _page(dossier, refused.status, adjust_error=refused.message, adjust_form=form)
    db.session.commit()
    flash("L'ajustement a été enregistré avec sa justification.")
    return redirect(url_for("instruction.scoring_page", dossier_id=dossier.id) + "#score-card")


@bp.post("/dossiers/<int:dossier_id>/suivis/<int:track_id>/montants")
def propose_amount(dossier_id: int, track_id: int):  # type: ignore[no-untyped-def]
    dossier = _load(dossier_id)
    track = next((t for t in dossier.tracks if t.id == track_id), None)
    form = {k: request.form.get(k, "") for k in ("aid_type", "amount", "lock_version")}
    if track is None:
        return _page(dossier, 404, amount_error="Ce financeur n'instruit pas ce dossier.")
    expected = int(form["lock_version"]) if form["lock_version"].isdigit() else None
    computation: dict[str, Any] = {}
    if track.financer.kind == "ars_envelope" and form["aid_type"] == "investment_real_estate":
        panel_aid = proposed_amounts.envelope_aid(from_dossier(dossier), None)
        computation = panel_aid.to_json()
    try:
        proposed_amounts.propose_amount(
            track,
            aid_type=form["aid_type"],
            amount=form["amount"],
            expected_version=expected,
            actor=current_user,
            computation=computation,
        )
    except proposed_amounts.AmountRefusedError as refused:
        db.session.rollback()
        return _page(
            dossier,
            refused.status,
            amount_error=refused.message,
            amount_form=form,
            track_id=track.id,
        )
    db.session.commit()
    flash(f"Montant proposé par {track.financer.name} enregistré.")
    return redirect(url_for("instruction.scoring_page", dossier_id=dossier.id) + "#financing-plan")
