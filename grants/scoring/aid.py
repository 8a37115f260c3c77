"""The real-estate envelope aid of DOMAIN §4.4, line by line, in Decimal:

    aid = min(rate_per_physician[zone] × physicians counted, cap_rate[zone] × eligible cost,
              cap_absolute[zone], envelope remaining)  [× modulation(score)]

Every parameter (heads or ETP, statuses counted, rates, caps, modulation) comes from the
``aid_formula`` configuration payload.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from grants.scoring.grid import counted_physicians, zoning_key
from grants.scoring.inputs import ScoringInputs

CENT = Decimal("0.01")


@dataclass(frozen=True)
class AidLine:
    code: str
    label: str
    formula: str
    amount: Decimal | None  # None: the term does not apply (no envelope figure)
    chosen: bool = False


@dataclass(frozen=True)
class AidComputation:
    eligible: bool
    tier: str | None
    tier_label: str
    physicians_counted: Decimal
    count_basis: str
    lines: tuple[AidLine, ...]
    amount: Decimal
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "tier": self.tier,
            "physicians_counted": str(self.physicians_counted),
            "count_basis": self.count_basis,
            "amount": str(self.amount),
            "lines": [
                {
                    "code": line.code,
                    "label": line.label,
                    "formula": line.formula,
                    "amount": None if line.amount is None else str(line.amount),
                    "chosen": line.chosen,
                }
                for line in self.lines
            ],
            "note": self.note,
        }


def compute(
    inputs: ScoringInputs,
    formula: Mapping[str, Any],
    envelope_remaining: Decimal | None,
    score_total: Decimal | None = None,
) -> AidComputation:
    basis = formula.get("count_basis", "etp")
    counted = counted_physicians(inputs, list(formula.get("include", [])), basis)
    key = zoning_key(inputs)
    tier = formula.get("zone_tiers", {}).get(key) if key else None
    if tier is None:
        note = (
            "Zonage inconnu pour les communes du dossier."
            if key is None
            else "Hors zonage sans diagnostic montrant un besoin partagé : pas d'aide."
        )
        return AidComputation(False, None, "—", counted, basis, (), Decimal("0.00"), note)
    params = formula["tiers"][tier]
    rate = Decimal(str(params["rate_per_physician"]))
    cap_rate = Decimal(str(params["cap_rate"]))
    cap_absolute = Decimal(str(params["cap_absolute"]))
    cost = inputs.eligible_cost
    unit = "ETP" if basis == "etp" else "médecins"
    terms = [
        AidLine(
            "per_physician",
            "Forfait par médecin",
            f"{_m(rate)} × {_q(counted)} {unit}",
            _cents(rate * counted),
        ),
        AidLine(
            "cost_cap",
            "Plafond en part du coût éligible",
            f"{_pct(cap_rate)} × {_m(cost)}",
            _cents(cap_rate * cost),
        ),
        AidLine("absolute_cap", "Plafond absolu", _m(cap_absolute), _cents(cap_absolute)),
        AidLine(
            "envelope",
            "Reste disponible sur l'enveloppe",
            "non renseigné" if envelope_remaining is None else _m(envelope_remaining),
            None if envelope_remaining is None else _cents(envelope_remaining),
        ),
    ]
    amounts = [t.amount for t in terms if t.amount is not None]
    minimum = max(min(amounts), Decimal("0.00"))
    chosen_index = next(
        i for i, t in enumerate(terms) if t.amount is not None and t.amount == min(amounts)
    )
    lines = [
        AidLine(t.code, t.label, t.formula, t.amount, chosen=(i == chosen_index))
        for i, t in enumerate(terms)
    ]
    modulation = _modulation(formula.get("modulation") or {}, score_total, minimum)
    amount = modulation[0].amount if modulation and modulation[0].amount is not None else minimum
    lines += modulation
    return AidComputation(
        True, tier, params.get("label", tier), counted, basis, tuple(lines), amount
    )


def _modulation(rule: Mapping[str, Any], total: Decimal | None, base: Decimal) -> list[AidLine]:
    if not rule.get("enabled") or total is None:
        return []
    below = Decimal(str(rule["below_score"]))
    factor = Decimal(str(rule["factor"])) if total < below else Decimal("1")
    return [
        AidLine(
            "modulation",
            f"Modulation par la note ({_q(total)} / seuil {_q(below)})",
            f"{_m(base)} × {_q(factor)}",
            _cents(base * factor),
            chosen=True,
        )
    ]


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _q(value: Decimal) -> str:
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _pct(value: Decimal) -> str:
    return f"{_q(value * 100)} %"


def _m(value: Decimal) -> str:
    from grants.templating import money

    return money(value)
