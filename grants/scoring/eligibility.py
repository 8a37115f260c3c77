"""Eligibility gates of DOMAIN §4.2 (G1–G8), evaluated before scoring: pure functions over
``ScoringInputs`` and the ``eligibility`` block of the scoring grid configuration.

A gate is *blocking* (it blocks submission) or advisory (flagged to instructors); a gate that
does not apply to the dossier (the 55 M€ rules on a dossier not asking for it) passes.
G9 (request for a territorial diagnosis) is a separate product flow, not a dossier gate.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from grants.models.choices import COMMITMENTS, PROMOTER_CATEGORIES, STRUCTURE_TYPES
from grants.scoring.inputs import REAL_ESTATE, ScoringInputs

ZONED = frozenset({"zip", "deficitaire", "zac", "fragile"})


@dataclass(frozen=True)
class GateResult:
    code: str
    label: str
    passed: bool
    blocking: bool
    reason: str
    applicable: bool = True
    # The failure comes from a field left empty, which the completeness check already reports.
    missing_input: bool = False
    section: str = "identity"
    field: str = ""
    flag: str = ""  # e.g. "hors zonage justifié"

    @property
    def blocks(self) -> bool:
        return self.blocking and not self.passed


Gate = Callable[[ScoringInputs, Mapping[str, Any]], GateResult]


def evaluate(inputs: ScoringInputs, config: Mapping[str, Any]) -> list[GateResult]:
    """Every gate, in order; ``config`` is the grid's ``eligibility`` block (or the whole grid)."""
    gates_config = config.get("eligibility", config)
    return [gate(inputs, gates_config.get(code, {})) for code, gate in GATES]


def failed_blocking(results: list[GateResult]) -> list[GateResult]:
    return [r for r in results if r.blocks]


def _result(
    code: str, config: Mapping[str, Any], passed: bool, reason: str, **kw: Any
) -> GateResult:
    return GateResult(
        code=code,
        label=LABELS[code],
        passed=passed,
        blocking=bool(config.get("blocking", True)),
        reason=reason,
        **kw,
    )


def _not_applicable(code: str, config: Mapping[str, Any], why: str) -> GateResult:
    return _result(code, config, True, f"Sans objet : {why}", applicable=False)


def _envelope_real_estate(inputs: ScoringInputs) -> bool:
    return inputs.targets_envelope and REAL_ESTATE in inputs.aid_types


NOT_ENVELOPE = "le dossier ne sollicite pas l'aide immobilière de l'ARS (55 M€)."


def g1_structure(inputs: ScoringInputs, config: Mapping[str, Any]) -> GateResult:
    allowed = config.get("structure_types", list(STRUCTURE_TYPES))
    if not inputs.structure_type:
        return _result(
            "G1",
            config,
            False,
            "Le type de structure n'est pas renseigné.",
            missing_input=True,
            field="structure_type",
        )
    if inputs.structure_type not in allowed:
        return _result(
            "G1",
            config,
            False,
            "Seules les structures d'exercice coordonné (MSP, pôle, centre de santé) "
            "sont éligibles.",
            field="structure_type",
        )
    if not (inputs.needs_analysis or inputs.objectives_count):
        return _result(
            "G1",
            config,
            False,
            "La structure doit porter un projet de santé.",
            missing_input=True,
            section="health_project",
            field="needs_analysis",
        )
    label = STRUCTURE_TYPES[inputs.structure_type]
    return _result("G1", config, True, f"{label} portant un projet de santé.")


def g2_promoter(inputs: ScoringInputs, config: Mapping[str, Any]) -> GateResult:
    if not inputs.targets_envelope:
        return _not_applicable("G2", config, NOT_ENVELOPE)
    category = inputs.promoter_category or ""
    label = PROMOTER_CATEGORIES.get(category, category)
    if category in config.get("promoter_categories", ()):
        return _result("G2", config, True, f"Porteur éligible : {label}.")
    if category == "ps_group":
        minimum = Decimal(str(config.get("ps_group_min_physician_share", "0.5")))
        share = _physician_share(inputs)
        if share > minimum:
            return _result(
                "G2",
                config,
                True,
                "Regroupement de professionnels de santé majoritairement médecins.",
            )
        return _result(
            "G2",
            config,
            False,
            "Un regroupement de professionnels n'est éligible à l'aide immobilière de "
            "l'ARS que si les médecins y sont majoritaires.",
            missing_input=True,
            section="professionals",
            field="rows-0-profession",
        )
    return _result(
        "G2",
        config,
        False,
        f"Porteur non éligible à l'aide immobilière de l'ARS ({label}) : elle est "
        "réservée aux collectivités, bailleurs sociaux, foncières solidaires et "
        "regroupements de professionnels majoritairement médecins.",
        section="promoter",
        field="organisation",
    )


def _physician_share(inputs: ScoringInputs) -> Decimal:
    if not inputs.professional_count:
        return Decimal(0)
    return Decimal(inputs.physician_heads) / Decimal(inputs.professional_count)


def g3_diagnosis(inputs: ScoringInputs, config: Mapping[str, Any]) -> GateResult:
    if not _envelope_real_estate(inputs):
        return _not_applicable("G3", config, NOT_ENVELOPE)
    if inputs.has_diagnosis:
        return _result(
            "G3",
            config,
            True,
            "Diagnostic territorial fourni ; les instructeurs apprécient l'impact "
            "territorial qu'il qualifie.",
        )
    return _result(
        "G3",
        config,
        False,
        "L'aide immobilière de l'ARS exige un diagnostic territorial qualifiant "
        "l'impact du projet sur l'offre de soins.",
        missing_input=True,
        section="territory",
        field="diagnosis_reference",
    )


def g4_complete(inputs: ScoringInputs, config: Mapping[str, Any]) -> GateResult:
    if inputs.admissible:
        return _result("G4", config, True, "Le dossier a été déclaré complet.")
    return _result(
        "G4",
        config,
        False,
        "Le dossier doit être déclaré complet par les instructeurs après son dépôt.",
    )


def g5_commitments(inputs: ScoringInputs, config: Mapping[str, Any]) -> GateResult:
    if REAL_ESTATE not in inputs.aid_types:
        return _not_applicable("G5", config, "aucune aide immobilière n'est demandée.")
    needed = [c for c in config.get("commitments", ()) if c not in inputs.accepted_commitments]
    if needed:
        names = " ; ".join(f"« {COMMITMENTS.get(c, c)} »" for c in needed)
        return _result(
            "G5",
            config,
            False,
            f"Engagements à accepter : {names}.",
            missing_input=True,
            section="commitments",
            field="accepted_commitments",
        )
    minimum = int(config.get("min_commitment_years", 0))
    years = inputs.commitment_years
    if years is None:
        return _result(
            "G5",
            config,
            False,
            "La durée d'engagement n'est pas renseignée.",
            missing_input=True,
            section="real_estate",
            field="commitment_years",
        )
    if years < minimum:
        return _result(
            "G5",
            config,
            False,
            f"La durée d'engagement ({years} ans) est inférieure au minimum de "
            f"{minimum} ans pour le maintien de l'activité médicale et du loyer modéré.",
            section="real_estate",
            field="commitment_years",
        )
    return _result(
        "G5", config, True, f"Maintien de l'activité et loyer modéré acceptés pour {years} ans."
    )


def g6_co_investment(inputs: ScoringInputs, config: Mapping[str, Any]) -> GateResult:
    if not _envelope_real_estate(inputs):
        return _not_applicable("G6", config, NOT_ENVELOPE)
    lines = [r for r in inputs.resources if r.aid_type == REAL_ESTATE and r.amount > 0]
    envelope = sum((r.amount for r in lines if r.financer_kind == "ars_envelope"), Decimal(0))
    others = [r for r in lines if r.financer_kind != "ars_envelope"]
    if not others:
        return _result(
            "G6",
            config,
            False,
            "L'aide immobilière de l'ARS est un co-investissement : le plan de "
            "financement doit comporter au moins une autre ressource.",
            section="financing",
            field="resources-0-amount",
        )
    cost = inputs.cost_of(REAL_ESTATE)
    cap = Decimal(str(config.get("max_envelope_share", "1")))
    if cost and envelope / cost > cap:
        return _result(
            "G6",
            config,
            False,
            f"La part demandée à l'ARS ({_percent(envelope / cost)}) dépasse le "
            f"plafond de {_percent(cap)} du coût immobilier.",
            section="financing",
            field="resources-0-amount",
        )
    return _result(
        "G6",
        config,
        True,
        f"Co-investissement : {len(others)} autre(s) ressource(s) au plan de "
        "financement immobilier.",
    )


def g7_zoning(inputs: ScoringInputs, config: Mapping[str, Any]) -> GateResult:
    category = inputs.zoning_category
    if category in ZONED:
        return _result("G7", config, True, "Le projet est situé dans une zone du zonage médecins.")
    if inputs.has_diagnosis:
        return _result(
            "G7",
            config,
            True,
            "Hors zonage, mais un diagnostic territorial montre un besoin partagé.",
            flag="hors zonage justifié",
        )
    known = "hors zonage" if category == "none" else "zonage inconnu pour ces communes"
    return _result(
        "G7",
        config,
        False,
        f"Projet {known}, sans diagnostic territorial montrant un besoin partagé.",
        section="territory",
        field="diagnosis_reference",
    )


def g8_team(inputs: ScoringInputs, config: Mapping[str, Any]) -> GateResult:
    if inputs.structure_type not in config.get("structure_types", ("msp",)):
        return _not_applicable("G8", config, "l'équipe minimale ne s'impose qu'aux MSP.")
    min_physicians = int(config.get("min_physicians", 2))
    min_others = int(config.get("min_other_professions", 1))
    others = [p for p in inputs.professions if not p.startswith("medecin_")]
    if not inputs.professional_count:
        return _result(
            "G8",
            config,
            False,
            "Aucun professionnel n'est déclaré.",
            missing_input=True,
            section="professionals",
            field="rows-0-last_name",
        )
    if inputs.physician_heads >= min_physicians and len(others) >= min_others:
        return _result(
            "G8",
            config,
            True,
            f"{inputs.physician_heads} médecins et {len(others)} autre(s) profession(s).",
        )
    return _result(
        "G8",
        config,
        False,
        f"Une MSP réunit au moins {min_physicians} médecins et {min_others} autre(s) "
        f"profession(s) de santé ; le dossier déclare {inputs.physician_heads} "
        f"médecin(s) et {len(others)} autre(s) profession(s).",
        section="professionals",
        field="rows-0-profession",
    )


def _percent(value: Decimal) -> str:
    return f"{(value * 100).quantize(Decimal('0.1'))} %".replace(".", ",")


LABELS = {
    "G1": "Type de structure et projet de santé",
    "G2": "Type de porteur (aide immobilière 55 M€)",
    "G3": "Diagnostic territorial",
    "G4": "Dossier complet",
    "G5": "Engagements acceptés",
    "G6": "Co-investissement",
    "G7": "Zonage",
    "G8": "Équipe minimale",
}
GATES: tuple[tuple[str, Gate], ...] = (
    ("G1", g1_structure),
    ("G2", g2_promoter),
    ("G3", g3_diagnosis),
    ("G4", g4_complete),
    ("G5", g5_commitments),
    ("G6", g6_co_investment),
    ("G7", g7_zoning),
    ("G8", g8_team),
)
