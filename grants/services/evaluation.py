"""The protocol's evaluation (the 55 M€ envelope is evaluated after two years, DOMAIN §5.1):
structures supported, physicians kept and arrived, turnover, objectives reached, money
committed and paid on the ledger — in total, by département and by zoning category, and per
structure. Computed at a date from the registers, the reports filed and the envelope movements.

Scope: the CPOMs signed (active, ended or terminated) of the financers the user acts for.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from grants.extensions import db
from grants.models import (
    Agreement,
    Dossier,
    Envelope,
    EnvelopeMovement,
    RegisterEntry,
    ReportingPeriod,
    User,
)
from grants.models.choices import AGREEMENT_STATES, PHYSICIAN_PROFESSIONS, ZONING_CATEGORIES
from grants.permissions import financer_ids
from grants.services.ledger import DossierBalance
from grants.services.monitoring import agreement_filter
from grants.services.monitoring_dashboard import (
    NOT_GIVEN,
    departement_label,
    departement_names,
)
from grants.services.zoning import ZONING_PRIORITY, zoning_categories

PARIS = ZoneInfo("Europe/Paris")
SIGNED = ("active", "ended", "terminated")
FILED = ("submitted", "validated")
ZERO = Decimal("0.00")
CENT = Decimal("0.01")


@dataclass
class Figures:
    """Sums over a set of structures; the ratios are computed from the sums."""

    structures: int = 0
    active: int = 0
    heads_at_signature: int = 0
    heads_now: int = 0
    physicians_at_signature: int = 0
    physicians_kept: int = 0
    physicians_arrived: int = 0
    physicians_now: int = 0
    arrivals: int = 0
    departures: int = 0
    objectives_due: int = 0
    objectives_met: int = 0
    committed: Decimal = ZERO
    paid: Decimal = ZERO

    def add(self, other: Figures) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def turnover_percent(self) -> Decimal | None:
        """Departures since signature / average headcount (at signature and now), in percent."""
        average = Decimal(self.heads_at_signature + self.heads_now) / 2
        if average == 0:
            return None
        return (Decimal(self.departures) * 100 / average).quantize(CENT, ROUND_HALF_UP)

    @property
    def objectives_percent(self) -> Decimal | None:
        if not self.objectives_due:
            return None
        share = Decimal(self.objectives_met) * 100 / Decimal(self.objectives_due)
        return share.quantize(CENT, ROUND_HALF_UP)

    @property
    def paid_percent(self) -> Decimal | None:
        if not self.committed:
            return None
        return (self.paid * 100 / self.committed).quantize(CENT, ROUND_HALF_UP)


@dataclass
class Line:
    key: str
    label: str
    figures: Figures = field(default_factory=Figures)


@dataclass
class Structure:
    agreement: Agreement
    departement_label: str
    zoning_label: str
    figures: Figures

    @property
    def state_label(self) -> str:
        return AGREEMENT_STATES[self.agreement.state]


@dataclass
class Evaluation:
    as_of: date
    totals: Figures
    by_departement: list[Line]
    by_zoning: list[Line]
    structures: list[Structure]
    envelopes: list[Envelope]


def evaluate(user: User, as_of: date) -> Evaluation:
    agreements = list(
        db.session.scalars(
            select(Agreement)
            .join(Dossier, Dossier.id == Agreement.dossier_id)
            .where(
                Agreement.kind == "cpom",
                Agreement.state.in_(SIGNED),
                Agreement.starts_on <= as_of,
                agreement_filter(user),
            )
            .options(selectinload(Agreement.dossier).selectinload(Dossier.organisation))
            .order_by(Agreement.reference)
        )
    )
    envelopes = _envelopes(user)
    money = _money([a.dossier_id for a in agreements], [e.id for e in envelopes], as_of)
    registers = _registers([a.id for a in agreements])
    objectives = _objectives([a.id for a in agreements], as_of)
    zonings = zoning_categories([a.dossier_id for a in agreements])
    names = departement_names({a.dossier.departement_code for a in agreements})
    totals = Figures()
    by_departement: dict[str, Line] = {}
    by_zoning: dict[str, Line] = {}
    structures = []
    for agreement in agreements:
        figures = _structure_figures(agreement, registers.get(agreement.id, []), as_of)
        figures.objectives_due, figures.objectives_met = objectives.get(agreement.id, (0, 0))
        balance = money.get(agreement.dossier_id, DossierBalance())
        figures.committed, figures.paid = balance.committed, balance.paid
        code = agreement.dossier.departement_code or ""
        zoning = zonings.get(agreement.dossier_id, "")
        department_label = departement_label(code, names)
        zoning_label = ZONING_CATEGORIES.get(zoning, NOT_GIVEN)
        totals.add(figures)
        by_departement.setdefault(code, Line(code, department_label)).figures.add(figures)
        by_zoning.setdefault(zoning, Line(zoning, zoning_label)).figures.add(figures)
        structures.append(Structure(agreement, department_label, zoning_label, figures))
    rank = {code: i for i, code in enumerate(ZONING_PRIORITY)}
    return Evaluation(
        as_of=as_of,
        totals=totals,
        by_departement=sorted(by_departement.values(), key=lambda line: line.key or "~"),
        by_zoning=sorted(by_zoning.values(), key=lambda line: rank.get(line.key, 99)),
        structures=structures,
        envelopes=envelopes,
    )


def _structure_figures(agreement: Agreement, entries: list[RegisterEntry], as_of: date) -> Figures:
    def present(e: RegisterEntry, day: date) -> bool:
        return e.arrived_on <= day and (e.left_on is None or day < e.left_on)

    start = agreement.starts_on
    initial = [e for e in entries if e.declared_in_period_id is None]
    now = [e for e in entries if present(e, as_of)]
    arrived = [e for e in entries if e.declared_in_period_id is not None and e.arrived_on <= as_of]
    left = [e for e in entries if e.left_on is not None and start <= e.left_on <= as_of]
    physician = PHYSICIAN_PROFESSIONS.__contains__
    return Figures(
        structures=1,
        active=int(agreement.state == "active"),
        heads_at_signature=sum(1 for e in initial if present(e, start)),
        heads_now=len(now),
        physicians_at_signature=sum(1 for e in initial if physician(e.profession)),
        physicians_kept=sum(1 for e in initial if physician(e.profession) and present(e, as_of)),
        physicians_arrived=sum(1 for e in arrived if physician(e.profession)),
        physicians_now=sum(1 for e in now if physician(e.profession)),
        arrivals=len(arrived),
        departures=len(left),
    )


def _envelopes(user: User) -> list[Envelope]:
    ids = financer_ids(user)
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Envelope)
            .where(Envelope.financer_id.in_(ids))
            .order_by(Envelope.opens_on, Envelope.code)
        )
    )


def _money(
    dossier_ids: list[int], envelope_ids: list[int], as_of: date
) -> dict[int, DossierBalance]:
    """Each dossier's balance over the envelopes, replayed from the movements up to ``as_of``."""
    if not dossier_ids or not envelope_ids:
        return {}
    until = datetime.combine(as_of + timedelta(days=1), time(0), tzinfo=PARIS)
    balances: dict[int, DossierBalance] = defaultdict(DossierBalance)
    for dossier_id, kind, amount, released_from in db.session.execute(
        select(
            EnvelopeMovement.dossier_id,
            EnvelopeMovement.kind,
            EnvelopeMovement.amount,
            EnvelopeMovement.released_from,
        )
        .where(
            EnvelopeMovement.dossier_id.in_(dossier_ids),
            EnvelopeMovement.envelope_id.in_(envelope_ids),
            EnvelopeMovement.at < until,
        )
        .order_by(EnvelopeMovement.id)
    ):
        balances[dossier_id].apply(kind, amount, released_from)
    return balances


def _registers(agreement_ids: list[int]) -> dict[int, list[RegisterEntry]]:
    found: dict[int, list[RegisterEntry]] = defaultdict(list)
    if agreement_ids:
        for entry in db.session.scalars(
            select(RegisterEntry).where(RegisterEntry.agreement_id.in_(agreement_ids))
        ):
            found[entry.agreement_id].append(entry)
    return found


def _objectives(agreement_ids: list[int], as_of: date) -> dict[int, tuple[int, int]]:
    """(due, met) of each agreement's latest yearly report filed for a period ended by then."""
    latest: dict[int, tuple[date, int, int]] = {}
    if not agreement_ids:
        return {}
    for agreement_id, ends_on, due, met in db.session.execute(
        select(
            ReportingPeriod.agreement_id,
            ReportingPeriod.ends_on,
            ReportingPeriod.objectives_due,
            ReportingPeriod.objectives_met,
        ).where(
            ReportingPeriod.agreement_id.in_(agreement_ids),
            ReportingPeriod.kind == "annual",
            ReportingPeriod.state.in_(FILED),
            ReportingPeriod.ends_on <= as_of,
        )
    ):
        if due is None or met is None:
            continue
        if agreement_id not in latest or ends_on > latest[agreement_id][0]:
            latest[agreement_id] = (ends_on, due, met)
    return {key: (due, met) for key, (_end, due, met) in latest.items()}
