"""States of the machines, with the labels staff and promoters read (they differ)."""

from __future__ import annotations

from grants.models.choices import AGREEMENT_STATES, AMENDMENT_STATES, DOSSIER_STATES, TRACK_STATES

STAFF_DOSSIER_LABELS = DOSSIER_STATES
# What a promoter reads: the same facts, worded for the applicant.
PROMOTER_DOSSIER_LABELS = {
    **DOSSIER_STATES,
    "submitted": "Déposé",
    "completeness_check": "Dossier en cours de vérification",
    "awaiting_documents": "Pièces ou précisions demandées",
    "admissible": "Dossier complet",
    "under_instruction": "En cours d'instruction",
    "ready_for_committee": "Examen en comité programmé",
    "on_hold": "Instruction suspendue",
    "committee_reviewed": "Examiné en comité",
    "decisions_pending": "Décisions des financeurs en cours",
    "decided": "Décisions rendues",
    "rejected": "Demande rejetée",
    "agreements_in_progress": "Conventions de financement en préparation",
    "in_execution": "Projet en cours de réalisation",
    "open_monitoring": "Structure ouverte : suivi des engagements",
    "closed": "Dossier clôturé",
    "terminated": "Conventions résiliées",
}
STAFF_TRACK_LABELS = TRACK_STATES
PROMOTER_TRACK_LABELS = {
    **TRACK_STATES,
    "checking": "Vérification des pièces",
    "not_concerned": "Ne finance pas ce projet",
}

# States from which the promoter may still withdraw (before any agreement, DOMAIN T17). A draft
# was never filed (it has no reference to keep): it is deleted, not withdrawn.
PRE_AGREEMENT_STATES = frozenset(
    {
        "submitted",
        "completeness_check",
        "awaiting_documents",
        "admissible",
        "under_instruction",
        "ready_for_committee",
        "committee_reviewed",
        "decisions_pending",
        "decided",
        "on_hold",
    }
)
# States that instructors may put on hold (any pre-decision state, DOMAIN T18).
HOLDABLE_STATES = frozenset(
    {
        "submitted",
        "completeness_check",
        "awaiting_documents",
        "admissible",
        "under_instruction",
        "ready_for_committee",
    }
)
# Track states in which a financer is still examining the dossier.
OPEN_TRACK_STATES = frozenset({"checking", "instructing", "awaiting_decision"})
# Dossier states in which the co-financers' tracks may move: filed, not frozen, not withdrawn.
TRACK_WORK_STATES = frozenset(
    {
        "completeness_check",
        "awaiting_documents",
        "admissible",
        "under_instruction",
        "ready_for_committee",
        "decisions_pending",
    }
)
# Dossier states in which a financer may close its instruction (after admissibility, DOMAIN §3.5).
PROPOSAL_STATES = frozenset({"under_instruction", "ready_for_committee", "decisions_pending"})
# Track states from which a financer records its formal decision (a deferral is decided again).
DECIDABLE_TRACK_STATES = frozenset({"awaiting_decision", "deferred"})
GRANTED_TRACK_STATES = frozenset({"granted", "partially_granted"})

STAFF_AGREEMENT_LABELS = AGREEMENT_STATES
PROMOTER_AGREEMENT_LABELS = {
    **AGREEMENT_STATES,
    "drafted": "En préparation par le financeur",
    "sent_to_promoter": "À signer",
    "signed_by_promoter": "Signé par vous, en attente de la contre-signature",
}
STAFF_AMENDMENT_LABELS = AMENDMENT_STATES
# Dossier states once agreements exist (DOMAIN T12–T16): a termination may come in any of them.
AGREEMENT_DOSSIER_STATES = frozenset({"agreements_in_progress", "in_execution", "open_monitoring"})
