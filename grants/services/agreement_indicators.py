"""The indicator catalogue of DOMAIN §5.3 (K1–K13) as agreements use it: label, definition,
unit, direction, frequency and source, the default selection of a CPOM (K1–K5) and of a
convention, and the baselines and yearly targets proposed from the dossier."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from grants.models.choices import NEW_PROFESSIONAL_STATUSES, PHYSICIAN_PROFESSIONS

if TYPE_CHECKING:
    from grants.models import Dossier


@dataclass(frozen=True)
class IndicatorDefinition:
    code: str
    label: str
    definition: str
    unit: str
    direction: str  # "at_least": the value must reach the target; "at_most": stay under it
    frequency: str
    source: str


CATALOGUE: dict[str, IndicatorDefinition] = {
    d.code: d
    for d in (
        IndicatorDefinition(
            "K1",
            "Rotation des professionnels de santé (turn-over)",
            "Départs de l'année rapportés à l'effectif moyen, par profession",
            "%",
            "at_most",
            "annuelle",
            "Registre des professionnels tenu dans l'application",
        ),
        IndicatorDefinition(
            "K2",
            "Nouveaux professionnels de santé",
            "Arrivées de l'année, par profession ; dont médecins ; dont primo-installés",
            "professionnels",
            "at_least",
            "annuelle",
            "Registre des professionnels tenu dans l'application",
        ),
        IndicatorDefinition(
            "K3",
            "Objectifs du projet de santé atteints",
            "Objectifs atteints rapportés aux objectifs dus sur l'année",
            "%",
            "at_least",
            "annuelle",
            "Rapport annuel de la structure",
        ),
        IndicatorDefinition(
            "K4",
            "Activité médicale maintenue",
            "Médecins présents (personnes et ETP) au regard du minimum convenu",
            "médecins",
            "at_least",
            "semestrielle",
            "Registre des professionnels tenu dans l'application",
        ),
        IndicatorDefinition(
            "K5",
            "Loyer modéré respecté",
            "Loyer hors charges pratiqué, en euros par m² et par an, au regard du plafond",
            "€/m²/an",
            "at_most",
            "annuelle",
            "Rapport annuel de la structure (baux)",
        ),
        IndicatorDefinition(
            "K6",
            "Stagiaires accueillis",
            "Étudiants et internes accueillis ; maîtres de stage agréés",
            "stagiaires",
            "at_least",
            "annuelle",
            "Rapport annuel de la structure",
        ),
        IndicatorDefinition(
            "K7",
            "Soins non programmés et permanence des soins",
            "Plages de soins non programmés par semaine ; participation à la PDSA",
            "plages / semaine",
            "at_least",
            "annuelle",
            "Rapport annuel de la structure",
        ),
        IndicatorDefinition(
            "K8",
            "Prévention et éducation thérapeutique",
            "Programmes en cours et patients inclus",
            "patients",
            "at_least",
            "annuelle",
            "Rapport annuel de la structure",
        ),
        IndicatorDefinition(
            "K9",
            "Protocoles de coopération",
            "Protocoles adoptés et professionnels impliqués",
            "protocoles",
            "at_least",
            "annuelle",
            "Rapport annuel de la structure",
        ),
        IndicatorDefinition(
            "K10",
            "Accès aux tarifs opposables",
            "Part des consultations en secteur 1 ou à tarifs maîtrisés",
            "%",
            "at_least",
            "annuelle",
            "Rapport annuel de la structure",
        ),
        IndicatorDefinition(
            "K11",
            "Prévisions et réalisations",
            "Effectifs, activité et budget réels au regard de l'étude de faisabilité",
            "%",
            "at_least",
            "à 1 et 3 ans de l'ouverture",
            "Étude de faisabilité et rapports annuels",
        ),
        IndicatorDefinition(
            "K12",
            "Équilibre économique du centre de santé",
            "Résultat d'exploitation ; actions engagées pour réduire le déficit",
            "€",
            "at_least",
            "à 6 mois, 1 an puis annuelle",
            "Comptes annuels du centre",
        ),
        IndicatorDefinition(
            "K13",
            "Patientèle",
            "Patients vus ; patients ayant déclaré un médecin traitant de la structure",
            "patients",
            "at_least",
            "annuelle",
            "Rapport annuel de la structure",
        ),
    )
}
DEFAULT_CPOM = ("K1", "K2", "K3", "K4", "K5")
DEFAULT_CONVENTION = ("K2", "K4")
ZERO = Decimal("0")


def default_codes(kind: str, dossier: Dossier) -> tuple[str, ...]:
    if kind == "cpom":
        return DEFAULT_CPOM
    if "investment_real_estate" in (dossier.aid_types or ()):
        return (*DEFAULT_CONVENTION, "K5")
    return DEFAULT_CONVENTION


def physicians(dossier: Dossier) -> list:  # type: ignore[type-arg]
    return [p for p in dossier.professionals if p.profession in PHYSICIAN_PROFESSIONS]


def physician_etp(dossier: Dossier) -> Decimal:
    return sum((p.etp for p in physicians(dossier)), ZERO)


def _new_professionals(dossier: Dossier) -> Decimal:
    count = sum(
        1 for p in dossier.professionals if p.status_in_project in NEW_PROFESSIONAL_STATUSES
    )
    return Decimal(count)


def _trainees(dossier: Dossier) -> Decimal | None:
    counts = [dossier.trainees_externes, dossier.trainees_internes, dossier.trainees_paramedical]
    if all(c is None for c in counts):
        return None
    return Decimal(sum(c or 0 for c in counts))


BASELINES: dict[str, Callable[[Dossier], Decimal | None]] = {
    "K2": _new_professionals,
    "K3": lambda d: ZERO,
    "K4": lambda d: Decimal(len(physicians(d))),
    "K5": lambda d: d.planned_rent_m2_year,
    "K6": _trainees,
    "K10": lambda d: d.regulated_fee_share,
}


def baseline(code: str, dossier: Dossier) -> Decimal | None:
    """The value at filing the dossier gives for this indicator (None: not measured yet)."""
    compute = BASELINES.get(code)
    return compute(dossier) if compute is not None else None


def default_target(
    code: str,
    dossier: Dossier,
    *,
    base: Decimal | None,
    min_physicians: int | None,
    rent_ceiling: Decimal | None,
    years: int,
) -> Decimal | None:
    """The yearly target proposed before negotiation (the same every year)."""
    if code == "K1":
        return Decimal("15")
    if code == "K2":
        arrivals = base or ZERO
        return max(Decimal(1), (arrivals / max(years, 1)).to_integral_value())
    if code == "K3":
        return Decimal("75")
    if code == "K4":
        return Decimal(min_physicians) if min_physicians is not None else base
    if code == "K5":
        return rent_ceiling if rent_ceiling is not None else base
    return base
