"""The committee pack (dossier de séance): what it shows of each agenda dossier, loaded for the
whole agenda in a fixed number of queries, and its HTML (cover, table of contents, one summary
page per dossier) ready for ``grants.documents.pdf.html_to_pdf``.

The loader reads through the session it is given (the background job's own session), never the
request's, so the pack can be built in a worker or in-process alike.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask import current_app, render_template
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, load_only, selectinload

from grants.models import (
    CommitteeItem,
    CommitteeItemAmount,
    CommitteeMember,
    CommitteeSession,
    ConfigVersion,
    ConflictOfInterest,
    Departement,
    Dossier,
    DossierZoning,
    FinancerTrack,
    Opinion,
    ProposedAmount,
    ScoreAdjustment,
    ScoreCard,
)
from grants.models.choices import AID_TYPES
from grants.services.scoring import effective_lines

ZERO = Decimal("0")
PACK_TEMPLATE = "documents/committee_pack.html"
DOSSIER_TEMPLATE = "documents/_committee_pack_dossier.html"
PHYSICIANS = frozenset({"medecin_generaliste", "medecin_specialiste"})

# Everything a summary page reads of a dossier, in one query per collection for the whole agenda.
ITEM_OPTIONS = (
    joinedload(CommitteeItem.dossier).options(
        joinedload(Dossier.organisation),
        selectinload(Dossier.financers),
        selectinload(Dossier.communes),  # each row brings its commune (lazy="joined")
        selectinload(Dossier.professionals),
        selectinload(Dossier.cost_lines),
        selectinload(Dossier.resource_lines),  # each line brings its financer (lazy="joined")
        selectinload(Dossier.opinions).options(
            joinedload(Opinion.author), joinedload(Opinion.financer)
        ),
    ),
    selectinload(CommitteeItem.amounts).joinedload(CommitteeItemAmount.financer),
    selectinload(CommitteeItem.conflicts).joinedload(ConflictOfInterest.member),
)


@dataclass
class PlanRow:
    aid_type: str
    requested: Decimal = ZERO
    proposed: Decimal | None = None  # by the financer's instructors
    committee: Decimal | None = None  # recorded by the committee for this item

    @property
    def aid_label(self) -> str:
        return AID_TYPES.get(self.aid_type, self.aid_type)


@dataclass
class FinancerPlan:
    """What the dossier asks one financer for, and what is proposed, per aid type."""

    name: str
    rows: list[PlanRow] = field(default_factory=list)

    def _total(self, name: str) -> Decimal | None:
        values = [getattr(r, name) for r in self.rows if getattr(r, name) is not None]
        return sum(values, ZERO) if values else None

    @property
    def requested(self) -> Decimal:
        return sum((r.requested for r in self.rows), ZERO)

    @property
    def proposed(self) -> Decimal | None:
        return self._total("proposed")

    @property
    def committee(self) -> Decimal | None:
        return self._total("committee")


@dataclass
class FinancingPlan:
    costs: list[tuple[str, Decimal]]  # (aid type label, total cost)
    financers: list[FinancerPlan]
    others: list[tuple[str, str, str, Decimal]]  # (kind, label, aid type, amount): own funds…

    @property
    def total_costs(self) -> Decimal:
        return sum((amount for _label, amount in self.costs), ZERO)

    @property
    def total_requested(self) -> Decimal:
        return sum((f.requested for f in self.financers), ZERO)

    @property
    def total_resources(self) -> Decimal:
        return self.total_requested + sum((amount for *_rest, amount in self.others), ZERO)

    @property
    def total_proposed(self) -> Decimal | None:
        values = [f.proposed for f in self.financers if f.proposed is not None]
        return sum(values, ZERO) if values else None

    @property
    def has_committee_amounts(self) -> bool:
        return any(f.committee is not None for f in self.financers)


@dataclass
class PackEntry:
    """One agenda item with everything its summary page shows."""

    item: CommitteeItem
    dossier: Dossier
    departement: str
    zoning: dict[str, list[DossierZoning]]  # INSEE code → recorded rows (latest version)
    card: ScoreCard | None
    card_lines: list[dict[str, Any]]
    score_total: Decimal | None
    plan: FinancingPlan
    physicians: int
    physician_etp: Decimal
    conflicts: list[ConflictOfInterest]

    @property
    def anchor(self) -> str:
        return f"dossier-{self.item.id}"


@dataclass
class PackData:
    committee: CommitteeSession
    members: list[CommitteeMember]
    entries: list[PackEntry]


# --- loading -----------------------------------------------------------------------------------


def load_pack(session: Session, committee: CommitteeSession) -> PackData:
    """The whole agenda with what each summary needs, in a number of queries independent of the
    number of dossiers."""
    items = list(
        session.scalars(
            select(CommitteeItem)
            .where(CommitteeItem.session_id == committee.id)
            .order_by(CommitteeItem.position, CommitteeItem.id)
            .options(*ITEM_OPTIONS)
        ).unique()
    )
    members = list(
        session.scalars(
            select(CommitteeMember)
            .where(CommitteeMember.session_id == committee.id)
            .order_by(CommitteeMember.id)
        )
    )
    ids = [item.dossier_id for item in items]
    zonings = _zonings(session, ids)
    cards = _current_cards(session, ids)
    proposals = _proposals(session, ids)
    departements = _departements(session, {i.dossier.departement_code for i in items})
    entries = [_entry(item, zonings, cards, proposals, departements) for item in items]
    return PackData(committee=committee, members=members, entries=entries)


def _zonings(session: Session, ids: list[int]) -> dict[int, dict[str, list[DossierZoning]]]:
    """Zoning recorded at submission, of the latest recorded version, per dossier and commune."""
    if not ids:
        return {}
    rows = session.scalars(
        select(DossierZoning)
        .where(DossierZoning.dossier_id.in_(ids))
        .options(joinedload(DossierZoning.scheme), joinedload(DossierZoning.unit))
        .order_by(DossierZoning.id)
    )
    by_dossier: dict[int, list[DossierZoning]] = defaultdict(list)
    for row in rows:
        by_dossier[row.dossier_id].append(row)
    result: dict[int, dict[str, list[DossierZoning]]] = {}
    for dossier_id, found in by_dossier.items():
        latest = max(r.version_number for r in found)
        grouped: dict[str, list[DossierZoning]] = defaultdict(list)
        for r in found:
            if r.version_number == latest:
                grouped[r.insee_code].append(r)
        result[dossier_id] = dict(grouped)
    return result


def _current_cards(session: Session, ids: list[int]) -> dict[int, ScoreCard]:
    if not ids:
        return {}
    cards = session.scalars(
        select(ScoreCard)
        .where(ScoreCard.dossier_id.in_(ids), ScoreCard.current.is_(True))
        .order_by(ScoreCard.id)
        .options(
            load_only(
                ScoreCard.id,
                ScoreCard.dossier_id,
                ScoreCard.grid_id,
                ScoreCard.lines,
                ScoreCard.total,
                ScoreCard.computed_at,
                ScoreCard.current,
            ),
            joinedload(ScoreCard.grid).load_only(ConfigVersion.version),
            selectinload(ScoreCard.adjustments).load_only(
                ScoreAdjustment.score_card_id,
                ScoreAdjustment.criterion,
                ScoreAdjustment.points,
                ScoreAdjustment.justification,
            ),
        )
    )
    return {card.dossier_id: card for card in cards}  # the newest current card wins


def _proposals(session: Session, ids: list[int]) -> dict[int, dict[tuple[int, str], Decimal]]:
    """Amounts proposed by each financer's instructors: dossier → (financer, aid type) → amount."""
    found: dict[int, dict[tuple[int, str], Decimal]] = defaultdict(dict)
    if not ids:
        return found
    rows = session.execute(
        select(
            FinancerTrack.dossier_id,
            FinancerTrack.financer_id,
            ProposedAmount.aid_type,
            ProposedAmount.amount,
        )
        .join(FinancerTrack, FinancerTrack.id == ProposedAmount.track_id)
        .where(FinancerTrack.dossier_id.in_(ids))
    )
    for dossier_id, financer_id, aid_type, amount in rows:
        found[dossier_id][(financer_id, aid_type)] = amount
    return found


def _departements(session: Session, codes: Iterable[str | None]) -> dict[str, str]:
    wanted = [c for c in codes if c]
    if not wanted:
        return {}
    rows = session.execute(
        select(Departement.code, Departement.name).where(Departement.code.in_(wanted))
    )
    return {code: f"{name} ({code})" for code, name in rows}


def _entry(
    item: CommitteeItem,
    zonings: dict[int, dict[str, list[DossierZoning]]],
    cards: dict[int, ScoreCard],
    proposals: dict[int, dict[tuple[int, str], Decimal]],
    departements: dict[str, str],
) -> PackEntry:
    dossier = item.dossier
    card = cards.get(dossier.id)
    lines = effective_lines(card) if card is not None else []
    physicians = [p for p in dossier.professionals if p.profession in PHYSICIANS]
    return PackEntry(
        item=item,
        dossier=dossier,
        departement=departements.get(dossier.departement_code or "", "—"),
        zoning=zonings.get(dossier.id, {}),
        card=card,
        card_lines=lines,
        score_total=sum((line["points"] for line in lines), ZERO) if card is not None else None,
        plan=financing_plan(dossier, item, proposals.get(dossier.id, {})),
        physicians=len(physicians),
        physician_etp=sum((p.etp for p in physicians), ZERO),
        conflicts=list(item.conflicts),
    )


def financing_plan(
    dossier: Dossier, item: CommitteeItem, proposed: dict[tuple[int, str], Decimal]
) -> FinancingPlan:
    """Costs per aid type, then per financer what is requested, proposed by its instructors and,
    once recorded, proposed by the committee; own funds, loans and other resources apart."""
    costs: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for line in dossier.cost_lines:
        costs[line.aid_type] += line.amount
    names = {f.id: f.name for f in dossier.financers}
    order = [f.id for f in dossier.financers]
    rows: dict[tuple[int, str], PlanRow] = {}
    others: list[tuple[str, str, str, Decimal]] = []

    def row(financer_id: int, aid_type: str) -> PlanRow:
        if financer_id not in order:
            order.append(financer_id)
        return rows.setdefault((financer_id, aid_type), PlanRow(aid_type))

    for line in dossier.resource_lines:
        if line.kind == "financer" and line.financer_id is not None:
            if line.financer is not None:
                names.setdefault(line.financer_id, line.financer.name)
            row(line.financer_id, line.aid_type).requested += line.amount
        else:
            others.append((line.kind, line.label, line.aid_type, line.amount))
    for (financer_id, aid_type), amount in proposed.items():
        row(financer_id, aid_type).proposed = amount
    for amount in item.amounts:
        names.setdefault(amount.financer_id, amount.financer.name)
        target = row(amount.financer_id, amount.aid_type)
        target.committee = (target.committee or ZERO) + amount.amount
    aid_order = list(AID_TYPES)
    plans = []
    for financer_id in order:
        own = [r for (fid, _a), r in rows.items() if fid == financer_id]
        own.sort(key=lambda r: aid_order.index(r.aid_type) if r.aid_type in aid_order else 99)
        plans.append(FinancerPlan(names.get(financer_id, "—"), own))
    cost_rows = [(AID_TYPES.get(code, code), costs[code]) for code in aid_order if code in costs]
    return FinancingPlan(costs=cost_rows, financers=plans, others=others)


# --- rendering ---------------------------------------------------------------------------------


def render_entries(
    data: PackData, on_progress: Callable[[int], None] | None = None
) -> list[Markup]:
    """Each dossier's summary page (autoescaped HTML), reporting progress after each one."""
    template = current_app.jinja_env.get_template(DOSSIER_TEMPLATE)
    count = len(data.entries)
    fragments = []
    for index, entry in enumerate(data.entries, start=1):
        fragments.append(
            Markup(
                template.render(entry=entry, committee=data.committee, number=index, count=count)
            )
        )
        if on_progress is not None:
            on_progress(index)
    return fragments


def render_pack_html(data: PackData, fragments: list[Markup], generated_at: datetime) -> str:
    """The whole pack: cover, table of contents (page numbers by CSS target-counter), summaries."""
    return render_template(
        PACK_TEMPLATE,
        committee=data.committee,
        members=data.members,
        entries=data.entries,
        fragments=fragments,
        generated_at=generated_at,
    )


def pack_filename(committee: CommitteeSession) -> str:
    day = committee.meets_at.strftime("%Y-%m-%d") if committee.meets_at else "seance"
    return f"dossier-de-seance-{day}-{committee.id}.pdf"
