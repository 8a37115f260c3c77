"""Concurrent reservations against one envelope, from several OS processes (spawned, each with its
own app and engine on the same committed database): shared by tests/ledger/test_concurrency.py
and bench/ledger.py. Results come back through a multiprocessing queue, one per attempt.
"""

from __future__ import annotations

import multiprocessing
import queue as queue_module
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask import Flask

STRESS_CODE = "STRESS_ENVELOPE"


@dataclass(frozen=True)
class Setup:
    database_url: str
    instance_dir: str
    envelope_id: int
    dossier_ids: tuple[int, ...]
    actor_id: int


@dataclass
class Outcome:
    accepted: list[Decimal] = field(default_factory=list)
    refused: list[tuple[Decimal, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def attempts(self) -> int:
        return len(self.accepted) + len(self.refused) + len(self.errors)


@dataclass(frozen=True)
class Check:
    amount: Decimal
    reserved: Decimal
    committed: Decimal
    movement_sum: Decimal
    movement_count: int
    audit_chain_intact: bool

    @property
    def over_commitment(self) -> Decimal:
        return max(self.reserved + self.committed - self.amount, Decimal("0"))


def make_app(database_url: str, instance_dir: str, full: bool = False) -> Flask:
    """The whole application (``full``, for migrations), or just what the ledger needs: the
    database with the product's engine options and SQLite pragmas (WAL, busy timeout), which
    starts in a fraction of the time (no views, no PDF stack) in each spawned process."""
    from grants import db_setup
    from grants.extensions import db
    from grants.settings import Settings

    settings = Settings(
        instance_dir=Path(instance_dir),
        database_url=database_url,
        secret_key="ledger-stress",
        mail_backend="memory",
        cookie_secure=False,
    ).resolved()
    if full:
        from grants import create_app

        return create_app(settings)
    app = Flask("grants_ledger_stress", instance_path=str(settings.instance_dir))
    app.config.update(
        SQLALCHEMY_DATABASE_URI=settings.database_url,
        SQLALCHEMY_ENGINE_OPTIONS=db_setup.engine_options(settings),
    )
    app.extensions["grants_settings"] = settings
    db.init_app(app)
    db_setup.install_sqlite_pragmas(app)
    return app


def prepare(database_url: str, instance_dir: str, amount: Decimal, dossiers: int = 8) -> Setup:
    """Migrate and seed an empty database; add an envelope, an actor and ``dossiers`` dossiers."""
    from flask_migrate import upgrade

    from grants.extensions import db
    from grants.models import Dossier, Envelope, Financer, Membership, Organisation, User
    from grants.services.reference import load_all

    app = make_app(database_url, instance_dir, full=True)
    with app.app_context():
        upgrade()
        load_all()
        financer = db.session.scalar(db.select(Financer).where(Financer.code == "ARS_IMMO"))
        actor = User(email="stress@exemple.fr", full_name="Charge", password_hash="x" * 20)
        actor.role = "ars_decider"
        organisation = Organisation(
            legal_name="Organisation de test",
            category="collectivite",
            legal_form="commune",
            siret="21770458400010",
            representative_name="Représentant",
            representative_function="Maire",
            contact_name="Contact",
            contact_email="contact@exemple.fr",
            contact_phone="01 00 00 00 00",
        )
        db.session.add_all([actor, organisation])
        db.session.flush()
        db.session.add(Membership(user=actor, organisation=organisation, role="owner"))
        rows = [
            Dossier(organisation=organisation, created_by=actor, title=f"Dossier {n}")
            for n in range(dossiers)
        ]
        envelope = Envelope(
            code=STRESS_CODE,
            name="Enveloppe de charge",
            financer=financer,
            amount=amount,
            opens_on=date(2023, 1, 1),
            closes_on=date(2027, 12, 31),
            reserved=Decimal("0"),
            committed=Decimal("0"),
            paid=Decimal("0"),
        )
        db.session.add_all([*rows, envelope])
        db.session.commit()
        setup = Setup(
            database_url,
            instance_dir,
            envelope.id,
            tuple(row.id for row in rows),
            actor.id,
        )
        db.session.remove()
        db.engine.dispose()
    return setup


def run(
    setup: Setup,
    processes: int,
    attempts: int,
    low: Decimal,
    high: Decimal,
    seed: int = 2026,
    timeout: float = 300.0,
    threads: bool = False,
) -> Outcome:
    """``processes`` spawned workers (or threads of this process, each with its own session)
    share ``attempts`` reservations of random amounts."""
    rng = random.Random(seed)
    amounts = [Decimal(rng.randint(int(low * 100), int(high * 100))) / 100 for _ in range(attempts)]
    shares = [amounts[index::processes] for index in range(processes)]
    if threads:
        app = make_app(setup.database_url, setup.instance_dir)
        results: Any = queue_module.Queue()
        barrier: Any = threading.Barrier(processes)
        workers: list[Any] = [
            threading.Thread(target=_work, args=(app, setup, i, shares[i], barrier, results))
            for i in range(processes)
        ]
    else:
        context = multiprocessing.get_context("spawn")
        results = context.Queue()
        barrier = context.Barrier(processes)
        workers = [
            context.Process(target=_worker, args=(setup, i, shares[i], barrier, results))
            for i in range(processes)
        ]
    for worker in workers:
        worker.start()
    outcome = Outcome()
    starts, ends = [], []
    deadline = time.monotonic() + timeout
    expected = attempts + 2 * processes  # every attempt, plus a start and an end per worker
    for _ in range(expected):
        try:
            kind, value, text = results.get(timeout=max(deadline - time.monotonic(), 0.1))
        except queue_module.Empty:
            outcome.errors.append("timeout: some attempts never reported")
            break
        if kind == "start":
            starts.append(float(value))
        elif kind == "end":
            ends.append(float(value))
        elif kind == "accepted":
            outcome.accepted.append(Decimal(value))
        elif kind == "refused":
            outcome.refused.append((Decimal(value), text))
        else:
            outcome.errors.append(f"{value}: {text}")
    for worker in workers:
        worker.join(timeout=30)
        if getattr(worker, "exitcode", 0) != 0:
            outcome.errors.append(f"worker exit code {worker.exitcode}")
    if starts and ends:
        outcome.seconds = max(ends) - min(starts)
    return outcome


def _worker(setup: Setup, index: int, amounts: list[Decimal], barrier: Any, results: Any) -> None:
    """Entry point of a spawned process: its own app, engine and connections."""
    from grants.extensions import db

    app = make_app(setup.database_url, setup.instance_dir)
    _work(app, setup, index, amounts, barrier, results)
    with app.app_context():
        db.engine.dispose()


def _work(
    app: Flask, setup: Setup, index: int, amounts: list[Decimal], barrier: Any, results: Any
) -> None:
    from grants.extensions import db
    from grants.models import Dossier, Envelope, User
    from grants.services import ledger

    with app.app_context():
        db.session().expire_on_commit = False
        envelope = db.session.get(Envelope, setup.envelope_id)
        actor = db.session.get(User, setup.actor_id)
        dossiers = [db.session.get(Dossier, dossier_id) for dossier_id in setup.dossier_ids]
        db.session.commit()
        barrier.wait(timeout=120)
        results.put(("start", str(time.time()), ""))
        for number, amount in enumerate(amounts):
            dossier = dossiers[(index + number) % len(dossiers)]

            def attempt(dossier: Any = dossier, amount: Decimal = amount) -> object:
                return ledger.reserve(envelope, dossier, amount, actor, f"Charge {index}")

            try:
                ledger.run_with_retry(attempt, attempts=10)
                results.put(("accepted", str(amount), ""))
            except ledger.LedgerRefused as refused:
                results.put(("refused", str(amount), refused.message))
            except Exception as error:  # reported to the parent, which fails the run
                results.put(("error", str(amount), repr(error)))
        results.put(("end", str(time.time()), ""))
        db.session.remove()


def check(setup: Setup) -> Check:
    """Read back the envelope, its reservation movements and its audit chain."""
    from sqlalchemy import func, select

    from grants.extensions import db
    from grants.models import Envelope, EnvelopeMovement
    from grants.services.audit import verify_stream

    app = make_app(setup.database_url, setup.instance_dir)
    with app.app_context():
        envelope = db.session.get(Envelope, setup.envelope_id)
        total, count = db.session.execute(
            select(func.coalesce(func.sum(EnvelopeMovement.amount), 0), func.count()).where(
                EnvelopeMovement.envelope_id == setup.envelope_id,
                EnvelopeMovement.kind == "reserved",
            )
        ).one()
        result = Check(
            amount=envelope.amount,
            reserved=envelope.reserved,
            committed=envelope.committed,
            movement_sum=Decimal(str(total)).quantize(Decimal("0.01")),
            movement_count=count,
            audit_chain_intact=verify_stream(f"envelope:{setup.envelope_id}"),
        )
        db.session.remove()
        db.engine.dispose()
    return result
