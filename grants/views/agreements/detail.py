"""The contract page: the agreement's terms in force, its versions and documents, its
amendments and their history, the signatures, the actions the user may take, and the payment
and monitoring panels; and the generic transitions fired from it (send, recall, refuse a
signature, countersign, end)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from grants.extensions import db
from grants.models import Agreement, AgreementVersion, Dossier
from grants.services import agreement_versions
from grants.services.agreement_indicators import CATALOGUE
from grants.services.agreement_signature import countersign as countersign_service
from grants.services.agreement_terms import agreement_terms
from grants.services.agreements import agreements_of, may_prepare, open_amendment
from grants.views.agreements import bp
from grants.views.agreements.helpers import PROMOTER, load, refused, version_field
from grants.workflow import engine
from grants.workflow.engine import TransitionError
from grants.workflow.states import PROMOTER_AGREEMENT_LABELS

# Events that have their own page (a form to fill) rather than a button on the contract page.
OWN_PAGES = {"sign": "agreements.sign", "terminate": "agreements.terminate"}


@bp.app_template_global()
def dossier_agreements(dossier: Dossier) -> list[Agreement]:
    """The dossier's agreements, for the agreements section of both dossier pages (none, and
    no query, for a dossier never filed: agreements follow decisions)."""
    return agreements_of(dossier.id) if dossier.submitted_at is not None else []


@bp.app_template_global()
def catalogue_label(code: str) -> str:
    definition = CATALOGUE.get(code)
    return definition.label if definition is not None else code


@bp.app_template_global()
def agreement_state_label(agreement: Agreement, audience: str) -> str:
    if audience == PROMOTER:
        return PROMOTER_AGREEMENT_LABELS[agreement.state]
    return agreement.state_label


def visible_versions(agreement: Agreement, audience: str) -> list[AgreementVersion]:
    """Staff see every version; the promoter sees what was sent to them (no draft being
    prepared, no amendment not yet sent)."""
    if audience != PROMOTER:
        return list(agreement.versions)
    amendments = {a.id: a for a in agreement.amendments}
    shown = []
    for version in agreement.versions:
        if version.amendment_id is None:
            if agreement.state != "drafted":
                shown.append(version)
        elif amendments[version.amendment_id].state in (
            "sent_to_promoter",
            "signed_by_promoter",
            "active",
        ):
            shown.append(version)
    return shown


@bp.get("/<int:agreement_id>")
def detail(agreement_id: int):  # type: ignore[no-untyped-def]
    agreement, audience = load(agreement_id)
    current = agreement_versions.version_of(agreement)
    versions = visible_versions(agreement, audience)
    pending = open_amendment(agreement)
    return render_template(
        "agreements/detail.html",
        agreement=agreement,
        dossier=agreement.dossier,
        audience=audience,
        terms=agreement_terms(agreement),
        current=current if current in versions else None,
        data=current.data if current is not None else None,
        versions=list(reversed(versions)),
        documents={v.id: agreement_versions.stored_documents(v) for v in versions},
        actions=engine.available_transitions(agreement, current_user),
        pending=pending,
        pending_actions=engine.available_transitions(pending, current_user) if pending else [],
        may_edit=agreement.state == "drafted" and may_prepare(agreement, current_user),
        may_amend=agreement.state == "active"
        and pending is None
        and may_prepare(agreement, current_user),
        own_pages=OWN_PAGES,
    )


@bp.post("/<int:agreement_id>/transitions/<event>")
def fire(agreement_id: int, event: str):  # type: ignore[no-untyped-def]
    agreement, _audience = load(agreement_id)
    if event in OWN_PAGES:
        return redirect(url_for(OWN_PAGES[event], agreement_id=agreement.id))
    data = {"reason": request.form.get("reason", "").strip()}
    try:
        engine.fire(agreement, event, current_user, data=data, expected_version=version_field())
    except TransitionError as error:
        return refused(agreement, error)
    db.session.commit()
    flash(f"« {engine.transition(agreement, event).staff_label} » : c'est fait.", "success")
    return redirect(url_for("agreements.detail", agreement_id=agreement.id))


@bp.post("/<int:agreement_id>/contre-signature")
def countersign(agreement_id: int):  # type: ignore[no-untyped-def]
    agreement, _audience = load(agreement_id)
    try:
        countersign_service(agreement, current_user, expected_version=version_field())
    except TransitionError as error:
        return refused(agreement, error)
    db.session.commit()
    flash(
        f"{agreement.kind_label} {agreement.reference} contre-signé : il est en vigueur.", "success"
    )
    return redirect(url_for("agreements.detail", agreement_id=agreement.id))
