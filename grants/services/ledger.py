"""The envelope ledger: reserve, commit, release, pay and recover money, never over-committing.

Each operation writes one append-only ``EnvelopeMovement``, an audit event, and moves the running
totals of the envelope with ONE guarded UPDATE whose WHERE clause carries the invariant
(``reserved + committed + :x <= amount``…); a rowcount of 0 means refused. Operations that depend
on what a dossier holds on the envelope first lock the envelope row (``SELECT … FOR UPDATE`` on
PostgreSQL; on SQLite a no-op UPDATE, which takes the single-writer lock before anything is read),
so the per-dossier check and the audit chain see every committed movement.

Per-dossier rules: a commitment first consumes the dossier's reservation on the envelope (any
excess is a direct commitment, only when the caller allows it); a release never exceeds what the
dossier has reserved (or committed and not yet paid); a payment never exceeds what the dossier
has committed and not been paid; a recovery (money paid back) lowers both paid and committed.
Services flush, never commit; callers owning the transaction may use ``run_with_retry``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal, TypeVar

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.exc import DBAPIError

from grants.extensions import db
from grants.models import Dossier, Envelope, EnvelopeMovement, User
from grants.models.base import Money, utcnow
from grants.services import audit
from grants.templating import money

CENT = Decimal("0.01")
TOTALS = ("reserved", "committed", "paid")
ZERO = Decimal("0.00")
T = TypeVar("T")


class LedgerRefused(Exception):  # noqa: N818 (the name the callers know)
    """The movement would break an invariant; ``message`` says why, in French."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class DossierBalance:
    """What one dossier holds on one envelope, replayed from its movements."""

    reserved: Decimal = ZERO
    committed: Decimal = ZERO
    paid: Decimal = ZERO

    def apply(self, kind: str, amount: Decimal, released_from: str | None = None) -> None:
        if kind == "reserved":
            self.reserved += amount
        elif kind == "committed":
            self.reserved -= min(self.reserved, amount)
            self.committed += amount
        elif kind == "released" and released_from == "reserved":
            self.reserved -= amount
        elif kind == "released":
            self.committed -= amount
        elif kind == "paid":
            self.paid += amount
        elif kind == "recovered":
            self.paid -= amount
            self.committed -= amount


# --- Operations ----------------------------------------------------------------


def reserve(
    envelope: Envelope, dossier: Dossier, amount: Decimal, actor: User | None, reason: str
) -> EnvelopeMovement:
    """Set money aside for a dossier (committee proposal): refused beyond what remains."""
    x = _amount(amount)
    if not _guarded_update(envelope, x, reserved="reserved + :x"):
        raise LedgerRefused(_remaining_message(envelope, x, "demandés"))
    return _record(envelope, dossier, "reserved", x, actor, reason)


def commit(
    envelope: Envelope,
    dossier: Dossier,
    amount: Decimal,
    actor: User | None,
    reason: str,
    *,
    allow_direct: bool = False,
) -> EnvelopeMovement:
    """Turn the dossier's reservation into a commitment (decision); beyond the reservation, the
    excess is committed directly only when ``allow_direct`` (a decision without a reservation)."""
    x = _amount(amount)
    _lock(envelope)
    held = dossier_balance(envelope, dossier)
    consumed = min(held.reserved, x)
    direct = x - consumed
    if direct and not allow_direct:
        raise LedgerRefused(
            f"Le dossier n'a que {money(held.reserved)} réservés sur l'enveloppe, "
            f"{money(x)} à engager : un engagement direct n'est pas autorisé ici."
        )
    updated = _guarded_update(
        envelope, x, consumed, reserved="reserved - :c", committed="committed + :x"
    )
    if not updated:
        raise LedgerRefused(
            _remaining_message(envelope, direct, "à engager au-delà de la réservation")
        )
    return _record(envelope, dossier, "committed", x, actor, reason)


def release(
    envelope: Envelope,
    dossier: Dossier,
    amount: Decimal,
    actor: User | None,
    reason: str,
    *,
    source: Literal["reserved", "committed"] = "reserved",
) -> EnvelopeMovement:
    """Give money back to the envelope (refusal, withdrawal, underspend)."""
    if source not in ("reserved", "committed"):
        raise ValueError(f"unknown release source {source!r}")
    x = _amount(amount)
    _lock(envelope)
    held = dossier_balance(envelope, dossier)
    if source == "reserved":
        available, what = held.reserved, "réservés"
    else:
        available, what = held.committed - held.paid, "engagés et non payés"
    if x > available:
        raise LedgerRefused(
            f"Le dossier n'a que {money(available)} {what} sur l'enveloppe, {money(x)} à libérer."
        )
    if not _guarded_update(envelope, x, **{source: f"{source} - :x"}):
        raise LedgerRefused("L'enveloppe ne porte pas ce montant : libération impossible.")
    return _record(envelope, dossier, "released", x, actor, reason, released_from=source)


def pay(
    envelope: Envelope, dossier: Dossier, amount: Decimal, actor: User | None, reason: str
) -> EnvelopeMovement:
    """Record a payment: never more than the dossier has committed and not yet been paid."""
    x = _amount(amount)
    _lock(envelope)
    held = dossier_balance(envelope, dossier)
    unpaid = held.committed - held.paid
    if x > unpaid:
        raise LedgerRefused(
            f"Il reste {money(unpaid)} engagés non payés pour ce dossier sur l'enveloppe, "
            f"{money(x)} demandés."
        )
    if not _guarded_update(envelope, x, paid="paid + :x"):
        raise LedgerRefused("Le paiement dépasserait les engagements de l'enveloppe.")
    return _record(envelope, dossier, "paid", x, actor, reason)


def recover(
    envelope: Envelope, dossier: Dossier, amount: Decimal, actor: User | None, reason: str
) -> EnvelopeMovement:
    """Money paid back by the promoter (titre de recette): the aid is lowered by as much."""
    x = _amount(amount)
    _lock(envelope)
    held = dossier_balance(envelope, dossier)
    if x > held.paid:
        raise LedgerRefused(
            f"Le dossier n'a reçu que {money(held.paid)} sur l'enveloppe, {money(x)} à recouvrer."
        )
    if not _guarded_update(envelope, x, paid="paid - :x", committed="committed - :x"):
        raise LedgerRefused("L'enveloppe ne porte pas ce paiement : recouvrement impossible.")
    return _record(envelope, dossier, "recovered", x, actor, reason)


def release_all_for_dossier(
    dossier: Dossier, actor: User | None, reason: str
) -> list[EnvelopeMovement]:
    """Release everything a dossier holds and has not been paid, on every envelope (refusal,
    withdrawal). Envelopes are locked in id order, so two such calls never deadlock."""
    movements: list[EnvelopeMovement] = []
    for envelope in _envelopes_of(dossier):
        _lock(envelope)
        held = dossier_balance(envelope, dossier)
        if held.reserved > 0:
            movements.append(release(envelope, dossier, held.reserved, actor, reason))
        unpaid = held.committed - held.paid
        if unpaid > 0:
            movements.append(release(envelope, dossier, unpaid, actor, reason, source="committed"))
    return movements


# --- Reading ----------------------------------------------------------------


def dossier_balance(envelope: Envelope, dossier: Dossier) -> DossierBalance:
    """Replay the dossier's movements on the envelope (a handful of rows) in their order."""
    balance = DossierBalance()
    rows = db.session.execute(
        select(EnvelopeMovement.kind, EnvelopeMovement.amount, EnvelopeMovement.released_from)
        .where(
            EnvelopeMovement.envelope_id == envelope.id,
            EnvelopeMovement.dossier_id == dossier.id,
        )
        .order_by(EnvelopeMovement.id)
    )
    for kind, amount, released_from in rows:
        balance.apply(kind, amount, released_from)
    return balance


def _envelopes_of(dossier: Dossier) -> list[Envelope]:
    ids = select(EnvelopeMovement.envelope_id).where(EnvelopeMovement.dossier_id == dossier.id)
    return list(
        db.session.scalars(select(Envelope).where(Envelope.id.in_(ids)).order_by(Envelope.id))
    )


# --- Plumbing ----------------------------------------------------------------


def _amount(value: Decimal | int | str) -> Decimal:
    try:
        amount = Decimal(value).quantize(CENT)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise LedgerRefused("Le montant n'est pas un nombre valide.") from exc
    if not amount.is_finite() or amount <= 0:
        raise LedgerRefused("Le montant doit être strictement positif.")
    return amount


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _lock(envelope: Envelope) -> None:
    """Hold the envelope row until the end of the transaction (a no-op when already held)."""
    if _dialect() == "postgresql":
        db.session.execute(
            text("SELECT id FROM envelopes WHERE id = :id FOR UPDATE"), {"id": envelope.id}
        )
    else:
        # SQLite: a write takes the database's write lock; reads after it see the latest data.
        db.session.execute(
            text("UPDATE envelopes SET amount = amount WHERE id = :id"), {"id": envelope.id}
        )


def _guarded_update(envelope: Envelope, x: Decimal, c: Decimal = ZERO, **new: str) -> bool:
    """One atomic UPDATE of the running totals, applied only if the envelope's CHECK invariants
    hold on the new values (the WHERE clause evaluates them exactly as the CHECKs will, so a
    refusal is a rowcount of 0, never a constraint error). ``new`` maps a total to its new value
    as SQL over the current row, e.g. ``reserved="reserved + :x"``."""
    values = {name: f"ROUND({new[name]}, 2)" if name in new else name for name in TOTALS}
    r, co, p = values["reserved"], values["committed"], values["paid"]
    assignments = ", ".join(f"{name} = {values[name]}" for name in new)
    guard = f"{r} >= 0 AND {co} >= 0 AND {p} >= 0 AND {r} + {co} <= amount AND {p} <= {co}"
    sql = f"UPDATE envelopes SET {assignments} WHERE id = :id AND {guard}"
    params = {"id": envelope.id, "x": x, "c": c}
    binds = [bindparam(name, type_=Money) for name in ("x", "c") if f":{name}" in sql]
    result = db.session.execute(text(sql).bindparams(*binds), params)
    db.session.expire(envelope, list(TOTALS))
    return result.rowcount == 1  # type: ignore[attr-defined]


def _remaining_message(envelope: Envelope, asked: Decimal, verb: str) -> str:
    # Read after the refused UPDATE: on SQLite it holds the write lock; on PostgreSQL this
    # statement sees the latest committed totals.
    amount, reserved, committed = db.session.execute(
        select(Envelope.amount, Envelope.reserved, Envelope.committed).where(
            Envelope.id == envelope.id
        )
    ).one()
    remaining = max(amount - reserved - committed, ZERO)
    return f"Il reste {money(remaining)} sur l'enveloppe, {money(asked)} {verb}."


def _record(
    envelope: Envelope,
    dossier: Dossier,
    kind: str,
    amount: Decimal,
    actor: User | None,
    reason: str,
    *,
    released_from: str | None = None,
) -> EnvelopeMovement:
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("a ledger movement needs a reason")
    sequence = db.session.scalar(
        select(func.coalesce(func.max(EnvelopeMovement.sequence), 0)).where(
            EnvelopeMovement.envelope_id == envelope.id
        )
    )
    movement = EnvelopeMovement(
        envelope_id=envelope.id,
        dossier_id=dossier.id,
        kind=kind,
        released_from=released_from,
        amount=amount,
        actor_id=actor.id if actor is not None else None,
        reason=reason,
        at=utcnow(),
        sequence=(sequence or 0) + 1,
    )
    db.session.add(movement)
    audit.record(
        f"envelope.{kind}",
        stream=f"envelope:{envelope.id}",
        actor=actor,
        dossier_id=dossier.id,
        data={
            "envelope": envelope.code,
            "amount": str(amount),
            "released_from": released_from,
            "reason": reason,
        },
    )
    db.session.flush()
    return movement


# --- Retrying a whole transaction ---------------------------------------------------------------

RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})  # serialization failure, deadlock


def is_retryable(error: DBAPIError) -> bool:
    """PostgreSQL serialization failures and deadlocks; SQLite's busy database."""
    code = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    return code in RETRYABLE_SQLSTATES or "database is locked" in str(error.orig)


def begin_write() -> None:
    """Start the write transaction before anything is read, as ``BEGIN IMMEDIATE`` would.

    SQLite: end the current (read-only) transaction, then take the database's write lock with a
    write that matches no row, so every later read sees the latest data and no concurrent writer
    can slip in (``database is locked`` would otherwise strike a transaction that read first).
    PostgreSQL: nothing to do, the ledger's row locks and guarded UPDATEs suffice. Call it with
    no pending change: on SQLite it commits what the session holds.
    """
    if _dialect() == "sqlite":
        db.session.commit()
        db.session.execute(text("UPDATE envelopes SET id = id WHERE 0 = 1"))


def run_with_retry(work: Callable[[], T], attempts: int = 5, base_delay: float = 0.02) -> T:
    """Start a write transaction, run ``work`` and commit; on a retryable conflict roll back and
    start again, with a bounded jittered backoff. ``LedgerRefused`` is not retried: it is rolled
    back and re-raised for the caller to report."""
    for attempt in range(1, attempts + 1):
        try:
            begin_write()
            result = work()
            db.session.commit()
            return result
        except LedgerRefused:
            db.session.rollback()
            raise
        except DBAPIError as error:
            db.session.rollback()
            if attempt == attempts or not is_retryable(error):
                raise
            time.sleep(min(base_delay * 2**attempt, 0.5) * random.uniform(0.5, 1.0))
    raise AssertionError("unreachable")
