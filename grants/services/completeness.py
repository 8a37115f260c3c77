"""The pre-submission check: every blocking problem of a draft dossier, each linked to its field.

Pure over the loaded dossier (load it with ``services.dossiers.full_dossier_options()``); the
only query is the piece requirement table, read by ``services.pieces``. Rules: DOMAIN §2.2–2.12.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from grants.models import Dossier, Financer
from grants.models.choices import (
    AID_TYPES,
    COMMITMENTS,
    PHYSICIAN_PROFESSIONS,
    PUBLIC_PROMOTER_CATEGORIES,
)
from grants.services.pieces import RequiredPiece, missing_by_financer
from grants.templating import money

ARS_KINDS = frozenset({"ars_fir", "ars_envelope"})
REAL_ESTATE_ENVELOPE_KIND = "ars_envelope"  # the 55 M€ real-estate aid (ARS_IMMO)
ALWAYS_REQUIRED_COMMITMENTS = ("inform_changes", "health_project_reporting")
REAL_ESTATE_COMMITMENTS = ("maintain_activity", "moderate_rent")
REAL_ESTATE_COST_FIELDS = (
    "cost_land",
    "cost_works",
    "cost_design_fees",
    "cost_equipment",
    "cost_pmr_works",
)
OPERATING_YEARS = (1, 2, 3)
PHYSICIAN_FIELD = "rows-0-profession"


@dataclass(frozen=True)
class Problem:
    """One reason the dossier cannot be filed yet.

    ``section`` is a code of ``grants.sections.SECTIONS`` (or ``"pieces"``); ``field`` is the HTML
    id of the form field to fix, used as the link's fragment.
    """

    section: str
    field: str
    message: str


def blocking_problems(
    dossier: Dossier, pieces: Sequence[RequiredPiece] | None = None
) -> list[Problem]:
    """Every blocking problem, in section order (A to K).

    ``pieces`` (from ``required_pieces``) spares computing them again when the caller has them.
    """
    problems: list[Problem] = []
    for check in CHECKS:
        problems.extend(check(dossier))
    problems.extend(_pieces(dossier, pieces))
    # Blocking eligibility gates (DOMAIN §4.2) not already reported above as an empty field.
    from grants.services.eligibility import submission_problems

    problems.extend(submission_problems(dossier))
    return problems


def advisories(dossier: Dossier) -> list[Problem]:
    """Non-blocking remarks shown before filing (the physician share outside the 55 M€ aid)."""
    if _targets_kind(dossier, REAL_ESTATE_ENVELOPE_KIND) or not dossier.professionals:
        return []
    if _physicians_are_majority(dossier):
        return []
    return [
        Problem(
            "professionals",
            PHYSICIAN_FIELD,
            "Les médecins ne sont pas majoritaires parmi les professionnels : "
            "certaines aides (dont l'aide immobilière de l'ARS) l'exigent.",
        )
    ]


# --- helpers -------------------------------------------------------------------------------


def _blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return False


def _requested(dossier: Dossier, aid_type: str) -> bool:
    return aid_type in (dossier.aid_types or [])


def _targets_kind(dossier: Dossier, *kinds: str) -> bool:
    return any(f.kind in kinds for f in dossier.financers)


def _physicians(dossier: Dossier) -> list:  # type: ignore[type-arg]
    return [p for p in dossier.professionals if p.profession in PHYSICIAN_PROFESSIONS]


def _physicians_are_majority(dossier: Dossier) -> bool:
    return 2 * len(_physicians(dossier)) > len(dossier.professionals)


def _required(dossier: Dossier, section: str, fields: Iterable[tuple[str, str]]) -> list[Problem]:
    """A problem for each (field, message) whose column is blank."""
    return [
        Problem(section, name, message)
        for name, message in fields
        if _blank(getattr(dossier, name))
    ]


# --- A to K ------------------------------------------------------------------------------------


def _identity(dossier: Dossier) -> list[Problem]:
    problems = _required(
        dossier,
        "identity",
        [
            ("title", "Indiquez l'intitulé du projet."),
            ("structure_type", "Choisissez le type de structure."),
            ("nature", "Choisissez la nature du projet."),
        ],
    )
    if not dossier.aid_types:
        problems.append(Problem("identity", "aid_types", "Cochez au moins une aide demandée."))
    if not dossier.financers:
        problems.append(
            Problem("identity", "financer_ids", "Cochez au moins un financeur sollicité.")
        )
    problems += _required(
        dossier, "identity", [("project_stage", "Indiquez l'avancement du projet au dépôt.")]
    )
    return problems


def _promoter(dossier: Dossier) -> list[Problem]:
    problems: list[Problem] = []
    if not dossier.owner_is_promoter:
        problems += _required(
            dossier,
            "promoter",
            [("owner_name", "Indiquez le maître d'ouvrage, puisqu'il diffère du porteur.")],
        )
    if dossier.organisation.category in PUBLIC_PROMOTER_CATEGORIES:
        problems += _required(
            dossier,
            "promoter",
            [
                ("deliberation_reference", "Indiquez la référence de la délibération du conseil."),
                ("deliberation_date", "Indiquez la date de la délibération du conseil."),
            ],
        )
    return problems


def _territory(dossier: Dossier) -> list[Problem]:
    problems: list[Problem] = []
    if not dossier.communes:
        problems.append(
            Problem(
                "territory", "commune_inputs-0", "Indiquez au moins une commune d'implantation."
            )
        )
    problems += _required(dossier, "territory", [("address", "Indiquez l'adresse du projet.")])
    if _requested(dossier, "investment_real_estate") and _targets_kind(
        dossier, REAL_ESTATE_ENVELOPE_KIND
    ):
        problems += _required(
            dossier,
            "territory",
            [
                (
                    "diagnosis_reference",
                    "L'aide immobilière de l'ARS exige un diagnostic territorial : "
                    "indiquez sa référence.",
                ),
                ("diagnosis_date", "Indiquez la date du diagnostic territorial."),
                ("bassin_population", "Indiquez la population du bassin de vie."),
            ],
        )
    return problems


def _professionals(dossier: Dossier) -> list[Problem]:
    if not dossier.professionals:
        return [
            Problem(
                "professionals", "rows-0-last_name", "Ajoutez au moins un professionnel de santé."
            )
        ]
    problems = [
        Problem(
            "professionals",
            f"rows-{index}-sector",
            f"Indiquez le secteur conventionnel de {p.first_name} {p.last_name}.",
        )
        for index, p in enumerate(dossier.professionals)
        if p.profession in PHYSICIAN_PROFESSIONS and _blank(p.sector)
    ]
    if _targets_kind(dossier, REAL_ESTATE_ENVELOPE_KIND):
        if not _physicians(dossier):
            problems.append(
                Problem(
                    "professionals",
                    PHYSICIAN_FIELD,
                    "L'aide immobilière de l'ARS exige au moins un médecin "
                    "parmi les professionnels.",
                )
            )
        elif not _physicians_are_majority(dossier):
            problems.append(
                Problem(
                    "professionals",
                    PHYSICIAN_FIELD,
                    "L'aide immobilière de l'ARS est réservée aux projets regroupant "
                    "majoritairement des médecins.",
                )
            )
    return problems


def _health_project(dossier: Dossier) -> list[Problem]:
    problems = _required(
        dossier,
        "health_project",
        [("needs_analysis", "Décrivez les besoins de santé de la population.")],
    )
    if not dossier.objectives:
        problems.append(
            Problem(
                "objectives", "rows-0-objective", "Ajoutez au moins un objectif du projet de santé."
            )
        )
    return problems


def _feasibility(dossier: Dossier) -> list[Problem]:
    if not _requested(dossier, "feasibility_study"):
        return []
    return _required(
        dossier,
        "feasibility",
        [
            ("feasibility_status", "Indiquez où en est l'étude de faisabilité."),
            ("feasibility_cost_ttc", "Indiquez le coût TTC de l'étude de faisabilité."),
            ("feasibility_subsidy_requested", "Indiquez la subvention demandée pour l'étude."),
        ],
    )


def _real_estate(dossier: Dossier) -> list[Problem]:
    if not _requested(dossier, "investment_real_estate"):
        return []
    problems = _required(
        dossier,
        "real_estate",
        [
            ("operation_type", "Choisissez le type d'opération immobilière."),
            ("land_status", "Indiquez la situation du terrain ou du bâtiment."),
            ("surface_m2", "Indiquez la surface en m²."),
        ],
    )
    if all(getattr(dossier, name) is None for name in REAL_ESTATE_COST_FIELDS):
        problems.append(
            Problem(
                "real_estate",
                REAL_ESTATE_COST_FIELDS[0],
                "Renseignez au moins un poste du coût de l'opération (foncier, travaux…).",
            )
        )
    problems += _required(
        dossier,
        "real_estate",
        [
            ("planned_rent_m2_year", "Indiquez le loyer prévu au m² et par an."),
            ("commitment_years", "Indiquez la durée d'engagement en années."),
        ],
    )
    return problems


def _operating(dossier: Dossier) -> list[Problem]:
    if not _requested(dossier, "operating"):
        return []
    years = {line.year_index for line in dossier.operating_lines}
    return [
        Problem(
            "operating",
            "rows-0-year_index",
            f"Ajoutez au moins une ligne au budget de fonctionnement de l'année {year}.",
        )
        for year in OPERATING_YEARS
        if year not in years
    ]


def _financing(dossier: Dossier) -> list[Problem]:
    problems: list[Problem] = []
    costs: dict[str, Decimal] = defaultdict(Decimal)
    resources: dict[str, Decimal] = defaultdict(Decimal)
    for cost in dossier.cost_lines:
        costs[cost.aid_type] += cost.amount or Decimal(0)
    for resource in dossier.resource_lines:
        resources[resource.aid_type] += resource.amount or Decimal(0)
    has_costs = {cost.aid_type for cost in dossier.cost_lines}
    for aid_type in [a for a in AID_TYPES if _requested(dossier, a)]:
        label = AID_TYPES[aid_type].lower()
        if aid_type not in has_costs:
            problems.append(
                Problem(
                    "financing",
                    "costs-0-aid_type",
                    f"Ajoutez au moins une ligne de dépense pour l'aide « {label} ».",
                )
            )
        elif costs[aid_type] != resources[aid_type]:
            problems.append(
                Problem(
                    "financing",
                    "resources-0-amount",
                    f"Le plan de financement de l'aide « {label} » n'est pas équilibré : "
                    f"dépenses {money(costs[aid_type])}, ressources {money(resources[aid_type])}.",
                )
            )
    problems += [
        Problem(
            "financing",
            "resources-0-financer_id",
            f"Indiquez le montant demandé à {financer.name} dans le plan de financement.",
        )
        for financer in dossier.financers
        if not _requests_amount(dossier, financer)
    ]
    return problems


def _requests_amount(dossier: Dossier, financer: Financer) -> bool:
    return any(
        line.kind == "financer" and line.financer_id == financer.id and (line.amount or 0) > 0
        for line in dossier.resource_lines
    )


def _commitments(dossier: Dossier) -> list[Problem]:
    needed = list(ALWAYS_REQUIRED_COMMITMENTS)
    if _requested(dossier, "investment_real_estate"):
        needed += REAL_ESTATE_COMMITMENTS
    if _targets_kind(dossier, *ARS_KINDS):
        needed.append("accept_cpom")
    accepted = set(dossier.accepted_commitments or [])
    problems = [
        Problem(
            "commitments",
            "accepted_commitments",
            f"Acceptez l'engagement : « {COMMITMENTS[code]} ».",
        )
        for code in needed
        if code not in accepted
    ]
    problems += _required(
        dossier,
        "commitments",
        [("commitments_signatory", "Indiquez le nom et la qualité du signataire.")],
    )
    return problems


def _pieces(dossier: Dossier, pieces: Sequence[RequiredPiece] | None) -> list[Problem]:
    financers_by_piece: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    for financer, kinds in missing_by_financer(dossier, pieces).items():
        for kind in kinds:
            labels[kind.code] = kind.label
            financers_by_piece.setdefault(kind.code, []).append(financer.name)
    return [
        Problem(
            "pieces",
            "piece_code",
            f"Pièce obligatoire manquante : {labels[code]} (demandée par {', '.join(names)}).",
        )
        for code, names in financers_by_piece.items()
    ]


CHECKS: tuple[Callable[[Dossier], list[Problem]], ...] = (
    _identity,
    _promoter,
    _territory,
    _professionals,
    _health_project,
    _feasibility,
    _real_estate,
    _operating,
    _financing,
    _commitments,
)
