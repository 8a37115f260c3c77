"""The negotiable parts of an agreement (what instructors edit in forms, and what an amendment
changes): duration, the structure's minimum physicians and rent ceiling, the survival of those
commitments, indicator targets per year, the payment schedule's dates, specific clauses and the
signatories. Validated here (a CPOM lasts at most five years), stored as plain JSON."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from grants.services.agreement_indicators import CATALOGUE

if TYPE_CHECKING:
    from grants.models import Agreement, Amendment

MAX_YEARS = 5
MAX_SURVIVAL_YEARS = 15
MAX_PHYSICIANS = 200
MAX_TEXT = 5000
DURATION_SUBJECT = {"cpom": "d'un CPOM", "convention": "d'une convention de financement"}
ZERO = Decimal("0")


class TermsRefused(Exception):  # noqa: N818 (reads as the other refusals)
    """Invalid terms: ``errors`` pairs a form field (or None) with its French message."""

    status = 422

    def __init__(self, errors: list[tuple[str | None, str]]) -> None:
        super().__init__("; ".join(message for _f, message in errors))
        self.errors = errors
        self.message = "Le projet n'est pas enregistré : corrigez les points signalés."


@dataclass
class IndicatorTerm:
    code: str
    baseline: Decimal | None
    targets: dict[str, Decimal | None]  # calendar year → target


@dataclass
class Terms:
    starts_on: date
    ends_on: date
    min_physicians: int | None = None
    min_physician_etp: Decimal | None = None
    rent_ceiling_m2_year: Decimal | None = None
    commitments_survive_years: int | None = None
    specific_clauses: str = ""
    financer_signatory: str = ""
    promoter_signatory: str = ""
    indicators: list[IndicatorTerm] = field(default_factory=list)
    schedule: list[date | None] = field(default_factory=list)  # per tranche position

    @property
    def years(self) -> list[int]:
        return list(range(self.starts_on.year, self.ends_on.year + 1))

    def to_json(self) -> dict[str, Any]:
        return {
            "starts_on": self.starts_on.isoformat(),
            "ends_on": self.ends_on.isoformat(),
            "min_physicians": self.min_physicians,
            "min_physician_etp": _text(self.min_physician_etp),
            "rent_ceiling_m2_year": _text(self.rent_ceiling_m2_year),
            "commitments_survive_years": self.commitments_survive_years,
            "specific_clauses": self.specific_clauses,
            "financer_signatory": self.financer_signatory,
            "promoter_signatory": self.promoter_signatory,
            "indicators": [
                {
                    "code": i.code,
                    "baseline": _text(i.baseline),
                    "targets": {year: _text(v) for year, v in i.targets.items()},
                }
                for i in self.indicators
            ],
            "schedule": [d.isoformat() if d else None for d in self.schedule],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Terms:
        return cls(
            starts_on=date.fromisoformat(data["starts_on"]),
            ends_on=date.fromisoformat(data["ends_on"]),
            min_physicians=data.get("min_physicians"),
            min_physician_etp=_decimal(data.get("min_physician_etp")),
            rent_ceiling_m2_year=_decimal(data.get("rent_ceiling_m2_year")),
            commitments_survive_years=data.get("commitments_survive_years"),
            specific_clauses=data.get("specific_clauses") or "",
            financer_signatory=data.get("financer_signatory") or "",
            promoter_signatory=data.get("promoter_signatory") or "",
            indicators=[
                IndicatorTerm(
                    code=i["code"],
                    baseline=_decimal(i.get("baseline")),
                    targets={y: _decimal(v) for y, v in (i.get("targets") or {}).items()},
                )
                for i in data.get("indicators") or []
            ],
            schedule=[date.fromisoformat(d) if d else None for d in data.get("schedule") or []],
        )


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


# --- reading the terms in force ----------------------------------------------------------------


def terms_of(obj: Agreement | Amendment) -> Terms:
    """An agreement's terms in force (its columns, indicators and current schedule), or the terms
    an amendment would put in force."""
    from grants.models import Amendment

    if isinstance(obj, Amendment):
        return Terms.from_json(obj.changes["terms"])
    return agreement_terms(obj)


def agreement_terms(agreement: Agreement) -> Terms:
    from grants.services.agreement_schedule import negotiated_dates

    return Terms(
        starts_on=agreement.starts_on,
        ends_on=agreement.ends_on,
        min_physicians=agreement.min_physicians,
        min_physician_etp=agreement.min_physician_etp,
        rent_ceiling_m2_year=agreement.rent_ceiling_m2_year,
        commitments_survive_years=agreement.commitments_survive_years,
        specific_clauses=agreement.specific_clauses or "",
        financer_signatory=agreement.financer_signatory or "",
        promoter_signatory=agreement.promoter_signatory or "",
        indicators=[
            IndicatorTerm(
                code=i.code,
                baseline=i.baseline,
                targets={year: _decimal(v) for year, v in (i.targets or {}).items()},
            )
            for i in agreement.indicators
        ],
        schedule=negotiated_dates(agreement),
    )


def apply_terms(agreement: Agreement, terms: Terms) -> None:
    """Write ``terms`` on the agreement's columns and indicator rows (the schedule's dates live
    in the version's data)."""
    from grants.models import AgreementIndicator

    agreement.starts_on = terms.starts_on
    agreement.ends_on = terms.ends_on
    agreement.min_physicians = terms.min_physicians
    agreement.min_physician_etp = terms.min_physician_etp
    agreement.rent_ceiling_m2_year = terms.rent_ceiling_m2_year
    agreement.commitments_survive_years = terms.commitments_survive_years
    agreement.specific_clauses = terms.specific_clauses
    agreement.financer_signatory = terms.financer_signatory
    agreement.promoter_signatory = terms.promoter_signatory
    existing = {i.code: i for i in agreement.indicators}
    wanted = []
    for position, term in enumerate(terms.indicators):
        definition = CATALOGUE[term.code]
        row = existing.get(term.code) or AgreementIndicator(code=term.code)
        row.position = position
        row.label = definition.label
        row.unit = definition.unit
        row.direction = definition.direction
        row.baseline = term.baseline
        row.targets = {year: _text(v) for year, v in term.targets.items() if v is not None}
        row.source = definition.source
        wanted.append(row)
    agreement.indicators = wanted


# --- validation --------------------------------------------------------------------------------


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def latest_end(starts_on: date) -> date:
    """The last day of a five-year agreement starting on ``starts_on``."""
    return add_years(starts_on, MAX_YEARS) - timedelta(days=1)


def duration_problem(kind: str, starts_on: date, ends_on: date) -> str | None:
    """Why these dates are not a valid duration (DOMAIN §5.1: a CPOM lasts at most five years;
    conventions follow the same horizon here), in French; None when they are."""
    if ends_on <= starts_on:
        return "La date de fin doit être postérieure à la date de début."
    limit = latest_end(starts_on)
    if ends_on > limit:
        return (
            f"La durée {DURATION_SUBJECT.get(kind, 'de la convention')} ne peut pas dépasser "
            f"cinq ans : pour un début le {starts_on:%d/%m/%Y}, la fin est au plus tard le "
            f"{limit:%d/%m/%Y}."
        )
    return None


def validate(kind: str, terms: Terms, tranches: int) -> Terms:
    """Raise TermsRefused with every problem found; return the cleaned terms."""
    errors: list[tuple[str | None, str]] = []
    problem = duration_problem(kind, terms.starts_on, terms.ends_on)
    if problem:
        errors.append(("ends_on", problem))
    if terms.min_physicians is not None and not 0 <= terms.min_physicians <= MAX_PHYSICIANS:
        errors.append(("min_physicians", "Le nombre minimal de médecins est hors limites."))
    if terms.min_physician_etp is not None and not ZERO <= terms.min_physician_etp <= 300:
        errors.append(("min_physician_etp", "Le nombre minimal d'ETP médicaux est hors limites."))
    if terms.rent_ceiling_m2_year is not None and terms.rent_ceiling_m2_year <= 0:
        errors.append(("rent_ceiling_m2_year", "Le plafond de loyer doit être positif."))
    survive = terms.commitments_survive_years
    if survive is not None and not 0 <= survive <= MAX_SURVIVAL_YEARS:
        errors.append(
            ("commitments_survive_years", "La durée de maintien des engagements est hors limites.")
        )
    if len(terms.specific_clauses) > MAX_TEXT:
        errors.append(("specific_clauses", "Les clauses particulières sont trop longues."))
    errors += _indicator_errors(terms)
    errors += _schedule_errors(terms, tranches)
    if errors:
        raise TermsRefused(errors)
    return _keep_years(terms)


def _indicator_errors(terms: Terms) -> list[tuple[str | None, str]]:
    errors: list[tuple[str | None, str]] = []
    codes = [i.code for i in terms.indicators]
    unknown = [c for c in codes if c not in CATALOGUE]
    if unknown:
        errors.append(("indicators", f"Indicateurs inconnus : {', '.join(unknown)}."))
    if len(set(codes)) != len(codes):
        errors.append(("indicators", "Un indicateur figure deux fois."))
    for term in terms.indicators:
        values = [v for v in term.targets.values() if v is not None]
        if any(v < 0 for v in values) or (term.baseline is not None and term.baseline < 0):
            errors.append(("indicators", f"{term.code} : les valeurs ne peuvent être négatives."))
    return errors


def _schedule_errors(terms: Terms, tranches: int) -> list[tuple[str | None, str]]:
    errors: list[tuple[str | None, str]] = []
    dates = [d for d in terms.schedule[:tranches] if d is not None]
    if dates != sorted(dates):
        errors.append(("schedule", "Les versements doivent se suivre dans l'ordre des tranches."))
    last_possible = terms.ends_on + timedelta(days=366)
    if any(d < terms.starts_on or d > last_possible for d in dates):
        errors.append(
            (
                "schedule",
                "Chaque versement est prévu entre le début de la convention et un an après sa fin.",
            )
        )
    return errors


def _keep_years(terms: Terms) -> Terms:
    """Targets only for the calendar years the agreement covers."""
    years = {str(y) for y in terms.years}
    indicators = [
        replace(i, targets={y: v for y, v in i.targets.items() if y in years})
        for i in terms.indicators
    ]
    return replace(terms, indicators=indicators)
