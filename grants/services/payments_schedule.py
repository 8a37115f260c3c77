"""The tranches an agreement's grant is paid in, planned from the ``payment_schedule``
configuration: for each aid type the decision grants, the schedule of the financer kind and aid
type (else the default one), then merged by tranche kind. Pure functions over plain data."""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from grants.models.choices import TRANCHE_KINDS

CENT = Decimal("0.01")
SHARE_STEP = Decimal("0.0001")  # the precision of PaymentTranche.share (Numeric(5, 4))
KIND_ORDER = {kind: index for index, kind in enumerate(TRANCHE_KINDS)}


@dataclass(frozen=True)
class PlannedTranche:
    kind: str
    share: Decimal
    amount: Decimal
    evidence: tuple[str, ...]
    months_after_start: int | None = None


def schedule_for(payload: Mapping[str, Any], financer_kind: str, aid_type: str) -> list[dict]:  # type: ignore[type-arg]
    """The financer kind's own schedule for ``aid_type``, else the default one."""
    overrides = payload.get("by_financer_kind_and_aid_type") or {}
    return list(overrides.get(f"{financer_kind}:{aid_type}") or payload["default"])


def split(amount: Decimal, shares: Sequence[Decimal]) -> list[Decimal]:
    """``amount`` cut by ``shares`` to the cent; the last part takes the rounding remainder, so
    the parts always add up exactly to ``amount``."""
    parts = [(amount * share).quantize(CENT, rounding=ROUND_HALF_UP) for share in shares[:-1]]
    return [*parts, amount - sum(parts, Decimal("0"))]


def plan(
    payload: Mapping[str, Any], financer_kind: str, amounts: Mapping[str, Decimal]
) -> list[PlannedTranche]:
    """Tranches for the granted ``amounts`` by aid type, merged by tranche kind (the n-th
    tranche of a kind in each schedule goes with the n-th of the others), in kind order."""
    merged: dict[tuple[str, int], dict[str, Any]] = {}
    for aid_type, amount in amounts.items():
        if amount <= 0:
            continue
        tranches = schedule_for(payload, financer_kind, aid_type)
        parts = split(amount, [Decimal(str(t["share"])) for t in tranches])
        seen: dict[str, int] = {}
        for tranche, part in zip(tranches, parts, strict=True):
            kind = tranche["kind"]
            key = (kind, seen.get(kind, 0))
            seen[kind] = key[1] + 1
            entry = merged.setdefault(
                key, {"amount": Decimal("0"), "evidence": [], "months": tranche.get("months")}
            )
            entry["amount"] += part
            entry["evidence"] += [
                c for c in tranche.get("evidence") or [] if c not in entry["evidence"]
            ]
    keys = sorted(
        (k for k in merged if merged[k]["amount"] > 0), key=lambda k: (KIND_ORDER[k[0]], k[1])
    )
    total = sum((merged[k]["amount"] for k in keys), Decimal("0"))
    shares = [max((merged[k]["amount"] / total).quantize(SHARE_STEP), SHARE_STEP) for k in keys]
    if shares:
        shares[-1] = max(Decimal("1") - sum(shares[:-1], Decimal("0")), SHARE_STEP)
    return [
        PlannedTranche(
            kind=key[0],
            share=share,
            amount=merged[key]["amount"],
            evidence=tuple(merged[key]["evidence"]),
            months_after_start=_months(merged[key]["months"]),
        )
        for key, share in zip(keys, shares, strict=True)
    ]


def planned_dates(tranches: Sequence[PlannedTranche], starts_on: date, ends_on: date) -> list[date]:
    """When each tranche is expected: ``months`` after the start when the schedule says so, else
    spread evenly from the start (the advance) to the end of the agreement (the balance)."""
    span = (ends_on - starts_on).days
    count = len(tranches)
    dates = []
    for index, tranche in enumerate(tranches):
        if tranche.months_after_start is not None:
            dates.append(min(_add_months(starts_on, tranche.months_after_start), ends_on))
        else:
            offset = span * index // (count - 1) if count > 1 else 0
            dates.append(starts_on + timedelta(days=offset))
    return dates


def evidence_label(payload: Mapping[str, Any], code: str) -> str:
    return str((payload.get("evidence_labels") or {}).get(code, code))


def _months(value: Any) -> int | None:
    try:
        months = int(value)
    except (TypeError, ValueError):
        return None
    return months if months >= 0 else None


def _add_months(start: date, months: int) -> date:
    year, month = divmod(start.month - 1 + months, 12)
    year, month = start.year + year, month + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
