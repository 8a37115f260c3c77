"""The letter notifying a financer's decision to the promoter (French administrative style): the
financer's letterhead, place and date, the decision act's reference, the addressee, the decision
with its amounts per aid type, its conditions, the ways and time limits to appeal, the signatory."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from grants.documents.pdf import render_pdf
from grants.documents.places import signing_place
from grants.models import CommitteeItem, Financer, FinancerDecision
from grants.models.choices import AID_TYPES, FINANCER_KINDS

PARIS = ZoneInfo("Europe/Paris")
# The institution named at the head of the letter, above the financer's own name.
HEADING_BY_KIND = {
    "ars_fir": ("Agence régionale de santé Île-de-France", "Direction de l'offre de soins"),
    "ars_envelope": ("Agence régionale de santé Île-de-France", "Direction de l'offre de soins"),
}


ARS_AUTHORITY = "l'Agence régionale de santé Île-de-France"
# The article a financer's name takes in a sentence (« la Région Île-de-France vous accorde »).
ARTICLE_BY_KIND = {
    "region": "la",
    "departement": "le",
    "cpam": "la",
    "msa": "la",
    "prefecture": "la",
    "cdc": "la",
}


@dataclass(frozen=True)
class Authority:
    """Who decides, as a sentence names it, and the fund when the financer is one of several."""

    subject: str  # « la Région Île-de-France »
    of: str  # « de la Région Île-de-France »
    fund: str = ""  # « aide à l'investissement immobilier (55 M€) »

    @property
    def fund_of(self) -> str:
        """« du Fonds d'intervention régional (FIR) », « de l'aide à l'investissement… »."""
        if self.fund.startswith("Fonds"):
            return f"du {self.fund}"
        return f"de l'{self.fund}" if self.fund else ""


def authority_of(financer: Financer) -> Authority:
    if financer.kind in ("ars_fir", "ars_envelope"):
        fund = financer.name.split(" — ", 1)[-1]
        return Authority(ARS_AUTHORITY, f"de {ARS_AUTHORITY}", fund)
    name = financer.name
    article = ARTICLE_BY_KIND.get(financer.kind, "")
    if name.startswith("Ville "):
        article = "la"
    if article == "le" and name.startswith("Département"):
        return Authority(f"le {name}", f"du {name}")
    if article:
        return Authority(f"{article} {name}", f"de {article} {name}")
    return Authority(name, f"de {name}")


@dataclass(frozen=True)
class AmountLine:
    label: str
    amount: Decimal
    requested: Decimal | None


def letter_context(
    decision: FinancerDecision,
    *,
    requested: dict[str, Decimal],
    committee_item: CommitteeItem | None,
) -> dict[str, Any]:
    financer = decision.financer
    dossier = decision.dossier
    heading = HEADING_BY_KIND.get(financer.kind, (financer.name, ""))
    lines = [
        AmountLine(
            AID_TYPES.get(line.aid_type, line.aid_type), line.amount, requested.get(line.aid_type)
        )
        for line in decision.amounts
    ]
    written_on: date = decision.decided_at.astimezone(PARIS).date()
    return {
        "decision": decision,
        "dossier": dossier,
        "organisation": dossier.organisation,
        "financer": financer,
        "financer_kind": FINANCER_KINDS.get(financer.kind, ""),
        "heading": heading,
        "authority": authority_of(financer),
        "place": signing_place(decision.financer.kind, decision.financer.departement_code),
        "written_on": written_on,
        "lines": lines,
        "total": decision.total,
        "requested_total": sum(requested.values(), Decimal("0")),
        "committee_item": committee_item,
    }


def letter_filename(decision: FinancerDecision) -> str:
    reference = decision.dossier.reference or f"dossier-{decision.dossier_id}"
    return f"decision-{reference}-{decision.financer.code}-{decision.id}.pdf"


def render_decision_letter(
    decision: FinancerDecision,
    *,
    requested: dict[str, Decimal],
    committee_item: CommitteeItem | None,
) -> bytes:
    return render_pdf(
        "documents/decision_letter.html",
        **letter_context(decision, requested=requested, committee_item=committee_item),
    )
