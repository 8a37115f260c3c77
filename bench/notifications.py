"""Notification deliveries per second through the real broker, against Celery no-op tasks (issue 3).

Starts one real Celery worker process (prefork, the production settings: acks_late, prefetch 1)
on Redis (127.0.0.1:6379, a queue of its own) and an SMTP sink on loopback (aiosmtpd). Phase 1
publishes N no-op tasks and times them until the queue is drained; phase 2 publishes one delivery
task per already-committed outbox row and times them until every row is delivered. The rows are
the mix the product writes — every notified person gets an email (rendered, sent over SMTP) and
an in-app notification — half of each. Value = delivery rate / no-op rate; target >= 0.5.

    python bench/notifications.py            # 2,000 tasks per phase
    python bench/notifications.py --small    # 300 tasks per phase (well under a minute)
GRANTS_DATABASE_URL=postgresql+psycopg://127.0.0.1:5432/test selects PostgreSQL (a throwaway
database is created and dropped); otherwise a temporary SQLite file is used.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select  # noqa: E402

from bench._common import build_app, result_line, throwaway_database  # noqa: E402
from tests.worker.support import WorkerProcess, free_port  # noqa: E402

TARGET = 0.5
EVENT_ROWS = 6  # rows one transition writes: ~3 recipients × (email, in-app)
REDIS_URL = os.environ.get("GRANTS_BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")


class CountingHandler:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        self.count += 1
        return "250 OK"


def seed_rows(count: int) -> list[int]:
    """``count`` users, each with one pending email row, committed without dispatching."""
    from grants.extensions import db
    from grants.models import OutboxMessage, User

    tag = uuid.uuid4().hex[:8]
    db.session.execute(
        insert(User),
        [
            {
                "email": f"bench-{tag}-{n}@exemple.fr",
                "full_name": f"Personne {n}",
                "password_hash": "x",
            }
            for n in range(count)
        ],
    )
    users = db.session.scalars(select(User.id).where(User.email.like(f"bench-{tag}-%"))).all()
    context = {"event_label": "Dossier déposé", "dossier_title": "MSP", "link": "http://x/d/1"}
    db.session.execute(
        insert(OutboxMessage),
        [
            {
                # As enqueue writes them: each notified person gets an email and an in-app row.
                "dedupe_key": f"bench:{tag}:{user_id}",
                "event": "bench",
                "recipient_id": user_id,
                "channel": ("email", "inapp")[index % 2],
                "template": "transition",
                "subject": "Dossier déposé — MSP",
                "context": context,
                "status": "pending",
                "attempts": 0,
            }
            for index, user_id in enumerate(users)
        ],
    )
    db.session.commit()
    return list(db.session.scalars(select(OutboxMessage.id).where(OutboxMessage.event == "bench")))


def drained(client, queue: str) -> bool:  # type: ignore[no-untyped-def]
    return client.llen(queue) == 0 and client.hlen("unacked") == 0


def run_noops(celery, client, queue: str, count: int) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    for n in range(count):
        celery.send_task("grants.noop", args=[n])
    while not drained(client, queue):
        time.sleep(0.01)
    return count / (time.perf_counter() - start)


def run_deliveries(celery, ids: list[int]) -> float:  # type: ignore[no-untyped-def]
    """Publish through the product's dispatcher (batches of one transaction's rows), wait."""
    from grants.extensions import db
    from grants.models import OutboxMessage
    from grants.notifications.dispatch import dispatch

    query = select(func.count(OutboxMessage.id)).where(
        OutboxMessage.id.in_(ids), OutboxMessage.status == "delivered"
    )
    start = time.perf_counter()
    # Rows come as the transitions wrote them: ~3 people notified on 2 channels each.
    for first in range(0, len(ids), EVENT_ROWS):
        dispatch(ids[first : first + EVENT_ROWS])
    while True:
        db.session.rollback()
        if db.session.scalar(query) == len(ids):
            break
        time.sleep(0.02)
    return len(ids) / (time.perf_counter() - start)


def main() -> None:
    import redis
    from aiosmtpd.controller import Controller

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", action="store_true", help="quick run")
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()
    count = 300 if args.small else 2000

    client = redis.Redis.from_url(REDIS_URL)
    client.ping()
    queue = f"grants-bench-{uuid.uuid4().hex[:8]}"
    handler = CountingHandler()
    port = free_port()
    smtp = Controller(handler, hostname="127.0.0.1", port=port)
    smtp.start()
    worker = None
    with throwaway_database() as database_url, tempfile.TemporaryDirectory() as folder:
        app = build_app(
            database_url,
            Path(folder),
            broker_url=REDIS_URL,
            celery_queue=queue,
            mail_backend="smtp",
            smtp_port=port,
        )
        try:
            with app.app_context():
                from flask_migrate import upgrade

                from grants.extensions import db

                upgrade()
                ids = seed_rows(count)
                env = {
                    "GRANTS_DATABASE_URL": database_url,
                    "GRANTS_INSTANCE_DIR": folder,
                    "GRANTS_SECRET_KEY": "bench",
                    "GRANTS_BROKER_URL": REDIS_URL,
                    "GRANTS_CELERY_QUEUE": queue,
                    "GRANTS_MAIL_BACKEND": "smtp",
                    "GRANTS_SMTP_PORT": str(port),
                }
                worker = WorkerProcess(env, queue, Path(folder))
                worker.concurrency = args.concurrency
                worker.start()
                celery = app.extensions["celery"]
                run_noops(celery, client, queue, 50)  # warm-up: pool, connections
                noop_rate = run_noops(celery, client, queue, count)
                delivery_rate = run_deliveries(celery, ids)
                emails = (count + 1) // 2  # rows alternate email, in-app
                assert handler.count == emails, (handler.count, emails)
                db.session.remove()
                db.engine.dispose()
        finally:
            if worker is not None:
                worker.stop()
            smtp.stop()
            client.delete(queue)
            client.close()
    backend = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    ratio = delivery_rate / noop_rate
    print(f"backend={backend} tasks={count} concurrency={args.concurrency}")
    print(f"noop tasks/s={noop_rate:.0f} deliveries/s={delivery_rate:.0f}")
    print(result_line("notifications", ratio, TARGET, higher_is_better=True))


if __name__ == "__main__":
    main()
