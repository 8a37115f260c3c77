"""Serialise the whole dossier to a JSON-able dict (the payload of a frozen ``DossierVersion``).

Decimals become strings, dates ISO 8601; the digest is the SHA-256 of the canonical JSON (sorted
keys, no spaces, UTF-8), so anyone can recompute it from the stored payload.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import MappedColumn

from grants.models import Dossier
from grants.models.choices import NEW_PROFESSIONAL_STATUSES, PHYSICIAN_PROFESSIONS
from grants.models.dossier_sections import (
    CommitmentsSection,
    FeasibilitySection,
    HealthProjectSection,
    IdentitySection,
    OwnerSection,
    RealEstateSection,
    TerritorySection,
)
from grants.services.organisations import ORGANISATION_FIELDS

SCHEMA_VERSION = 1
SECTION_MIXINS: dict[str, type] = {
    "identity": IdentitySection,
    "promoter": OwnerSection,
    "territory": TerritorySection,
    "health_project": HealthProjectSection,
    "feasibility": FeasibilitySection,
    "real_estate": RealEstateSection,
    "commitments": CommitmentsSection,
}


def section_columns(mixin: type) -> list[str]:
    """The column names a section mixin declares, in declaration order."""
    return [name for name, value in vars(mixin).items() if isinstance(value, MappedColumn)]


def jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value


def canonical_json(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def payload_sha256(payload: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(payload)).hexdigest()


def _row(obj: object, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: jsonable(getattr(obj, name)) for name in names}


def snapshot_dossier(dossier: Dossier) -> dict[str, Any]:
    """Everything the dossier holds at this moment, as plain JSON values."""
    organisation = dossier.organisation
    payload: dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "dossier": {
            "id": dossier.id,
            "reference": dossier.reference,
            "state": dossier.state,
            "departement_code": dossier.departement_code,
            "submitted_at": jsonable(dossier.submitted_at),
            "created_at": jsonable(dossier.created_at),
        },
        "organisation": {"id": organisation.id, **_row(organisation, ORGANISATION_FIELDS)},
        "sections": {
            code: {name: jsonable(getattr(dossier, name)) for name in section_columns(mixin)}
            for code, mixin in SECTION_MIXINS.items()
        },
        "financers": [_row(f, ("code", "name", "kind")) for f in dossier.financers],
        "communes": [_commune(c) for c in dossier.communes],
        "professionals": [_professional(p) for p in dossier.professionals],
        "objectives": [
            _row(o, ("objective", "indicator", "baseline", "target", "year"))
            for o in dossier.objectives
        ],
        "operating_lines": [
            _row(line, ("year_index", "kind", "category", "label", "amount"))
            for line in dossier.operating_lines
        ],
        "cost_lines": [
            _row(line, ("aid_type", "year", "label", "amount")) for line in dossier.cost_lines
        ],
        "resource_lines": [_resource(line) for line in dossier.resource_lines],
        "attachments": [_attachment(a) for a in dossier.attachments if a.removed_at is None],
    }
    payload["aggregates"] = aggregates(payload)
    return payload


def _commune(link: Any) -> dict[str, Any]:
    commune = link.commune
    return {
        "insee_code": commune.insee_code,
        "name": commune.name,
        "departement_code": commune.departement_code,
        "population": commune.population,
    }


def _professional(p: Any) -> dict[str, Any]:
    return _row(
        p,
        (
            "last_name",
            "first_name",
            "profession",
            "specialty",
            "exercise_mode",
            "status_in_project",
            "etp",
            "sector",
            "age_band",
            "msu",
            "pdsa",
            "contracts",
        ),
    )


def _resource(line: Any) -> dict[str, Any]:
    return {
        **_row(line, ("aid_type", "kind", "label", "amount", "status")),
        "financer_code": line.financer.code if line.financer is not None else None,
        "financer_name": line.financer.name if line.financer is not None else None,
    }


def _attachment(a: Any) -> dict[str, Any]:
    return {
        "piece_code": a.piece_code,
        "piece_label": a.piece.label,
        "financer_code": a.financer.code if a.financer is not None else None,
        "original_name": a.original_name,
        "content_type": a.content_type,
        "size": a.size,
        "sha256": a.sha256,
        "status": a.status,
        "uploaded_at": jsonable(a.uploaded_at),
    }


def aggregates(payload: dict[str, Any]) -> dict[str, Any]:
    """Counts and totals computed from the serialised rows (so they always agree with them)."""
    professionals = payload["professionals"]
    physicians = [p for p in professionals if p["profession"] in PHYSICIAN_PROFESSIONS]
    by_profession: dict[str, dict[str, Any]] = {}
    for p in professionals:
        entry = by_profession.setdefault(p["profession"], {"headcount": 0, "etp": Decimal(0)})
        entry["headcount"] += 1
        entry["etp"] += Decimal(p["etp"])
    costs: dict[str, Decimal] = defaultdict(Decimal)
    resources: dict[str, Decimal] = defaultdict(Decimal)
    requested: dict[str, Decimal] = defaultdict(Decimal)
    for line in payload["cost_lines"]:
        costs[line["aid_type"]] += Decimal(line["amount"])
    for line in payload["resource_lines"]:
        resources[line["aid_type"]] += Decimal(line["amount"])
        if line["financer_code"]:
            requested[line["financer_code"]] += Decimal(line["amount"])
    return jsonable(
        {
            "professionals_count": len(professionals),
            "professions_count": len(by_profession),
            "by_profession": by_profession,
            "physicians_count": len(physicians),
            "physicians_etp": sum((Decimal(p["etp"]) for p in physicians), Decimal(0)),
            "physicians_new_count": sum(
                1 for p in physicians if p["status_in_project"] in NEW_PROFESSIONAL_STATUSES
            ),
            "physicians_majority": 2 * len(physicians) > len(professionals),
            "costs_by_aid_type": dict(costs),
            "resources_by_aid_type": dict(resources),
            "requested_by_financer": dict(requested),
            "total_costs": sum(costs.values(), Decimal(0)),
            "total_resources": sum(resources.values(), Decimal(0)),
        }
    )
