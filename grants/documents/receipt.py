"""The filing receipt (accusé de dépôt), rendered from a frozen version, never the live dossier."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from grants.documents.pdf import render_pdf
from grants.models import DossierVersion
from grants.models.choices import AID_TYPES, STRUCTURE_TYPES

SHA_PREFIX = 12


@dataclass
class PlanPart:
    """The financing plan of one aid type, as frozen."""

    aid_type: str
    label: str
    costs: list[dict[str, Any]] = field(default_factory=list)
    resources: list[dict[str, Any]] = field(default_factory=list)

    @property
    def total_costs(self) -> Decimal:
        return sum((Decimal(line["amount"]) for line in self.costs), Decimal(0))

    @property
    def total_resources(self) -> Decimal:
        return sum((Decimal(line["amount"]) for line in self.resources), Decimal(0))


def financing_plan(payload: dict[str, Any]) -> list[PlanPart]:
    """Cost and resource lines grouped by aid type, in the vocabulary's order."""
    requested = payload["sections"]["identity"].get("aid_types") or []
    present = {line["aid_type"] for line in payload["cost_lines"] + payload["resource_lines"]}
    parts = []
    for code, label in AID_TYPES.items():
        if code not in requested and code not in present:
            continue
        parts.append(
            PlanPart(
                aid_type=code,
                label=label,
                costs=[line for line in payload["cost_lines"] if line["aid_type"] == code],
                resources=[line for line in payload["resource_lines"] if line["aid_type"] == code],
            )
        )
    return parts


def receipt_context(version: DossierVersion) -> dict[str, Any]:
    payload = version.payload
    identity = payload["sections"]["identity"]
    submitted_at = payload["dossier"].get("submitted_at")
    return {
        "version": version,
        "payload": payload,
        "reference": payload["dossier"]["reference"],
        "filed_at": datetime.fromisoformat(submitted_at) if submitted_at else version.frozen_at,
        "organisation": payload["organisation"],
        "title": identity.get("title") or "",
        "structure_type": STRUCTURE_TYPES.get(identity.get("structure_type") or "", "—"),
        "aid_types": [AID_TYPES.get(code, code) for code in identity.get("aid_types") or []],
        "financers": payload["financers"],
        "communes": payload["communes"],
        "aggregates": payload["aggregates"],
        "plan": financing_plan(payload),
        "attachments": payload["attachments"],
        "sha_prefix": SHA_PREFIX,
    }


def receipt_filename(version: DossierVersion) -> str:
    reference = version.payload["dossier"]["reference"] or f"dossier-{version.dossier_id}"
    return f"accuse-depot-{reference}-v{version.number}.pdf"


def render_receipt(version: DossierVersion) -> bytes:
    return render_pdf("documents/receipt.html", **receipt_context(version))
