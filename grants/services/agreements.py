"""Agreements with the granted financers (DOMAIN §3.7, §5): drafted when the dossier is decided
(one per granting track: a CPOM for the ARS, a convention otherwise), their negotiable parts
edited by the financer's instructor (each edit a new version), signed by the promoter, then
countersigned, ended or terminated through the workflow engine.

Services flush, never commit. Refusals raise ``AgreementRefused`` (a ``TransitionError``: 403,
409, 422 with French reasons)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from grants.extensions import db
from grants.models import Agreement, Amendment, Dossier, FinancerDecision, FinancerTrack, User
from grants.services import agreement_schedule, audit, config_versions
from grants.services.agreement_indicators import (
    baseline,
    default_codes,
    default_target,
    physician_etp,
    physicians,
)
from grants.services.agreement_terms import (
    IndicatorTerm,
    Terms,
    TermsRefused,
    add_years,
    apply_terms,
    latest_end,
    validate,
)
from grants.services.agreement_versions import new_version
from grants.workflow import engine
from grants.workflow.agreement_table import PREPARERS
from grants.workflow.engine import STALE_MESSAGE, TransitionError
from grants.workflow.states import GRANTED_TRACK_STATES

ARS_KINDS = frozenset({"ars_fir", "ars_envelope"})
CONVENTION_YEARS = 3
NOT_EDITABLE = (
    "Ce projet a déjà été transmis au porteur : reprenez-le d'abord pour le modifier "
    "(« Reprendre le projet pour le modifier »)."
)
FORBIDDEN_EDIT = "Seuls les instructeurs du financeur signataire modifient ce projet."


class AgreementRefused(TransitionError):  # noqa: N818 (reads as DecisionRefused)
    """Nothing was changed; ``errors`` pairs a form field (or None) with its French message."""

    def __init__(
        self, status: int, message: str, errors: list[tuple[str | None, str]] | None = None
    ) -> None:
        super().__init__(status, message, [text for _field, text in errors or []])
        self.errors = errors or []


def kind_for(financer_kind: str) -> str:
    """A CPOM for ARS money (FIR or the real-estate envelope), a convention for anyone else."""
    return "cpom" if financer_kind in ARS_KINDS else "convention"


def granting_decision(track: FinancerTrack) -> FinancerDecision | None:
    """The decision that granted this track's aid (the financer's latest granting act)."""
    return db.session.scalar(
        select(FinancerDecision)
        .where(
            FinancerDecision.track_id == track.id,
            FinancerDecision.outcome.in_(GRANTED_TRACK_STATES),
        )
        .options(selectinload(FinancerDecision.amounts))
        .order_by(FinancerDecision.id.desc())
        .limit(1)
    )


def agreements_of(dossier_id: int) -> list[Agreement]:
    return list(
        db.session.scalars(
            select(Agreement)
            .where(Agreement.dossier_id == dossier_id)
            .options(selectinload(Agreement.financer), selectinload(Agreement.versions))
            .order_by(Agreement.id)
        )
    )


# --- drafting (T12) ----------------------------------------------------------------------------


def draft_for_dossier(dossier: Dossier, actor: User | None) -> list[Agreement]:
    """One draft per granting track that has none yet, with its first version."""
    existing = {a.track_id for a in agreements_of(dossier.id)}
    drafted = []
    for track in dossier.tracks:
        if track.state not in GRANTED_TRACK_STATES or track.id in existing:
            continue
        decision = granting_decision(track)
        if decision is None:
            continue
        drafted.append(_draft(dossier, track, decision, actor))
    return drafted


def _draft(
    dossier: Dossier, track: FinancerTrack, decision: FinancerDecision, actor: User | None
) -> Agreement:
    financer = track.financer
    kind = kind_for(financer.kind)
    terms = default_terms(dossier, decision, kind)
    agreement = Agreement(
        reference=reference_for(dossier, kind, financer.code, track.id),
        dossier=dossier,
        track=track,
        financer=financer,
        decision=decision,
        kind=kind,
        state="drafted",
        starts_on=terms.starts_on,
        ends_on=terms.ends_on,
    )
    db.session.add(agreement)
    apply_terms(agreement, terms)
    db.session.flush()
    audit.record(
        "agreement.drafted",
        actor=actor,
        dossier_id=dossier.id,
        data={
            "agreement": agreement.id,
            "reference": agreement.reference,
            "kind": kind,
            "financer": financer.code,
            "decision": decision.id,
            "total": str(decision.total),
        },
    )
    new_version(agreement, terms, actor=actor, reason="Projet établi à partir de la décision")
    return agreement


def reference_for(dossier: Dossier, kind: str, financer_code: str, track_id: int) -> str:
    prefix = "CPOM" if kind == "cpom" else "CONV"
    reference = f"{prefix}-{dossier.reference}-{financer_code}"
    return reference if len(reference) <= 40 else f"{prefix}-{dossier.reference}-{track_id}"[:40]


def default_terms(
    dossier: Dossier, decision: FinancerDecision, kind: str, today: date | None = None
) -> Terms:
    """What is proposed before negotiation: from the first day of next month, five years for a
    CPOM (three for a convention); the dossier's physicians and planned rent as commitments."""
    today = today or date.today()
    starts_on = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    ends_on = (
        latest_end(starts_on)
        if kind == "cpom"
        else add_years(starts_on, CONVENTION_YEARS) - timedelta(1)
    )
    doctors = len(physicians(dossier))
    etp = physician_etp(dossier)
    granted_types = {line.aid_type for line in decision.amounts if line.amount > 0}
    rent = dossier.planned_rent_m2_year if "investment_real_estate" in granted_types else None
    duration_years = round((ends_on - starts_on).days / 365.25)
    committed = dossier.commitment_years
    survive = max(committed - duration_years, 0) if committed else None
    organisation = dossier.organisation
    terms = Terms(
        starts_on=starts_on,
        ends_on=ends_on,
        min_physicians=doctors or None,
        min_physician_etp=etp or None,
        rent_ceiling_m2_year=rent,
        commitments_survive_years=survive or None,
        financer_signatory=decision.signatory,
        promoter_signatory=(
            f"{organisation.representative_name}, {organisation.representative_function}"
        ),
    )
    terms.indicators = [
        default_indicator(code, dossier, terms) for code in default_codes(kind, dossier)
    ]
    return terms


def default_indicator(code: str, dossier: Dossier, terms: Terms) -> IndicatorTerm:
    base = baseline(code, dossier)
    target = default_target(
        code,
        dossier,
        base=base,
        min_physicians=terms.min_physicians,
        rent_ceiling=terms.rent_ceiling_m2_year,
        years=len(terms.years),
    )
    return IndicatorTerm(code=code, baseline=base, targets={str(y): target for y in terms.years})


# --- editing the draft -------------------------------------------------------------------------


def may_prepare(agreement: Agreement, actor: User) -> bool:
    return bool(engine.actor_roles(agreement, actor) & PREPARERS)


def tranche_count(agreement: Agreement, terms: Terms) -> int:
    amounts = {line.aid_type: line.amount for line in agreement.decision.amounts}
    payload = config_versions.active("payment_schedule").payload
    return len(
        agreement_schedule.plan(
            payload,
            agreement.financer.kind,
            amounts,
            starts_on=terms.starts_on,
            ends_on=terms.ends_on,
        )
    )


def update_terms(
    agreement: Agreement, terms: Terms, actor: User, expected_version: int | None
) -> Any:
    """Write the negotiated terms on a draft and record its next version."""
    if not may_prepare(agreement, actor):
        raise AgreementRefused(403, FORBIDDEN_EDIT)
    if expected_version is not None and expected_version != agreement.lock_version:
        raise AgreementRefused(409, STALE_MESSAGE)
    if agreement.state != "drafted":
        raise AgreementRefused(422, NOT_EDITABLE)
    try:
        terms = validate(agreement.kind, terms, tranche_count(agreement, terms))
    except TermsRefused as refused:
        raise AgreementRefused(422, refused.message, refused.errors) from refused
    apply_terms(agreement, terms)
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise AgreementRefused(409, STALE_MESSAGE) from exc
    return new_version(agreement, terms, actor=actor, reason="Modification des clauses négociables")


def first_amendment_number(agreement: Agreement) -> int:
    return max((a.number for a in agreement.amendments), default=0) + 1


def open_amendment(agreement: Agreement) -> Amendment | None:
    from grants.workflow.agreement_guards import OPEN_AMENDMENT_STATES

    return next((a for a in agreement.amendments if a.state in OPEN_AMENDMENT_STATES), None)


# --- termination and the structure's opening ---------------------------------------------------

FUTURE_TERMINATION = "La date d'effet de la résiliation ne peut pas être dans le futur."


def terminate(
    agreement: Agreement,
    reason: str,
    actor: User,
    *,
    terminated_on: date | None = None,
    expected_version: int | None = None,
) -> dict[str, Any]:
    """Terminate an agreement in force: the pro-rata recovery is computed and ordered, the
    commitment not paid is released (``agreement_termination``); returns the computation."""
    from grants.services.agreement_termination import recovery_computation

    on = terminated_on or date.today()
    if on > date.today():
        raise AgreementRefused(422, FUTURE_TERMINATION, [("terminated_on", FUTURE_TERMINATION)])
    engine.fire(
        agreement,
        "terminate",
        actor,
        data={"reason": reason, "terminated_on": on},
        expected_version=expected_version,
    )
    return recovery_computation(agreement, on)


def record_opening(
    dossier: Dossier, opened_on: date, actor: User, expected_version: int | None = None
) -> Dossier:
    """T14: the délégation records the structure's opening; monitoring is under way."""
    engine.fire(
        dossier,
        "record_opening",
        actor,
        data={"opening_date": opened_on},
        expected_version=expected_version,
    )
    return dossier
