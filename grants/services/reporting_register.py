"""The register of professionals (membership history): arrivals and departures declared in a
report, never deleted, and the figures computed from it — headcount, physicians present,
arrivals (K2) and turnover (K1: departures during the period / average headcount).

A professional is present on day ``d`` when ``arrived_on <= d`` and they have not left
(``left_on`` is the first day they no longer practise there: ``d < left_on``). Entries seeded at
signature are the starting team, not arrivals.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from grants.extensions import db
from grants.models import Agreement, RegisterEntry, ReportingPeriod, User
from grants.models.choices import PHYSICIAN_PROFESSIONS, PROFESSIONS
from grants.services import audit
from grants.templating import french_date

HUNDRED = Decimal("100")
CENT = Decimal("0.01")


class RegisterRefused(Exception):  # noqa: N818 (a refusal, shown to the promoter)
    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Member:
    """What the figures need of a register entry (plain data)."""

    profession: str
    etp: Decimal
    arrived_on: date
    left_on: date | None
    at_signature: bool
    newly_installed: bool = False

    @property
    def physician(self) -> bool:
        return self.profession in PHYSICIAN_PROFESSIONS

    def present_on(self, day: date) -> bool:
        return self.arrived_on <= day and (self.left_on is None or day < self.left_on)


@dataclass(frozen=True)
class PeriodFigures:
    heads_start: int
    heads_end: int
    physicians_end: int
    physician_etp_end: Decimal
    departures: int
    physician_departures: int
    arrivals: int
    physician_arrivals: int
    newly_installed_arrivals: int

    @property
    def average_headcount(self) -> Decimal:
        return (Decimal(self.heads_start) + Decimal(self.heads_end)) / 2

    @property
    def turnover_percent(self) -> Decimal | None:
        """Departures / average headcount, in percent (None when nobody was there)."""
        average = self.average_headcount
        if average == 0:
            return None if self.departures else Decimal("0.00")
        return (Decimal(self.departures) * HUNDRED / average).quantize(CENT, ROUND_HALF_UP)


def figures(members: Iterable[Member], starts_on: date, ends_on: date) -> PeriodFigures:
    """The register's figures over [starts_on, ends_on] (both days included)."""
    rows = list(members)
    at_end = [m for m in rows if m.present_on(ends_on)]
    left = [m for m in rows if m.left_on is not None and starts_on <= m.left_on <= ends_on]
    arrived = [m for m in rows if not m.at_signature and starts_on <= m.arrived_on <= ends_on]
    return PeriodFigures(
        heads_start=sum(1 for m in rows if m.present_on(starts_on)),
        heads_end=len(at_end),
        physicians_end=sum(1 for m in at_end if m.physician),
        physician_etp_end=sum((m.etp for m in at_end if m.physician), Decimal("0")),
        departures=len(left),
        physician_departures=sum(1 for m in left if m.physician),
        arrivals=len(arrived),
        physician_arrivals=sum(1 for m in arrived if m.physician),
        newly_installed_arrivals=sum(1 for m in arrived if m.newly_installed),
    )


def entries_of(agreement_id: int) -> list[RegisterEntry]:
    return list(
        db.session.scalars(
            select(RegisterEntry)
            .where(RegisterEntry.agreement_id == agreement_id)
            .order_by(RegisterEntry.arrived_on, RegisterEntry.last_name, RegisterEntry.id)
        )
    )


def members(entries: Iterable[RegisterEntry]) -> list[Member]:
    return [
        Member(
            profession=e.profession,
            etp=Decimal(e.etp),
            arrived_on=e.arrived_on,
            left_on=e.left_on,
            at_signature=e.declared_in_period_id is None,
            newly_installed=e.newly_installed,
        )
        for e in entries
    ]


def period_figures(period: ReportingPeriod) -> PeriodFigures:
    return figures(members(entries_of(period.agreement_id)), period.starts_on, period.ends_on)


# --- Changes declared in a report --------------------------------------------------------------


def add_arrival(
    period: ReportingPeriod,
    *,
    actor: User,
    last_name: str,
    first_name: str,
    profession: str,
    etp: Decimal,
    arrived_on: date,
    newly_installed: bool,
    today: date,
) -> RegisterEntry:
    """A professional who joined the structure, declared in ``period``'s report."""
    agreement: Agreement = period.agreement
    if profession not in PROFESSIONS:
        raise RegisterRefused("Choisissez la profession dans la liste.", "profession")
    if not (Decimal("0") < etp <= Decimal("1.5")):
        raise RegisterRefused("L'ETP doit être compris entre 0,01 et 1,5.", "etp")
    if arrived_on > today:
        raise RegisterRefused(
            "La date d'arrivée ne peut pas être dans le futur : déclarez l'arrivée une fois "
            "effective.",
            "arrived_on",
        )
    if arrived_on < agreement.starts_on:
        raise RegisterRefused(
            "Les professionnels arrivés avant le début du contrat "
            f"({french_date(agreement.starts_on)}) figurent déjà au registre de signature.",
            "arrived_on",
        )
    entry = RegisterEntry(
        agreement_id=agreement.id,
        last_name=last_name.strip(),
        first_name=first_name.strip(),
        profession=profession,
        etp=etp,
        arrived_on=arrived_on,
        newly_installed=newly_installed,
        declared_in_period_id=period.id,
    )
    db.session.add(entry)
    db.session.flush()
    _audit(period, actor, "register.arrival_declared", entry)
    return entry


def record_departure(
    period: ReportingPeriod, entry: RegisterEntry, *, actor: User, left_on: date, today: date
) -> RegisterEntry:
    """The professional left on ``left_on``: the entry stays, with its departure date."""
    if entry.agreement_id != period.agreement_id:
        raise RegisterRefused("Ce professionnel n'est pas au registre de ce contrat.")
    if entry.left_on is not None:
        raise RegisterRefused(
            f"Le départ de {entry.first_name} {entry.last_name} est déjà enregistré "
            f"(le {french_date(entry.left_on)}).",
            "left_on",
        )
    if left_on < entry.arrived_on:
        raise RegisterRefused(
            f"La date de départ précède l'arrivée ({french_date(entry.arrived_on)}).", "left_on"
        )
    if left_on > today:
        raise RegisterRefused(
            "La date de départ ne peut pas être dans le futur : déclarez le départ une fois "
            "effectif.",
            "left_on",
        )
    entry.left_on = left_on
    entry.left_in_period_id = period.id
    db.session.flush()
    _audit(period, actor, "register.departure_declared", entry)
    return entry


def _audit(period: ReportingPeriod, actor: User, action: str, entry: RegisterEntry) -> None:
    agreement = period.agreement
    audit.record(
        action,
        actor=actor,
        dossier_id=agreement.dossier_id,
        data={
            "agreement_id": agreement.id,
            "period": period.label,
            "entry_id": entry.id,
            "profession": entry.profession,
            "etp": entry.etp,
            "arrived_on": entry.arrived_on,
            "left_on": entry.left_on,
        },
    )
