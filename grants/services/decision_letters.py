"""The notification letter of a decision: rendered, stored with its hash on the decision, sent to
the promoter's members through the outbox (email with a download link, and in-app)."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from grants.documents.decision_letter import letter_filename, render_decision_letter
from grants.extensions import db
from grants.links import absolute_url
from grants.models import FinancerDecision
from grants.models.choices import AID_TYPES, DECISION_OUTCOMES
from grants.notifications.outbox import enqueue, promoter_members
from grants.storage import StorageError
from grants.templating import french_date, money

STORAGE_FAILED = (
    "La lettre de notification n'a pas pu être enregistrée : la décision n'est pas enregistrée. "
    "Réessayez dans un instant."
)


@dataclass(frozen=True)
class StoredLetter:
    """What ``send_stored`` needs to serve a letter."""

    storage_key: str
    original_name: str
    sha256: str
    content_type: str = "application/pdf"


def attach_letter(decision: FinancerDecision) -> None:
    """Render the letter, store it under a fresh key and keep its key and sha256."""
    from grants.services.decisions import DecisionRefused, latest_opinion_item, requested_amounts

    data = render_decision_letter(
        decision,
        requested=requested_amounts(decision.track),
        committee_item=latest_opinion_item(decision.dossier_id),
    )
    key = f"decisions/{decision.dossier_id}/{uuid.uuid4().hex}.pdf"
    try:
        current_app.extensions["grants_storage"].put(key, data, "application/pdf")
    except StorageError as exc:
        raise DecisionRefused(503, STORAGE_FAILED) from exc
    decision.letter_key = key
    decision.letter_sha256 = hashlib.sha256(data).hexdigest()


def letter_of(dossier_id: int, decision_id: int) -> StoredLetter | None:
    """The stored letter of one of the dossier's decisions (None: no such decision or letter)."""
    decision = db.session.scalar(
        select(FinancerDecision).where(
            FinancerDecision.id == decision_id, FinancerDecision.dossier_id == dossier_id
        )
    )
    return stored_letter(decision) if decision is not None else None


def stored_letter(decision: FinancerDecision) -> StoredLetter | None:
    if not decision.letter_key or not decision.letter_sha256:
        return None
    return StoredLetter(decision.letter_key, letter_filename(decision), decision.letter_sha256)


def notify_promoter(decision: FinancerDecision) -> None:
    """Every member of the promoter organisation: an email with the letter's link, in-app too."""
    from grants.services.decisions import summary

    dossier = decision.dossier
    label = f"Décision de {decision.financer.name} : {DECISION_OUTCOMES[decision.outcome].lower()}"
    enqueue(
        event_key=f"decision:{decision.id}",
        event="decision.notified",
        recipients=promoter_members(dossier),
        template="decision",
        subject=f"{label} — {dossier.reference or dossier.title}"[:200],
        context={
            "audience": "promoter",
            "event_label": label,
            "dossier_title": dossier.title,
            "reference": dossier.reference or "",
            "financer": decision.financer.name,
            "outcome": decision.outcome,
            "outcome_label": DECISION_OUTCOMES[decision.outcome],
            "act_reference": decision.act_reference,
            "act_date": french_date(decision.act_date),
            "signatory": decision.signatory,
            "amounts": [
                {"label": AID_TYPES.get(line.aid_type, line.aid_type), "amount": money(line.amount)}
                for line in decision.amounts
            ],
            "total": money(decision.total),
            "link": absolute_url("promoter.dossier", dossier_id=dossier.id) + "#decisions",
            "letter_link": absolute_url(
                "promoter.decision_letter", dossier_id=dossier.id, decision_id=decision.id
            ),
            "message": (
                f"Décision n° {decision.act_reference} du {french_date(decision.act_date)} : "
                f"{summary(decision)}. La lettre de notification est disponible sur votre dossier."
            ),
        },
        dossier=dossier,
    )
