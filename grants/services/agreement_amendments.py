"""Amendments (avenants) to an agreement in force: created by the financer's instructor with a
reason and the changed negotiable parts, they make a new version of the document (the amended
contract, preceded by what changes and why) and follow the agreement's signature path; their
terms apply once countersigned (``agreement_actions.apply_amendment``). History is kept: every
amendment and every version stays readable."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from grants.extensions import db
from grants.models import Agreement, Amendment, User
from grants.services import audit
from grants.services.agreement_indicators import CATALOGUE
from grants.services.agreement_terms import Terms, TermsRefused, agreement_terms, validate
from grants.services.agreement_versions import new_version
from grants.services.agreements import (
    AgreementRefused,
    may_prepare,
    open_amendment,
    tranche_count,
)
from grants.templating import french_date, number

FORBIDDEN = "Seuls les instructeurs du financeur signataire préparent un avenant."
NOT_IN_FORCE = "Un avenant ne se prépare que pour une convention en vigueur."
ALREADY_OPEN = "Un avenant est déjà en cours : faites-le signer ou abandonnez-le d'abord."
NO_REASON = "Indiquez le motif de l'avenant."
NO_CHANGE = "L'avenant ne modifie aucune clause : changez au moins une valeur."
LABELS = {
    "starts_on": "Date de début",
    "ends_on": "Date de fin",
    "min_physicians": "Nombre minimal de médecins",
    "min_physician_etp": "ETP médicaux minimum",
    "rent_ceiling_m2_year": "Plafond de loyer (€/m²/an)",
    "commitments_survive_years": "Maintien des engagements après le terme (années)",
    "specific_clauses": "Clauses particulières",
    "financer_signatory": "Signataire pour le financeur",
    "promoter_signatory": "Signataire pour la structure",
}


def create_amendment(agreement: Agreement, terms: Terms, reason: str, actor: User) -> Amendment:
    """Record a drafted amendment and its version. Raises AgreementRefused (403, 422)."""
    if not may_prepare(agreement, actor):
        raise AgreementRefused(403, FORBIDDEN)
    if agreement.state != "active":
        raise AgreementRefused(422, NOT_IN_FORCE)
    if open_amendment(agreement) is not None:
        raise AgreementRefused(422, ALREADY_OPEN)
    errors: list[tuple[str | None, str]] = []
    if not reason.strip():
        errors.append(("reason", NO_REASON))
    try:
        terms = validate(agreement.kind, terms, tranche_count(agreement, terms))
    except TermsRefused as refused:
        errors += refused.errors
    changed = changes(agreement_terms(agreement), terms) if not errors else []
    if not errors and not changed:
        errors.append((None, NO_CHANGE))
    if errors:
        raise AgreementRefused(
            422, "L'avenant n'est pas enregistré : corrigez les points signalés.", errors
        )
    amendment = Amendment(
        agreement=agreement,
        number=max((a.number for a in agreement.amendments), default=0) + 1,
        reason=reason.strip(),
        changes={"terms": terms.to_json(), "changed": changed},
        state="drafted",
        created_by_id=actor.id,
    )
    db.session.add(amendment)
    db.session.flush()
    audit.record(
        "amendment.drafted",
        actor=actor,
        dossier_id=agreement.dossier_id,
        data={
            "agreement": agreement.id,
            "amendment": amendment.id,
            "number": amendment.number,
            "reason": amendment.reason,
            "changed": changed,
        },
    )
    new_version(
        agreement,
        terms,
        actor=actor,
        reason=f"Avenant n° {amendment.number} : {amendment.reason}",
        amendment=amendment,
    )
    return amendment


def changes(before: Terms, after: Terms) -> list[dict[str, str]]:
    """What the amendment changes, clause by clause, in words (for the document and history)."""
    rows = []
    for name, label in LABELS.items():
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            rows.append({"field": name, "label": label, "before": _show(old), "after": _show(new)})
    rows += _indicator_changes(before, after)
    if [d for d in before.schedule] != [d for d in after.schedule[: len(before.schedule)]]:
        rows.append(
            {
                "field": "schedule",
                "label": "Dates prévues des versements",
                "before": ", ".join(_show(d) for d in before.schedule),
                "after": ", ".join(_show(d) for d in after.schedule),
            }
        )
    return rows


def _indicator_changes(before: Terms, after: Terms) -> list[dict[str, str]]:
    old = {i.code: i for i in before.indicators}
    new = {i.code: i for i in after.indicators}
    rows = []
    for code in list(old) + [c for c in new if c not in old]:
        label = f"Indicateur {code} — {CATALOGUE[code].label}"
        if code not in new:
            rows.append(
                {
                    "field": f"indicator:{code}",
                    "label": label,
                    "before": "retenu",
                    "after": "retiré",
                }
            )
        elif code not in old:
            rows.append(
                {
                    "field": f"indicator:{code}",
                    "label": label,
                    "before": "—",
                    "after": _targets(new[code].targets),
                }
            )
        elif (old[code].baseline, old[code].targets) != (new[code].baseline, new[code].targets):
            rows.append(
                {
                    "field": f"indicator:{code}",
                    "label": label,
                    "before": _targets(old[code].targets),
                    "after": _targets(new[code].targets),
                }
            )
    return rows


def _targets(targets: dict[str, Any]) -> str:
    return ", ".join(f"{year} : {_show(value)}" for year, value in sorted(targets.items()))


def _show(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, date):
        return french_date(value)
    if isinstance(value, Decimal):
        return number(value)
    return str(value)
