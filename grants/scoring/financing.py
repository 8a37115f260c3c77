"""Checks on a financing plan against the ``financing_rules`` configuration: a financer above its
configured maximum rate of the costs it funds, an own-funds share below the minimum. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from grants.models.choices import AID_TYPES, FINANCER_KINDS

ZERO = Decimal("0")


@dataclass(frozen=True)
class PlanLine:
    aid_type: str
    amount: Decimal
    kind: str = "financer"  # financer | own_funds | loan | other
    financer_code: str | None = None
    financer_kind: str | None = None
    financer_name: str = ""
    source: str = "requested"  # requested (promoter's plan) | proposed (instructors)


@dataclass(frozen=True)
class FinancingPlan:
    costs: Mapping[str, Decimal]  # aid type → total cost
    lines: tuple[PlanLine, ...]

    @property
    def total_costs(self) -> Decimal:
        return sum(self.costs.values(), ZERO)


@dataclass(frozen=True)
class Flag:
    code: str  # financer_above_max_rate | own_funds_below_minimum
    message: str
    aid_type: str | None = None
    financer_code: str | None = None


def check(plan: FinancingPlan, rules: Mapping[str, Any]) -> list[Flag]:
    flags = _rates(plan, rules.get("max_rate_by_kind", {}))
    flags += _own_funds(plan, Decimal(str(rules.get("min_own_funds_share", "0"))))
    return flags


def financer_amounts(lines: Iterable[PlanLine]) -> dict[tuple[str, str], PlanLine]:
    """One amount per (financer, aid type): the instructors' proposal wins over the request."""
    chosen: dict[tuple[str, str], PlanLine] = {}
    totals: dict[tuple[str, str], Decimal] = {}
    for line in lines:
        if line.kind != "financer" or not line.financer_code:
            continue
        key = (line.financer_code, line.aid_type)
        previous = chosen.get(key)
        if previous is not None and previous.source == "proposed" and line.source != "proposed":
            continue
        if previous is None or previous.source != line.source:
            totals[key] = ZERO
        totals[key] += line.amount
        chosen[key] = PlanLine(**{**line.__dict__, "amount": totals[key]})
    return chosen


def _rates(plan: FinancingPlan, max_rates: Mapping[str, Any]) -> list[Flag]:
    flags: list[Flag] = []
    for (code, aid_type), line in financer_amounts(plan.lines).items():
        cost = plan.costs.get(aid_type, ZERO)
        limit = max_rates.get(line.financer_kind or "")
        if limit is None or not cost:
            continue
        rate = line.amount / cost
        if rate > Decimal(str(limit)):
            name = line.financer_name or FINANCER_KINDS.get(line.financer_kind or "", code)
            aid_label = AID_TYPES.get(aid_type, aid_type).lower()
            flags.append(
                Flag(
                    "financer_above_max_rate",
                    f"{name} finance {_pct(rate)} de l'aide « {aid_label} », "
                    f"au-delà de son taux maximal de {_pct(Decimal(str(limit)))}.",
                    aid_type,
                    code,
                )
            )
    return flags


def _own_funds(plan: FinancingPlan, minimum: Decimal) -> list[Flag]:
    total = plan.total_costs
    if not total or not minimum:
        return []
    own = sum((line.amount for line in plan.lines if line.kind == "own_funds"), ZERO)
    share = own / total
    if share >= minimum:
        return []
    return [
        Flag(
            "own_funds_below_minimum",
            f"Les fonds propres représentent {_pct(share)} des dépenses, "
            f"en dessous du minimum de {_pct(minimum)}.",
        )
    ]


def _pct(value: Decimal) -> str:
    text = f"{(value * 100).quantize(Decimal('0.1'))}"
    return text.replace(".", ",") + " %"
