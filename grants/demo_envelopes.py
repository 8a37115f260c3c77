"""Demo data: a living ledger — reservations, commitments and a payment on the demo dossiers,
written through the ledger service. Idempotent: nothing is added once the 55 M€ envelope moved."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from grants.extensions import db
from grants.models import Dossier, Envelope, EnvelopeMovement, User
from grants.services import ledger

# (project title, envelope code, [(operation, amount, reason)]) — fictitious amounts.
PLAN = (
    (
        "Maison de santé pluriprofessionnelle de Souppes-sur-Loing",
        "ARS_IMMO_2023_2027",
        [
            ("reserve", "440000", "Proposition du comité de sélection"),
            ("commit", "440000", "Décision favorable du directeur général de l'ARS"),
            ("pay", "132000", "Premier acompte (30 %) au démarrage des travaux"),
        ],
    ),
    (
        "Maison de santé pluriprofessionnelle d'Égreville",
        "ARS_IMMO_2023_2027",
        [
            ("reserve", "360000", "Proposition du comité de sélection"),
            ("release", "40000", "Plan de financement révisé : coût éligible en baisse"),
        ],
    ),
    (
        "Maison de santé pluriprofessionnelle d'Égreville",
        "DEP_77_2023_2027",
        [
            ("reserve", "150000", "Proposition de la commission départementale"),
            ("commit", "150000", "Délibération de la commission permanente"),
        ],
    ),
    (
        "Maison de santé des Coteaux de l'Orge",
        "ARS_IMMO_2023_2027",
        [("reserve", "480000", "Proposition du comité de sélection")],
    ),
)


def seed_envelope_movements(actor: User | None) -> None:
    codes = {code for _, code, _ in PLAN}
    envelopes = {
        e.code: e for e in db.session.scalars(select(Envelope).where(Envelope.code.in_(codes)))
    }
    main = envelopes.get("ARS_IMMO_2023_2027")
    if main is None or db.session.scalar(
        select(EnvelopeMovement.id).where(EnvelopeMovement.envelope_id == main.id).limit(1)
    ):
        return
    for title, code, operations in PLAN:
        dossier = db.session.scalar(select(Dossier).where(Dossier.title == title))
        if dossier is None or dossier.state == "draft" or code not in envelopes:
            continue
        for operation, amount, reason in operations:
            getattr(ledger, operation)(envelopes[code], dossier, Decimal(amount), actor, reason)
