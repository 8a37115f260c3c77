"""The payment schedule written into an agreement (its financial article and annex 4): the
tranches the payments service plans from the ``payment_schedule`` configuration (financer kind ×
aid type, merged by tranche kind, amounts to the cent adding up to the grant), each with a
planned date that instructors may negotiate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from grants.models.choices import TRANCHE_KINDS


@dataclass(frozen=True)
class PlannedTranche:
    position: int
    kind: str
    share: Decimal
    amount: Decimal
    planned_on: date | None
    evidence: tuple[str, ...]

    @property
    def kind_label(self) -> str:
        return TRANCHE_KINDS[self.kind]

    def to_json(self, labels: dict[str, str]) -> dict[str, Any]:
        return {
            "position": self.position,
            "kind": self.kind,
            "kind_label": self.kind_label,
            "share": str(self.share),
            "amount": str(self.amount),
            "planned_on": self.planned_on.isoformat() if self.planned_on else None,
            "evidence": list(self.evidence),
            "evidence_labels": [labels.get(code, code) for code in self.evidence],
        }


def plan(
    payload: dict[str, Any],
    financer_kind: str,
    amounts: dict[str, Decimal],
    *,
    starts_on: date,
    ends_on: date,
    dates: list[date | None] | None = None,
) -> list[PlannedTranche]:
    """The tranches the payments service will create when the agreement becomes active (same
    amounts, shares and default dates: ``payments_schedule``), with the negotiated dates."""
    from grants.services import payments_schedule

    planned = payments_schedule.plan(payload, financer_kind, amounts)
    defaults = payments_schedule.planned_dates(planned, starts_on, ends_on) if planned else []
    result = []
    for position, (tranche, default) in enumerate(zip(planned, defaults, strict=True), start=1):
        given = dates[position - 1] if dates and len(dates) >= position else None
        result.append(
            PlannedTranche(
                position=position,
                kind=tranche.kind,
                share=tranche.share,
                amount=tranche.amount,
                planned_on=given or default,
                evidence=tuple(tranche.evidence),
            )
        )
    return result


def negotiated_dates(agreement: Any) -> list[date | None]:
    """The planned date of each tranche as the agreement in force says (position order)."""
    from grants.services.agreement_versions import version_of

    version = version_of(agreement)
    if version is None:
        return []
    return [
        date.fromisoformat(line["planned_on"]) if line.get("planned_on") else None
        for line in version.data.get("financial", {}).get("schedule", [])
    ]
