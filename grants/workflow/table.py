"""The transition table, as data: every way a dossier or a financer track changes state.

Read it as DOMAIN §3.3–3.5. ``roles`` are actor roles resolved per object by the engine
(``promoter_owner``/``promoter_member`` from the membership, staff roles within their scope,
``system`` for what the engine fires by itself). Actions run inside the transaction before the
state is written; effects write the notifications (outbox rows) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from grants.workflow import actions, effects, guards
from grants.workflow.states import DECIDABLE_TRACK_STATES, HOLDABLE_STATES, PRE_AGREEMENT_STATES

INSTRUCTORS = frozenset({"dd_instructor", "ars_instructor", "financer_instructor"})
# Who records a financer's formal decision: the ARS decider for ARS tracks, each financer's own.
DECIDERS = frozenset({"ars_decider", "financer_decider"})


@dataclass(frozen=True)
class Transition:
    machine: str  # "dossier" or "track"
    event: str
    sources: frozenset[str]
    target: str | None  # None: computed by the engine (resume goes back where it was)
    roles: frozenset[str]
    staff_label: str
    promoter_label: str
    guards: tuple[Callable[[Any, guards.Context], list[str]], ...] = ()
    actions: tuple[Callable[[Any, guards.Context], None], ...] = ()
    effects: tuple[Callable[..., None], ...] = ()
    forbidden_message: str = "Vous n'avez pas le droit d'effectuer cette action sur ce dossier."
    form: str | None = None  # the form a person fills to fire it (None: a plain button)
    tags: frozenset[str] = field(default_factory=frozenset)

    @property
    def automatic(self) -> bool:
        return "system" in self.roles


def _t(*sources: str) -> frozenset[str]:
    return frozenset(sources)


DOSSIER_TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "dossier",
        "submit",
        _t("draft"),
        "submitted",
        _t("promoter_owner"),
        staff_label="Dossier déposé",
        promoter_label="Déposer le dossier",
        guards=(guards.no_blocking_problems,),
        actions=(actions.file_dossier,),
        effects=(effects.notify_promoter, effects.notify_staff, effects.schedule_score),
        forbidden_message=(
            "Seul un responsable de l'organisation porteuse peut déposer le dossier. "
            "Demandez-lui de le déposer, ou de vous donner ce rôle."
        ),
    ),
    Transition(
        "dossier",
        "open_completeness_check",
        _t("submitted"),
        "completeness_check",
        _t("system"),
        staff_label="Vérification de complétude ouverte",
        promoter_label="Vérification de complétude ouverte",
        actions=(actions.open_tracks,),
    ),
    Transition(
        "dossier",
        "request_documents",
        # A second co-financer may add its own request while the first one awaits its answer.
        _t("completeness_check", "awaiting_documents"),
        "awaiting_documents",
        INSTRUCTORS,
        staff_label="Demander des pièces ou des précisions",
        promoter_label="Pièces ou précisions demandées",
        guards=(guards.request_is_complete, guards.request_financer_in_scope),
        actions=(actions.request_documents,),
        effects=(effects.notify_promoter, effects.notify_staff),
        form="document_request",
    ),
    Transition(
        "dossier",
        "respond",
        _t("awaiting_documents"),
        "completeness_check",
        _t("promoter_owner", "promoter_member"),
        staff_label="Le porteur a répondu",
        promoter_label="Envoyer ma réponse",
        guards=(guards.has_open_request,),
        actions=(actions.answer_requests,),
        effects=(effects.notify_requesters, effects.schedule_score),
    ),
    Transition(
        "dossier",
        "declare_admissible",
        _t("completeness_check"),
        "admissible",
        _t("system"),
        staff_label="Dossier complet",
        promoter_label="Votre dossier est complet",
        guards=(guards.every_track_checked, guards.no_open_request),
        actions=(actions.mark_admissible,),
        effects=(effects.notify_promoter, effects.notify_staff),
    ),
    Transition(
        "dossier",
        "start_instruction",
        _t("admissible"),
        "under_instruction",
        _t("system"),
        staff_label="Instruction ouverte",
        promoter_label="Instruction ouverte",
    ),
    Transition(
        "dossier",
        "schedule",
        _t("under_instruction"),
        "ready_for_committee",
        _t("committee_secretary"),
        staff_label="Inscrire à l'ordre du jour du comité",
        promoter_label="Examen en comité programmé",
        guards=(guards.dd_opinion_given,),
        effects=(effects.notify_promoter, effects.notify_staff),
    ),
    Transition(
        "dossier",
        "unschedule",
        _t("ready_for_committee"),
        "under_instruction",
        _t("committee_secretary"),
        staff_label="Retirer de l'ordre du jour",
        promoter_label="Examen en comité reporté",
        effects=(effects.notify_promoter, effects.notify_staff),
        form="committee",
    ),
    Transition(
        "dossier",
        "record_opinion",
        _t("ready_for_committee"),
        "committee_reviewed",
        _t("committee_secretary"),
        staff_label="Avis du comité enregistré",
        promoter_label="Votre dossier a été examiné en comité",
        guards=(guards.committee_opinion_recorded,),
        actions=(actions.note_committee_opinion,),
        effects=(effects.notify_promoter, effects.notify_staff),
        form="committee",
    ),
    Transition(
        "dossier",
        "defer",
        _t("committee_reviewed"),
        "under_instruction",
        _t("system"),
        staff_label="Ajourné par le comité : retour en instruction",
        promoter_label="Examen ajourné : le dossier reprend son instruction",
        guards=(guards.committee_deferred,),
        actions=(actions.return_to_instruction,),
        effects=(effects.notify_promoter, effects.notify_staff),
    ),
    Transition(
        "dossier",
        "await_decisions",
        _t("committee_reviewed"),
        "decisions_pending",
        _t("system"),
        staff_label="Décisions des financeurs attendues",
        promoter_label="Décisions des financeurs en cours",
        guards=(guards.committee_not_deferred,),
    ),
    Transition(
        "dossier",
        "conclude",
        _t("decisions_pending"),
        "decided",
        _t("system"),
        staff_label="Tous les financeurs ont décidé",
        promoter_label="Tous les financeurs ont rendu leur décision",
        guards=(guards.every_financer_decided, guards.some_financer_granted),
        effects=(effects.notify_promoter, effects.notify_staff),
    ),
    Transition(
        "dossier",
        "reject",
        _t("decisions_pending"),
        "rejected",
        _t("system"),
        staff_label="Demande rejetée par tous les financeurs",
        promoter_label="Votre demande n'a pas été retenue",
        guards=(guards.every_financer_decided, guards.no_financer_granted),
        effects=(effects.notify_promoter, effects.notify_staff),
    ),
    Transition(
        "dossier",
        "hold",
        frozenset(HOLDABLE_STATES),
        "on_hold",
        _t("ars_instructor"),
        staff_label="Mettre en attente",
        promoter_label="Instruction suspendue",
        guards=(guards.reason_given,),
        actions=(actions.put_on_hold,),
        effects=(effects.notify_promoter, effects.notify_staff),
        form="reason",
    ),
    Transition(
        "dossier",
        "resume",
        _t("on_hold"),
        None,
        _t("ars_instructor"),
        staff_label="Reprendre l'instruction",
        promoter_label="Instruction reprise",
        actions=(actions.resume,),
        effects=(effects.notify_promoter, effects.notify_staff),
    ),
    Transition(
        "dossier",
        "withdraw",
        frozenset(PRE_AGREEMENT_STATES),
        "withdrawn",
        _t("promoter_owner"),
        staff_label="Dossier retiré par le porteur",
        promoter_label="Retirer le dossier",
        guards=(guards.reason_given,),
        actions=(actions.withdraw,),
        effects=(effects.notify_staff,),
        forbidden_message="Seul un responsable de l'organisation porteuse peut retirer le dossier.",
        form="reason",
    ),
)

TRACK_TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "track",
        "complete_checklist",
        _t("checking"),
        "instructing",
        INSTRUCTORS,
        staff_label="Valider la complétude",
        promoter_label="Complétude validée",
        guards=(guards.dossier_open_for_tracks, guards.financer_pieces_accepted),
        actions=(actions.complete_checklist,),
        effects=(effects.notify_track_staff,),
    ),
    Transition(
        "track",
        "withdraw_interest",
        _t("checking", "instructing"),
        "not_concerned",
        INSTRUCTORS,
        staff_label="Ne pas financer ce projet (non concerné)",
        promoter_label="Ce cofinanceur n'est pas concerné",
        guards=(guards.dossier_open_for_tracks, guards.reason_given),
        actions=(actions.record_reason,),
        effects=(effects.notify_promoter, effects.notify_track_staff),
        form="reason",
    ),
    Transition(
        "track",
        "propose",
        _t("instructing"),
        "awaiting_decision",
        INSTRUCTORS,
        staff_label="Clore l'instruction (en attente de décision)",
        promoter_label="Instruction terminée, décision à venir",
        guards=(
            guards.dossier_open_for_tracks,
            guards.dossier_under_instruction,
            guards.financer_opinion_given,
        ),
        effects=(effects.notify_track_staff,),
    ),
    Transition(
        "track",
        "grant",
        frozenset(DECIDABLE_TRACK_STATES),
        "granted",
        DECIDERS,
        staff_label="Décision : aide accordée",
        promoter_label="Aide accordée",
        guards=(guards.dossier_awaits_decisions, guards.decision_recorded),
        actions=(actions.record_track_decision,),
        effects=(effects.notify_track_staff,),
        form="decision",
    ),
    Transition(
        "track",
        "grant_partially",
        frozenset(DECIDABLE_TRACK_STATES),
        "partially_granted",
        DECIDERS,
        staff_label="Décision : aide accordée partiellement",
        promoter_label="Aide accordée partiellement",
        guards=(guards.dossier_awaits_decisions, guards.decision_recorded),
        actions=(actions.record_track_decision,),
        effects=(effects.notify_track_staff,),
        form="decision",
    ),
    Transition(
        "track",
        "refuse",
        frozenset(DECIDABLE_TRACK_STATES),
        "refused",
        DECIDERS,
        staff_label="Décision : refus",
        promoter_label="Aide refusée",
        guards=(guards.dossier_awaits_decisions, guards.decision_recorded),
        actions=(actions.record_track_decision,),
        effects=(effects.notify_track_staff,),
        form="decision",
    ),
    Transition(
        "track",
        "defer_decision",
        frozenset(DECIDABLE_TRACK_STATES),
        "deferred",
        DECIDERS,
        staff_label="Décision ajournée",
        promoter_label="Décision ajournée par ce financeur",
        guards=(guards.dossier_awaits_decisions, guards.decision_recorded),
        actions=(actions.record_track_decision,),
        effects=(effects.notify_track_staff,),
        form="decision",
    ),
)

TRANSITIONS: tuple[Transition, ...] = DOSSIER_TRANSITIONS + TRACK_TRANSITIONS
BY_EVENT: dict[tuple[str, str], Transition] = {(t.machine, t.event): t for t in TRANSITIONS}
