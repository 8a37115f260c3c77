"""Computed figures over a dossier's rows: professionals per profession, physicians, financing
balance per aid type and operating results per year. Pure functions over plain objects."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from grants.models.choices import AID_TYPES, PHYSICIAN_PROFESSIONS, PROFESSIONS

ZERO = Decimal("0")
SHARE_PLACES = Decimal("0.0001")
OPERATING_YEARS = (1, 2, 3)


class ProfessionalLike(Protocol):
    profession: str
    status_in_project: str
    etp: Decimal
    sector: str | None


class AmountLine(Protocol):
    aid_type: str
    amount: Decimal


class OperatingLineLike(Protocol):
    year_index: int
    kind: str
    amount: Decimal


@dataclass(frozen=True)
class ProfessionCount:
    profession: str
    label: str
    headcount: int
    etp: Decimal


@dataclass(frozen=True)
class PhysicianCount:
    """Physicians included in the operation, heads and ETP, split existing / new (DOMAIN §2.5)."""

    headcount: int
    etp: Decimal
    existing_headcount: int
    existing_etp: Decimal
    new_headcount: int
    new_etp: Decimal


@dataclass(frozen=True)
class ProfessionalAggregates:
    by_profession: tuple[ProfessionCount, ...]
    total_headcount: int
    total_etp: Decimal
    distinct_professions: int
    physicians: PhysicianCount
    physician_share: Decimal | None  # of headcount, 0..1; None when nobody is declared


@dataclass(frozen=True)
class AidTypeBalance:
    aid_type: str
    label: str
    costs: Decimal
    resources: Decimal

    @property
    def balance(self) -> Decimal:
        """Resources minus costs: zero when balanced, negative when financing is missing."""
        return self.resources - self.costs

    @property
    def balanced(self) -> bool:
        return self.balance == ZERO


@dataclass(frozen=True)
class OperatingYear:
    year_index: int
    charges: Decimal
    produits: Decimal

    @property
    def result(self) -> Decimal:
        return self.produits - self.charges


@dataclass(frozen=True)
class DossierAggregates:
    professionals: ProfessionalAggregates
    balances: tuple[AidTypeBalance, ...]
    operating: tuple[OperatingYear, ...]


def professional_aggregates(professionals: Iterable[ProfessionalLike]) -> ProfessionalAggregates:
    heads: dict[str, int] = {}
    etps: dict[str, Decimal] = {}
    existing_heads = new_heads = 0
    existing_etp = new_etp = ZERO
    for person in professionals:
        etp = Decimal(person.etp or 0)
        heads[person.profession] = heads.get(person.profession, 0) + 1
        etps[person.profession] = etps.get(person.profession, ZERO) + etp
        if person.profession in PHYSICIAN_PROFESSIONS:
            if person.status_in_project == "already_on_site":
                existing_heads += 1
                existing_etp += etp
            else:
                new_heads += 1
                new_etp += etp
    by_profession = tuple(
        ProfessionCount(code, label, heads[code], etps[code])
        for code, label in PROFESSIONS.items()
        if code in heads
    )
    total_heads = sum(heads.values())
    physicians = PhysicianCount(
        headcount=existing_heads + new_heads,
        etp=existing_etp + new_etp,
        existing_headcount=existing_heads,
        existing_etp=existing_etp,
        new_headcount=new_heads,
        new_etp=new_etp,
    )
    share = None
    if total_heads:
        share = (Decimal(physicians.headcount) / Decimal(total_heads)).quantize(SHARE_PLACES)
    return ProfessionalAggregates(
        by_profession=by_profession,
        total_headcount=total_heads,
        total_etp=sum(etps.values(), ZERO),
        distinct_professions=len(heads),
        physicians=physicians,
        physician_share=share,
    )


def physicians_without_sector(professionals: Iterable[ProfessionalLike]) -> list[Any]:
    """Physicians whose conventional sector is missing (required at submission, DOMAIN §2.5)."""
    return [p for p in professionals if p.profession in PHYSICIAN_PROFESSIONS and not p.sector]


def balance_by_aid_type(
    cost_lines: Iterable[AmountLine],
    resource_lines: Iterable[AmountLine],
    aid_types: Sequence[str] = (),
) -> tuple[AidTypeBalance, ...]:
    """Costs, resources and their gap per aid type: the requested types plus any type in use."""
    costs = _sum_by_aid_type(cost_lines)
    resources = _sum_by_aid_type(resource_lines)
    wanted = set(aid_types) | set(costs) | set(resources)
    return tuple(
        AidTypeBalance(code, label, costs.get(code, ZERO), resources.get(code, ZERO))
        for code, label in AID_TYPES.items()
        if code in wanted
    )


def operating_totals(lines: Iterable[OperatingLineLike]) -> tuple[OperatingYear, ...]:
    """Charges, produits and result for each of the three budget years."""
    charges = dict.fromkeys(OPERATING_YEARS, ZERO)
    produits = dict.fromkeys(OPERATING_YEARS, ZERO)
    for line in lines:
        target = charges if line.kind == "charge" else produits
        target[line.year_index] = target.get(line.year_index, ZERO) + Decimal(line.amount)
    return tuple(
        OperatingYear(year, charges[year], produits[year]) for year in sorted(charges | produits)
    )


def dossier_aggregates(dossier: Any) -> DossierAggregates:
    """Every aggregate of a dossier whose row collections are loaded (summary page, scoring)."""
    return DossierAggregates(
        professionals=professional_aggregates(dossier.professionals),
        balances=balance_by_aid_type(
            dossier.cost_lines, dossier.resource_lines, dossier.aid_types or ()
        ),
        operating=operating_totals(dossier.operating_lines),
    )


def _sum_by_aid_type(lines: Iterable[AmountLine]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for line in lines:
        totals[line.aid_type] = totals.get(line.aid_type, ZERO) + Decimal(line.amount)
    return totals
