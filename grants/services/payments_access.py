"""Who may do what on an agreement's payments: the promoter's members request, the financer's
instructors check, its decider approves and pays (``ars_decider`` for the ARS,
``financer_decider`` otherwise); the ARS monitor and the deciders suspend tranches."""

from __future__ import annotations

from grants.models import Agreement, User
from grants.permissions import STAFF_ROLES, financer_ids, membership_of, staff_can_see

ARS_INSTRUCTORS = frozenset({"ars_instructor", "dd_instructor"})
OTHER_INSTRUCTORS = frozenset({"financer_instructor"})


def is_ars(agreement: Agreement) -> bool:
    return agreement.financer.kind.startswith("ars_")


def is_member(user: User, agreement: Agreement) -> bool:
    """A member of the organisation that carries the dossier (any role)."""
    return membership_of(user, agreement.dossier.organisation_id) is not None


def acts_for(user: User, agreement: Agreement) -> bool:
    """Staff acting for the agreement's financer who can see the dossier."""
    return (
        user.role in STAFF_ROLES
        and agreement.financer_id in financer_ids(user)
        and staff_can_see(user, agreement.dossier)
    )


def is_ars_monitor(user: User, agreement: Agreement) -> bool:
    """The ARS monitor follows every CPOM, whatever financers they are attached to."""
    return user.role == "monitor" and is_ars(agreement)


def may_see(user: User, agreement: Agreement) -> bool:
    return (
        is_member(user, agreement) or acts_for(user, agreement) or is_ars_monitor(user, agreement)
    )


def may_check(user: User, agreement: Agreement) -> bool:
    roles = ARS_INSTRUCTORS if is_ars(agreement) else OTHER_INSTRUCTORS
    return user.role in roles and acts_for(user, agreement)


def decider_role(agreement: Agreement) -> str:
    return "ars_decider" if is_ars(agreement) else "financer_decider"


def may_decide(user: User, agreement: Agreement) -> bool:
    return user.role == decider_role(agreement) and acts_for(user, agreement)


def may_suspend(user: User, agreement: Agreement) -> bool:
    """The financer's decider, or (for the ARS) a CPOM monitor."""
    return is_ars_monitor(user, agreement) or may_decide(user, agreement)
