"""What the secretary records during or after the sitting: attendance, and per agenda item the
declared conflicts of interest, the joint opinion, its reservations or deferral reasons, the
discussion and the amounts proposed per financer and aid type.

Proposed amounts RESERVE money on the financer's open envelope (DOMAIN §4.4: RESERVED is the
committee proposal); financers without an envelope in the product are recorded, not ledgered.
Re-recording an item reserves or releases only the difference per financer. A refusal of the
ledger (``LedgerRefused``) aborts the whole recording: the caller rolls back, nothing is kept.

The first recording of an item fires the workflow's ``record_opinion``; the engine then moves the
dossier on by itself — back to ``under_instruction`` when deferred (T9, with the reasons), to
``decisions_pending`` otherwise (T10).

An UNFAVOURABLE opinion is advisory, like every committee opinion (DOMAIN A13: the committee
issues an avis; each financer decides on its own share, §3.5): the dossier still goes to
``decisions_pending`` and each targeted financer records its own decision (normally a refusal,
which lets the dossier end ``rejected``). No money is reserved for it — amounts are accepted only
with a favourable opinion (with or without reservations); a deferred item proposes none either.

A member who declared a conflict of interest on an item takes no part in it: the minutes list the
item's participants as the members present minus the conflicted ones, and say of each conflicted
member that they did not take part in the examination.

Corrections: an item can be recorded again while its dossier has not moved past what the first
recording decided — a deferred item stays deferred (the dossier goes to a later session for a new
opinion), a non-deferred one cannot become deferred, and nothing changes once a financer decided.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from grants.extensions import db
from grants.models import (
    CommitteeItem,
    CommitteeItemAmount,
    CommitteeSession,
    ConflictOfInterest,
    FinancerDecision,
    User,
)
from grants.models.base import utcnow
from grants.models.choices import AID_TYPES, ATTENDANCE, DECIDED_TRACK_STATES, RECOMMENDATIONS
from grants.services import committee as base
from grants.services import ledger
from grants.services.committee import CommitteeRefused
from grants.services.envelopes import envelope_for
from grants.workflow import engine
from grants.workflow.engine import TransitionError

RESERVING_OPINIONS = frozenset({"favourable", "favourable_with_reservations"})
RECORDING_STATES = ("frozen", "held")
CLOSED_MESSAGE = (
    "Le procès-verbal de cette séance est approuvé : pour corriger un avis, ouvrez d'abord une "
    "correction du procès-verbal (nouvelle version, avec son motif)."
)
ITEM_STALE_MESSAGE = (
    "Ce point de l'ordre du jour a été enregistré entre-temps : rechargez la page pour voir ce "
    "qui a été saisi, puis recommencez."
)
MAX_AMOUNT = Decimal("100000000")


@dataclass
class ItemRecord:
    """What the recording form carries for one item."""

    opinion: str
    reservations: str = ""
    deferral_reasons: str = ""
    discussion: str = ""
    # (financer id, aid type) → amount; zero or missing means nothing proposed.
    amounts: dict[tuple[int, str], Decimal] = field(default_factory=dict)
    # member id → note, for each member who declared a conflict of interest on this item.
    conflicts: dict[int, str] = field(default_factory=dict)


def _recording(session: CommitteeSession, actor: User) -> None:
    base.require_secretary(actor)
    if session.state == "closed":
        raise CommitteeRefused(422, CLOSED_MESSAGE)
    base.require_state(
        session,
        *RECORDING_STATES,
        message="Arrêtez d'abord l'ordre du jour : la séance n'est pas encore convoquée.",
    )


def _hold(session: CommitteeSession, actor: User) -> None:
    """frozen → held: the sitting took place (or is taking place) and is being recorded."""
    if session.state != "frozen":
        return
    base.set_state(session, "held")
    session.held_at = utcnow()
    base.flush()
    base.record(session, "session_held", actor)


def open_recording(session: CommitteeSession, *, actor: User, expected_version: int | None) -> None:
    _recording(session, actor)
    base.check_version(session, expected_version)
    base.require_state(session, "frozen", message="L'enregistrement de la séance est déjà ouvert.")
    _hold(session, actor)


def record_attendance(
    session: CommitteeSession,
    attendance: dict[int, str | None],
    *,
    actor: User,
    expected_version: int | None,
) -> None:
    """Attendance per member (present, excused, absent; None: not yet known)."""
    _recording(session, actor)
    base.check_version(session, expected_version)
    members = {m.id: m for m in session.members}
    if set(attendance) - set(members):
        raise CommitteeRefused(422, "Cette personne n'est pas nommée pour cette séance.")
    if any(value is not None and value not in ATTENDANCE for value in attendance.values()):
        raise CommitteeRefused(422, "Choisissez présent, excusé ou absent.")
    changes = {}
    for member_id, value in attendance.items():
        member = members[member_id]
        if member.attendance != value:
            changes[member.full_name] = {"from": member.attendance, "to": value}
            member.attendance = value
    _hold(session, actor)
    base.touch(session)
    base.record(session, "attendance_recorded", actor, {"changes": changes})


# --- one agenda item ---------------------------------------------------------------------------


def record_item(
    item: CommitteeItem,
    record: ItemRecord,
    *,
    actor: User,
    expected_version: int | None,
) -> CommitteeItem:
    """Record (or correct) the committee's opinion on one item; see the module docstring."""
    session = item.session
    _recording(session, actor)
    if expected_version is not None and expected_version != item.lock_version:
        raise CommitteeRefused(409, ITEM_STALE_MESSAGE)
    first = item.opinion is None
    _validate(item, record)
    if first:
        _check_first(item)
    else:
        _check_correction(item, record)
    previous = _totals(item)
    moved = _reserve_difference(item, previous, _new_totals(record), actor)
    _write(item, record, actor)
    _hold(session, actor)
    base.record(
        session,
        "item_recorded" if first else "item_corrected",
        actor,
        {
            "item": item.id,
            "reference": item.dossier.reference,
            "opinion": item.opinion,
            "reservations": item.reservations,
            "deferral_reasons": item.deferral_reasons,
            "amounts": {f"{a.financer.code}:{a.aid_type}": str(a.amount) for a in item.amounts},
            "conflicts": [c.member.full_name for c in item.conflicts],
            "ledger": moved,
        },
        dossier_id=item.dossier_id,
    )
    if first:
        try:
            engine.fire(item.dossier, "record_opinion", actor)
        except TransitionError as refused:
            raise CommitteeRefused(refused.status, refused.message, refused.reasons) from refused
    return item


def _validate(item: CommitteeItem, record: ItemRecord) -> None:
    if record.opinion not in RECOMMENDATIONS:
        raise CommitteeRefused(422, "Choisissez l'avis du comité.")
    if record.opinion == "favourable_with_reservations" and not record.reservations.strip():
        raise CommitteeRefused(422, "Indiquez les réserves dont l'avis favorable est assorti.")
    if record.opinion == "deferred" and not record.deferral_reasons.strip():
        raise CommitteeRefused(422, "Indiquez les motifs de l'ajournement.")
    targeted = {f.id for f in item.dossier.financers}
    for (financer_id, aid_type), amount in record.amounts.items():
        if financer_id not in targeted:
            raise CommitteeRefused(422, "Ce financeur n'est pas sollicité par le dossier.")
        if aid_type not in AID_TYPES:
            raise CommitteeRefused(422, "Choisissez un type d'aide.")
        if amount < 0 or amount > MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
            raise CommitteeRefused(
                422, "Les montants sont positifs, en euros, avec au plus deux décimales."
            )
    if record.opinion not in RESERVING_OPINIONS and any(record.amounts.values()):
        raise CommitteeRefused(
            422,
            "Un avis défavorable ou un ajournement ne propose aucun montant : "
            "videz les montants ou choisissez un avis favorable.",
        )
    members = {m.id for m in item.session.members}
    if set(record.conflicts) - members:
        raise CommitteeRefused(422, "Cette personne n'est pas nommée pour cette séance.")


def _check_first(item: CommitteeItem) -> None:
    if item.dossier.state != "ready_for_committee":
        raise CommitteeRefused(
            422,
            "Ce dossier n'est plus inscrit à l'ordre du jour "
            f"(état actuel : « {item.dossier.state_label} ») : son avis ne peut pas être "
            "enregistré.",
        )


def _check_correction(item: CommitteeItem, record: ItemRecord) -> None:
    dossier = item.dossier
    latest = max((i.id for i in dossier.committee_items), default=item.id)
    if latest != item.id:
        raise CommitteeRefused(
            422,
            "Ce dossier a depuis été inscrit à une autre séance : son avis ne se corrige plus ici.",
        )
    if item.opinion == "deferred" and record.opinion != "deferred":
        raise CommitteeRefused(
            422,
            "Ce dossier ajourné est retourné en instruction : inscrivez-le à une prochaine séance "
            "pour un nouvel avis. Ici, seuls les motifs de l'ajournement se corrigent.",
        )
    if item.opinion != "deferred":
        if record.opinion == "deferred":
            raise CommitteeRefused(
                422,
                "Les financeurs ont été saisis de cet avis : il ne peut plus devenir un "
                "ajournement.",
            )
        decided = any(t.state in DECIDED_TRACK_STATES for t in dossier.tracks)
        has_decision = db.session.scalar(
            select(FinancerDecision.id).where(FinancerDecision.dossier_id == dossier.id).limit(1)
        )
        if dossier.state != "decisions_pending" or decided or has_decision is not None:
            raise CommitteeRefused(
                422,
                "Un financeur a déjà rendu sa décision sur ce dossier : l'avis du comité ne se "
                "corrige plus.",
            )


# --- money -------------------------------------------------------------------------------------


def _totals(item: CommitteeItem) -> dict[int, Decimal]:
    """What the item currently holds per financer (its amounts reserve only when favourable)."""
    totals: dict[int, Decimal] = defaultdict(Decimal)
    if item.opinion in RESERVING_OPINIONS:
        for amount in item.amounts:
            totals[amount.financer_id] += amount.amount
    return dict(totals)


def _new_totals(record: ItemRecord) -> dict[int, Decimal]:
    totals: dict[int, Decimal] = defaultdict(Decimal)
    if record.opinion in RESERVING_OPINIONS:
        for (financer_id, _aid_type), amount in record.amounts.items():
            totals[financer_id] += amount
    return dict(totals)


def _reserve_difference(
    item: CommitteeItem,
    before: dict[int, Decimal],
    after: dict[int, Decimal],
    actor: User,
) -> list[dict[str, str]]:
    """Release what decreased, then reserve what increased, per financer envelope (envelopes in
    id order, releases first, so that a lowered amount frees room before another one grows)."""
    financers = {f.id: f for f in item.dossier.financers}
    changes = []
    for financer_id in set(before) | set(after):
        difference = after.get(financer_id, Decimal(0)) - before.get(financer_id, Decimal(0))
        if difference == 0:
            continue
        envelope = envelope_for(financer_id)
        if envelope is not None:
            changes.append((difference > 0, envelope.id, envelope, financer_id, difference))
    changes.sort(key=lambda change: change[:2])
    day = base.in_paris(item.session.meets_at)
    reason = f"Comité « {item.session.title} » du {day:%d/%m/%Y}, point n° {item.position}"
    moved = []
    for _grows, _id, envelope, financer_id, difference in changes:
        financer = financers.get(financer_id)
        name = financer.name if financer is not None else str(financer_id)
        try:
            if difference > 0:
                ledger.reserve(envelope, item.dossier, difference, actor, reason)
            else:
                ledger.release(envelope, item.dossier, -difference, actor, reason)
        except ledger.LedgerRefused as refused:
            raise CommitteeRefused(422, f"{name} : {refused.message}") from refused
        moved.append({"envelope": envelope.code, "change": str(difference)})
    return moved


# --- writing -----------------------------------------------------------------------------------


def _write(item: CommitteeItem, record: ItemRecord, actor: User) -> None:
    item.opinion = record.opinion
    item.reservations = (
        record.reservations.strip() if record.opinion == "favourable_with_reservations" else ""
    )
    item.deferral_reasons = record.deferral_reasons.strip() if record.opinion == "deferred" else ""
    item.discussion = record.discussion.strip()
    item.recorded_at = utcnow()
    item.recorded_by_id = actor.id
    wanted = {key: value for key, value in record.amounts.items() if value > 0}
    if record.opinion not in RESERVING_OPINIONS:
        wanted = {}
    for row in list(item.amounts):
        key = (row.financer_id, row.aid_type)
        if key in wanted:
            row.amount = wanted.pop(key)
        else:
            item.amounts.remove(row)
    for (financer_id, aid_type), amount in sorted(wanted.items()):
        item.amounts.append(
            CommitteeItemAmount(financer_id=financer_id, aid_type=aid_type, amount=amount)
        )
    notes = dict(record.conflicts)
    for conflict in list(item.conflicts):
        if conflict.member_id in notes:
            conflict.note = notes.pop(conflict.member_id).strip()
        else:
            item.conflicts.remove(conflict)
    for member_id, note in sorted(notes.items()):
        item.conflicts.append(ConflictOfInterest(member_id=member_id, note=note.strip()))
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise CommitteeRefused(409, ITEM_STALE_MESSAGE) from exc
    db.session.expire(item, ["amounts", "conflicts"])
    db.session.expire(item.dossier, ["committee_items"])
