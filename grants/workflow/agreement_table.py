"""The agreement and amendment machines (DOMAIN §3.7), as data: a CPOM with the ARS, a convention
with any other granted financer, and their amendments (avenants), which follow the same
signature path.

Staff roles act on an agreement only for its own financer (as on a track): the ARS instructor
prepares a CPOM and the ARS decider countersigns it; a Région or Département instructor
prepares that financer's convention and its decider countersigns it. The promoter's owner signs.
"""

from __future__ import annotations

from grants.workflow import agreement_actions as actions
from grants.workflow import agreement_effects as effects
from grants.workflow import agreement_guards as guards
from grants.workflow.guards import reason_given
from grants.workflow.transition import Transition, states

# Who prepares and sends the draft: the ARS head office for a CPOM, the financer's instructor
# for a convention (a financer's own staff only: roles are resolved per agreement's financer).
PREPARERS = frozenset({"ars_instructor", "financer_instructor"})
# Who countersigns, ends and terminates: the ARS decider (CPOM), each financer's decider.
SIGNERS = frozenset({"ars_decider", "financer_decider"})
MONITORS = frozenset({"monitor"})
SIGN_FORBIDDEN = (
    "Seul un responsable de l'organisation porteuse peut signer. Demandez-lui de signer, "
    "ou de vous donner ce rôle."
)
COUNTERSIGN_FORBIDDEN = (
    "Seul un décideur du financeur signataire (l'ARS pour un CPOM) peut contre-signer."
)

AGREEMENT_TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "agreement",
        "send",
        states("drafted"),
        "sent_to_promoter",
        PREPARERS,
        staff_label="Transmettre au porteur pour signature",
        promoter_label="Convention transmise pour signature",
        guards=(guards.document_ready, guards.duration_valid),
        actions=(actions.note_version,),
        effects=(effects.notify_promoter, effects.notify_financer_staff),
    ),
    Transition(
        "agreement",
        "recall",
        states("sent_to_promoter"),
        "drafted",
        PREPARERS,
        staff_label="Reprendre le projet pour le modifier",
        promoter_label="Le financeur reprend le projet pour le modifier",
        guards=(reason_given,),
        actions=(actions.note_reason,),
        effects=(effects.notify_promoter, effects.notify_financer_staff),
        form="reason",
    ),
    Transition(
        "agreement",
        "sign",
        states("sent_to_promoter"),
        "signed_by_promoter",
        states("promoter_owner"),
        staff_label="Signé par le porteur",
        promoter_label="Signer",
        guards=(guards.signature_given,),
        actions=(actions.record_promoter_signature,),
        effects=(effects.notify_financer_staff,),
        forbidden_message=SIGN_FORBIDDEN,
        form="signature",
    ),
    Transition(
        "agreement",
        "reject_signature",
        states("signed_by_promoter"),
        "sent_to_promoter",
        PREPARERS | SIGNERS,
        staff_label="Refuser la signature (copie illisible, incomplète…)",
        promoter_label="Votre signature doit être reprise",
        guards=(reason_given,),
        actions=(actions.clear_promoter_signature,),
        effects=(effects.notify_promoter,),
        form="reason",
    ),
    Transition(
        "agreement",
        "countersign",
        states("signed_by_promoter"),
        "active",
        SIGNERS,
        staff_label="Contre-signer : la convention entre en vigueur",
        promoter_label="Convention contre-signée : elle est en vigueur",
        guards=(guards.duration_valid,),
        actions=(actions.record_countersignature,),
        effects=(
            effects.start_payments_and_reporting,
            effects.notify_promoter,
            effects.notify_financer_staff,
        ),
        forbidden_message=COUNTERSIGN_FORBIDDEN,
    ),
    Transition(
        "agreement",
        "end",
        states("active"),
        "ended",
        MONITORS | SIGNERS,
        staff_label="Constater l'échéance de la convention",
        promoter_label="Convention arrivée à échéance",
        guards=(guards.term_reached, guards.no_open_amendment),
        actions=(actions.note_end,),
        effects=(effects.notify_promoter, effects.notify_financer_staff),
    ),
    Transition(
        "agreement",
        "terminate",
        states("active"),
        "terminated",
        SIGNERS,
        staff_label="Résilier la convention",
        promoter_label="Convention résiliée",
        guards=(reason_given,),
        actions=(actions.terminate_with_recovery,),
        effects=(effects.order_recovery, effects.notify_promoter, effects.notify_financer_staff),
        forbidden_message="Seul un décideur du financeur signataire peut résilier la convention.",
        form="termination",
    ),
)

AMENDMENT_TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "amendment",
        "send",
        states("drafted"),
        "sent_to_promoter",
        PREPARERS,
        staff_label="Transmettre l'avenant au porteur pour signature",
        promoter_label="Avenant transmis pour signature",
        guards=(guards.agreement_in_force, guards.document_ready, guards.duration_valid),
        actions=(actions.note_version,),
        effects=(effects.notify_promoter, effects.notify_financer_staff),
    ),
    Transition(
        "amendment",
        "sign",
        states("sent_to_promoter"),
        "signed_by_promoter",
        states("promoter_owner"),
        staff_label="Avenant signé par le porteur",
        promoter_label="Signer l'avenant",
        guards=(guards.agreement_in_force, guards.signature_given),
        actions=(actions.record_promoter_signature,),
        effects=(effects.notify_financer_staff,),
        forbidden_message=SIGN_FORBIDDEN,
        form="signature",
    ),
    Transition(
        "amendment",
        "countersign",
        states("signed_by_promoter"),
        "active",
        SIGNERS,
        staff_label="Contre-signer l'avenant : il s'applique",
        promoter_label="Avenant contre-signé : il s'applique",
        guards=(guards.agreement_in_force, guards.duration_valid),
        actions=(actions.record_countersignature, actions.apply_amendment),
        effects=(effects.notify_promoter, effects.notify_financer_staff),
        forbidden_message=COUNTERSIGN_FORBIDDEN,
    ),
    Transition(
        "amendment",
        "cancel",
        states("drafted", "sent_to_promoter", "signed_by_promoter"),
        "cancelled",
        PREPARERS | SIGNERS,
        staff_label="Abandonner l'avenant",
        promoter_label="Avenant abandonné",
        guards=(reason_given,),
        actions=(actions.note_reason,),
        effects=(effects.notify_promoter, effects.notify_financer_staff),
        form="reason",
    ),
)
