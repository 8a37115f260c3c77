"""The eligibility gates (DOMAIN §4.2) of a loaded dossier under the active scoring grid: the
results the promoter and the instructors read, and the blocking failures that stop a submission
(those the completeness check does not already report as an empty field)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from grants.scoring import eligibility
from grants.scoring.eligibility import GateResult
from grants.scoring.inputs import from_dossier
from grants.services import config_versions

if TYPE_CHECKING:
    from grants.services.completeness import Problem


def gate_results(dossier: Any, *, for_submission: bool = False) -> list[GateResult]:
    """Every gate of ``dossier`` (a loaded ``Dossier`` or ``DossierPage``).

    ``for_submission`` skips the zoning lookup while the zoning gate is only advisory.
    """
    config = config_versions.active("scoring_grid").payload
    zoning_blocks = config.get("eligibility", {}).get("G7", {}).get("blocking", False)
    skip_zoning = for_submission and not zoning_blocks
    inputs = from_dossier(dossier, zoning_category="unknown" if skip_zoning else None)
    return eligibility.evaluate(inputs, config)


def submission_problems(dossier: Any) -> list[Problem]:
    """Failed blocking gates as completeness problems, each linked to the field to fix."""
    from grants.services.completeness import Problem

    return [
        Problem(result.section, result.field or result.section, result.reason)
        for result in gate_results(dossier, for_submission=True)
        if result.blocks and not result.missing_input
    ]


def advisory_flags(results: list[GateResult]) -> list[GateResult]:
    """What instructors are told: failed advisory gates and passed gates carrying a flag."""
    return [r for r in results if (not r.blocking and not r.passed) or r.flag]
