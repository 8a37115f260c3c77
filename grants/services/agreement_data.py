"""The data of an agreement's document, built once per version from the dossier, the financer's
decision, the committee's opinion and the negotiated terms (DOMAIN §5.4). Plain JSON: it is
stored on the version with its hash, and the PDF and the DOCX are both produced from it alone.

Amounts are strings of Decimals, dates ISO strings; the document layer formats them.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from grants.documents.places import signing_place
from grants.models import Agreement, CommitteeItem, Dossier, FinancerDecision
from grants.models.choices import (
    AID_TYPES,
    COMMITMENTS,
    EXERCISE_MODES,
    FINANCER_KINDS,
    LAND_STATUSES,
    LEGAL_FORMS,
    OPERATION_TYPES,
    PROFESSIONS,
    PROJECT_NATURES,
    PROJECT_STATUSES,
    RESOURCE_KINDS,
    RESOURCE_STATUSES,
    STRUCTURE_TYPES,
)
from grants.services import agreement_schedule
from grants.services.agreement_indicators import CATALOGUE, physician_etp, physicians
from grants.services.agreement_terms import Terms, add_years

SCHEMA = 1
ARS_KINDS = frozenset({"ars_fir", "ars_envelope"})
ARS_NAME = "Agence régionale de santé Île-de-France"
BUDGET_LINES = {
    "ars_fir": "Fonds d'intervention régional (FIR) de l'ARS Île-de-France",
    "ars_envelope": (
        "Enveloppe de 55 M€ d'aide à l'investissement immobilier (annexe 7 du protocole "
        "ARS / URPS médecins libéraux d'Île-de-France 2023-2027)"
    ),
}
DIRECTIONS = {"at_least": "au moins", "at_most": "au plus"}


def build(
    agreement: Agreement,
    terms: Terms,
    *,
    number: int,
    schedule_payload: dict[str, Any],
    monitoring_payload: dict[str, Any],
    decisions: list[FinancerDecision],
    committee_item: CommitteeItem | None,
    amendment: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything the CPOM or convention document says, for version ``number``."""
    dossier, financer, decision = agreement.dossier, agreement.financer, agreement.decision
    amounts = {line.aid_type: line.amount for line in decision.amounts if line.amount > 0}
    schedule = agreement_schedule.plan(
        schedule_payload,
        financer.kind,
        amounts,
        starts_on=terms.starts_on,
        ends_on=terms.ends_on,
        dates=terms.schedule,
    )
    labels = schedule_payload.get("evidence_labels") or {}
    return {
        "schema": SCHEMA,
        "kind": agreement.kind,
        "reference": agreement.reference,
        "version": number,
        "place": signing_place(financer.kind, financer.departement_code),
        "financer": _financer(agreement, terms),
        "structure": _structure(dossier, terms),
        "premises_owner": _premises_owner(dossier),
        "dossier": _dossier(dossier),
        "decision": _decision(decision),
        "committee": _committee(committee_item),
        "terms": terms.to_json(),
        "duration": _duration(terms),
        "commitments": _commitments(dossier, terms, monitoring_payload),
        "financial": {
            "total": str(decision.total),
            "lines": _amount_lines(decision),
            "budget_line": BUDGET_LINES.get(financer.kind, financer.name),
            "eligible_cost": str(_eligible_cost(dossier, set(amounts))),
            "schedule": [t.to_json(labels) for t in schedule],
        },
        "indicators": [_indicator(term) for term in terms.indicators],
        "annexes": {
            "health_project": _health_project(dossier),
            "financing_plan": _financing_plan(dossier, decisions),
            "professionals": _professionals(dossier),
            "premises": _premises(dossier),
        },
        "amendment": amendment,
    }


def _financer(agreement: Agreement, terms: Terms) -> dict[str, Any]:
    financer = agreement.financer
    is_ars = financer.kind in ARS_KINDS
    return {
        "code": financer.code,
        "name": financer.name,
        "kind": financer.kind,
        "kind_label": FINANCER_KINDS.get(financer.kind, ""),
        "institution": ARS_NAME if is_ars else financer.name,
        "represented_by": terms.financer_signatory,
        "is_ars": is_ars,
    }


def _structure(dossier: Dossier, terms: Terms) -> dict[str, Any]:
    organisation = dossier.organisation
    return {
        "legal_name": organisation.legal_name,
        "legal_form": LEGAL_FORMS.get(organisation.legal_form, organisation.legal_form),
        "siret": organisation.siret,
        "address": " ".join((organisation.address or "").split()),
        "representative": organisation.representative_name,
        "representative_function": organisation.representative_function,
        "signatory": terms.promoter_signatory,
    }


def _premises_owner(dossier: Dossier) -> dict[str, Any] | None:
    if dossier.owner_is_promoter or not dossier.owner_name:
        return None
    return {"name": dossier.owner_name, "siret": dossier.owner_siret or ""}


def _dossier(dossier: Dossier) -> dict[str, Any]:
    return {
        "reference": dossier.reference or "",
        "title": dossier.title,
        "structure_type": dossier.structure_type or "",
        "structure_type_label": STRUCTURE_TYPES.get(dossier.structure_type or "", "structure"),
        "nature_label": PROJECT_NATURES.get(dossier.nature or "", ""),
        "submitted_on": dossier.submitted_at.date().isoformat() if dossier.submitted_at else None,
        "address": " ".join((dossier.address or "").split()),
        "district": dossier.district or "",
        "communes": [
            {"name": c.commune.name, "insee_code": c.insee_code} for c in dossier.communes
        ],
        "departement": dossier.departement_code or "",
        "aid_types": [AID_TYPES.get(code, code) for code in dossier.aid_types or []],
    }


def _decision(decision: FinancerDecision) -> dict[str, Any]:
    return {
        "act_reference": decision.act_reference,
        "act_date": decision.act_date.isoformat(),
        "signatory": decision.signatory,
        "outcome": decision.outcome,
        "outcome_label": decision.outcome_label,
        "conditions": decision.conditions,
        "total": str(decision.total),
    }


def _amount_lines(decision: FinancerDecision) -> list[dict[str, str]]:
    return [
        {"aid_type": line.aid_type, "label": AID_TYPES[line.aid_type], "amount": str(line.amount)}
        for line in decision.amounts
        if line.amount > 0
    ]


def _committee(item: CommitteeItem | None) -> dict[str, Any] | None:
    if item is None or item.opinion is None:
        return None
    return {
        "date": item.session.meets_at.date().isoformat(),
        "session": item.session.title,
        "opinion": item.opinion,
        "opinion_label": item.opinion_label,
        "reservations": item.reservations,
    }


def _duration(terms: Terms) -> dict[str, Any]:
    months = (terms.ends_on.year - terms.starts_on.year) * 12 + (
        terms.ends_on.month - terms.starts_on.month
    )
    if (terms.ends_on + timedelta(days=1)).day == terms.starts_on.day:
        months += 1  # "1 Jan → 31 Dec" is twelve whole months
    half = terms.starts_on + (terms.ends_on - terms.starts_on) / 2
    survive = terms.commitments_survive_years
    return {
        "starts_on": terms.starts_on.isoformat(),
        "ends_on": terms.ends_on.isoformat(),
        "months": months,
        "years": terms.years,
        "mid_term_on": half.isoformat(),
        "survive_until": add_years(terms.ends_on, survive).isoformat() if survive else None,
    }


def _commitments(dossier: Dossier, terms: Terms, monitoring: dict[str, Any]) -> dict[str, Any]:
    accepted = set(dossier.accepted_commitments or [])
    team = []
    if dossier.coordinator_named or dossier.team_meetings_per_year:
        meetings = dossier.team_meetings_per_year
        team.append(
            "Assurer la coordination de l'équipe"
            + (f" ({meetings} réunions pluriprofessionnelles par an)" if meetings else "")
        )
    if dossier.unscheduled_care:
        team.append("Organiser des plages de soins non programmés")
    if dossier.pdsa_participation or "pdsa" in accepted:
        team.append("Participer à la permanence des soins ambulatoires (PDSA)")
    if "regulated_fees" in accepted or dossier.regulated_fee_share:
        share = dossier.regulated_fee_share
        team.append(
            "Garantir l'accès à des tarifs opposables"
            + (f" (part visée : {share} % des consultations)" if share else "")
        )
    if dossier.third_party_payment:
        team.append("Pratiquer le tiers payant")
    training = []
    if "host_trainees" in accepted or any(
        (dossier.trainees_externes, dossier.trainees_internes, dossier.trainees_paramedical)
    ):
        training.append("Accueillir des stagiaires et maintenir des maîtres de stage agréés")
    return {
        "min_physicians": terms.min_physicians,
        "min_physician_etp": _text(terms.min_physician_etp),
        "rent_ceiling_m2_year": _text(terms.rent_ceiling_m2_year),
        "physicians_at_filing": len(physicians(dossier)),
        "physician_etp_at_filing": str(physician_etp(dossier)),
        "objectives": [
            {
                "objective": o.objective,
                "indicator": o.indicator,
                "baseline": o.baseline or "",
                "target": o.target,
                "year": o.year,
            }
            for o in dossier.objectives
        ],
        "team_access": team,
        "training": training,
        "accepted": [COMMITMENTS[c] for c in COMMITMENTS if c in accepted],
        "annual_due_days": int(monitoring.get("annual_report_due_days", 90)),
        "semiannual_due_days": int(monitoring.get("semiannual_report_due_days", 45)),
    }


def _indicator(term: Any) -> dict[str, Any]:
    definition = CATALOGUE[term.code]
    return {
        "code": term.code,
        "label": definition.label,
        "definition": definition.definition,
        "unit": definition.unit,
        "direction": definition.direction,
        "direction_label": DIRECTIONS[definition.direction],
        "frequency": definition.frequency,
        "source": definition.source,
        "baseline": _text(term.baseline),
        "targets": {year: _text(v) for year, v in term.targets.items()},
    }


def _eligible_cost(dossier: Dossier, aid_types: set[str]) -> Decimal:
    return sum(
        (line.amount for line in dossier.cost_lines if line.aid_type in aid_types), Decimal("0")
    )


def _health_project(dossier: Dossier) -> dict[str, Any]:
    return {
        "needs_analysis": dossier.needs_analysis or "",
        "coordinator_named": dossier.coordinator_named,
        "team_meetings_per_year": dossier.team_meetings_per_year,
        "opening_hours": dossier.opening_hours or "",
        "shared_protocols": dossier.shared_protocols or "",
        "prevention_programmes": dossier.prevention_programmes or "",
        "cooperation_protocols": dossier.cooperation_protocols or "",
        "information_system": dossier.information_system_tool or "",
        "unscheduled_care": dossier.unscheduled_care,
        "pdsa_participation": dossier.pdsa_participation,
        "local_relevance": dossier.local_relevance or "",
    }


def _financing_plan(dossier: Dossier, decisions: list[FinancerDecision]) -> list[dict[str, Any]]:
    """Per aid type: the costs, every resource with what was asked and what each financer's
    latest decision granted (all co-financers, DOMAIN §5.4 annex 2)."""
    latest: dict[int, FinancerDecision] = {}
    for decision in decisions:
        latest[decision.financer_id] = decision  # ordered by id: the last one stands
    granted = {
        (financer_id, line.aid_type): line.amount
        for financer_id, decision in latest.items()
        if decision.outcome in ("granted", "partially_granted")
        for line in decision.amounts
    }
    parts = []
    for code, label in AID_TYPES.items():
        costs = [c for c in dossier.cost_lines if c.aid_type == code]
        resources = [r for r in dossier.resource_lines if r.aid_type == code]
        if not costs and not resources:
            continue
        rows = [_resource(r, granted) for r in resources]
        parts.append(
            {
                "aid_type": code,
                "label": label,
                "costs": str(sum((c.amount for c in costs), Decimal("0"))),
                "resources": rows,
                "requested": str(sum((Decimal(r["requested"]) for r in rows), Decimal("0"))),
                "granted": str(
                    sum((Decimal(r["granted"]) for r in rows if r["granted"]), Decimal("0"))
                ),
            }
        )
    return parts


def _resource(line: Any, granted: dict[tuple[int, str], Decimal]) -> dict[str, Any]:
    name = line.financer.name if line.financer is not None else (line.label or "")
    amount = granted.get((line.financer_id, line.aid_type)) if line.financer_id else None
    if line.kind != "financer":
        amount = line.amount
    return {
        "label": name or RESOURCE_KINDS.get(line.kind, line.kind),
        "kind": RESOURCE_KINDS.get(line.kind, line.kind),
        "status": RESOURCE_STATUSES.get(line.status, line.status),
        "requested": str(line.amount),
        "granted": str(amount) if amount is not None else None,
    }


def _professionals(dossier: Dossier) -> list[dict[str, Any]]:
    return [
        {
            "name": f"{p.first_name} {p.last_name}",
            "profession": PROFESSIONS.get(p.profession, p.profession),
            "mode": EXERCISE_MODES.get(p.exercise_mode, p.exercise_mode),
            "etp": str(p.etp),
            "status": PROJECT_STATUSES.get(p.status_in_project, p.status_in_project),
        }
        for p in dossier.professionals
    ]


def _premises(dossier: Dossier) -> dict[str, Any]:
    return {
        "address": " ".join((dossier.address or "").split()),
        "operation_type": OPERATION_TYPES.get(dossier.operation_type or "", ""),
        "land_status": LAND_STATUSES.get(dossier.land_status or "", ""),
        "land_owner": dossier.land_owner or "",
        "surface_m2": _text(dossier.surface_m2),
        "consulting_rooms": dossier.consulting_rooms,
        "shared_rooms": dossier.shared_rooms,
        "planned_rent_m2_year": _text(dossier.planned_rent_m2_year),
        "market_rent_m2_year": _text(dossier.market_rent_m2_year),
        "opening_date": dossier.opening_date.isoformat() if dossier.opening_date else None,
        "pmr_accessible": dossier.pmr_accessible,
    }


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
