"""Conditions on the agreement and amendment transitions and on the dossier's post-decision
transitions (DOMAIN T12–T16, §3.7): pure predicates returning the reasons, in French, a
transition cannot happen now."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from grants.extensions import db
from grants.models import Agreement, Amendment, Dossier
from grants.workflow.guards import Context

OPEN_AMENDMENT_STATES = frozenset({"drafted", "sent_to_promoter", "signed_by_promoter"})
OPEN_PAYMENT_STATES = ("requested", "checked", "approved")
UNFINISHED_REPORT_STATES = ("due", "submitted", "returned")


def _agreement(obj: Agreement | Amendment) -> Agreement:
    return obj.agreement if isinstance(obj, Amendment) else obj


def agreements_of(dossier: Dossier) -> list[Agreement]:
    return list(
        db.session.scalars(
            select(Agreement).where(Agreement.dossier_id == dossier.id).order_by(Agreement.id)
        )
    )


# --- the dossier (T12–T16) ---------------------------------------------------------------------


def granted_decisions_recorded(dossier: Dossier, _ctx: Context) -> list[str]:
    """T12: at least one grant, and every granting track carries its decision act."""
    from grants.services.agreements import granting_decision
    from grants.workflow.states import GRANTED_TRACK_STATES

    granted = [t for t in dossier.tracks if t.state in GRANTED_TRACK_STATES]
    if not granted:
        return ["Aucun financeur n'a accordé d'aide : il n'y a pas de convention à préparer."]
    missing = [t.financer.name for t in granted if granting_decision(t) is None]
    if missing:
        return [f"Décision d'attribution non enregistrée pour : {', '.join(missing)}."]
    return []


def some_agreement_active(dossier: Dossier, _ctx: Context) -> list[str]:
    if any(a.state in ("active", "ended") for a in agreements_of(dossier)):
        return []
    return ["Aucune convention n'est encore en vigueur (contre-signée)."]


def opening_date_given(_dossier: Dossier, ctx: Context) -> list[str]:
    opened_on = ctx.data.get("opening_date")
    if not isinstance(opened_on, date):
        return ["Indiquez la date d'ouverture de la structure."]
    if opened_on > ctx.now.date():
        return ["La date d'ouverture ne peut pas être dans le futur."]
    return []


def every_agreement_over(dossier: Dossier, _ctx: Context) -> list[str]:
    agreements = agreements_of(dossier)
    if not agreements:
        return ["Le dossier n'a aucune convention."]
    running = [a.reference for a in agreements if a.state not in ("ended", "terminated")]
    if running:
        return [f"Conventions encore en cours : {', '.join(running)}."]
    return []


def every_agreement_terminated(dossier: Dossier, _ctx: Context) -> list[str]:
    agreements = agreements_of(dossier)
    if agreements and all(a.state == "terminated" for a in agreements):
        return []
    return ["Toutes les conventions du dossier ne sont pas résiliées."]


def no_payment_in_progress(dossier: Dossier, _ctx: Context) -> list[str]:
    from grants.models import PaymentRequest

    count = db.session.scalar(
        select(func.count(PaymentRequest.id))
        .join(Agreement, Agreement.id == PaymentRequest.agreement_id)
        .where(Agreement.dossier_id == dossier.id, PaymentRequest.state.in_(OPEN_PAYMENT_STATES))
    )
    if count:
        return [f"Demandes de versement en cours de traitement : {count}."]
    return []


def reports_validated(dossier: Dossier, _ctx: Context) -> list[str]:
    from grants.models import ReportingPeriod

    count = db.session.scalar(
        select(func.count(ReportingPeriod.id))
        .join(Agreement, Agreement.id == ReportingPeriod.agreement_id)
        .where(
            Agreement.dossier_id == dossier.id,
            ReportingPeriod.state.in_(UNFINISHED_REPORT_STATES),
        )
    )
    if count:
        return [f"Rapports de suivi non encore validés : {count}."]
    return []


# --- the agreement and its amendments ----------------------------------------------------------


def document_ready(obj: Agreement | Amendment, _ctx: Context) -> list[str]:
    """The promoter is sent a document that exists: its PDF has been generated."""
    from grants.services.agreement_versions import version_of

    version = version_of(obj)
    if version is None:
        return ["Le document n'a pas encore été établi."]
    if not version.pdf_key:
        return ["Le document est en cours de génération : réessayez dans un instant."]
    return []


def duration_valid(obj: Agreement | Amendment, _ctx: Context) -> list[str]:
    from grants.services.agreement_terms import duration_problem, terms_of

    problem = duration_problem(_agreement(obj).kind, terms_of(obj).starts_on, terms_of(obj).ends_on)
    return [problem] if problem else []


def signature_given(_obj: Agreement | Amendment, ctx: Context) -> list[str]:
    """A signed copy uploaded, or a typed name with its confirmation (and where it came from)."""
    signature: dict[str, Any] = ctx.data.get("signature") or {}
    method = signature.get("method")
    if method == "upload":
        if signature.get("storage_key") and signature.get("sha256"):
            return []
        return ["Déposez la copie signée (PDF)."]
    if method == "typed":
        reasons = []
        if not str(signature.get("name") or "").strip():
            reasons.append("Saisissez vos nom et prénom pour signer.")
        if signature.get("confirmed") is not True:
            reasons.append("Cochez la case de confirmation de signature.")
        return reasons
    return ["Choisissez comment signer : copie signée déposée ou signature dans l'application."]


def term_reached(agreement: Agreement, ctx: Context) -> list[str]:
    if ctx.now.date() >= agreement.ends_on:
        return []
    return [f"La convention court jusqu'au {agreement.ends_on:%d/%m/%Y}."]


def no_open_amendment(agreement: Agreement, _ctx: Context) -> list[str]:
    if any(a.state in OPEN_AMENDMENT_STATES for a in agreement.amendments):
        return ["Un avenant est en cours : signez-le ou abandonnez-le d'abord."]
    return []


def agreement_in_force(amendment: Amendment, _ctx: Context) -> list[str]:
    if amendment.agreement.state == "active":
        return []
    return ["Un avenant ne s'applique qu'à une convention en vigueur."]
