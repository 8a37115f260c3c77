"""Two "pay" clicks at once pay once: two threads post the payment of the same approved request
over HTTP, each with its own session and connection on a committed database. The request row
is locked before its state is read again, so the second click sees it paid (409).

PostgreSQL run (``postgres_only``: it fails, never skips, when PostgreSQL is unreachable); the
same on a SQLite file (WAL, the write lock taken before anything is read)."""

from __future__ import annotations

import threading
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from grants import create_app
from grants.devtools import throwaway_database
from grants.extensions import db
from grants.models import EnvelopeMovement, PaymentRequest
from grants.services import payments
from grants.services.decisions import envelope_of
from grants.services.ledger import dossier_balance
from tests import conftest, factories
from tests.conftest import CSRFClient, login
from tests.payments import support


def _prepare(app: Flask) -> tuple[int, str]:
    """An approved advance request, committed: (request id, the decider's email)."""
    from flask_migrate import upgrade

    from grants.services.reference import load_all

    with app.app_context():
        upgrade()
        load_all()
        promoter = factories.UserFactory()
        factories.MembershipFactory(user=promoter, role="owner")
        db.session.flush()
        agreement = support.make_agreement(promoter)
        team = support.staff(agreement)
        advance = payments.create_tranches(agreement, None)[0]
        request = payments.request_payment(
            advance,
            promoter,
            actual_eligible_cost=None,
            files=support.uploads_for(["rib", "start_order"]),
            storage=app.extensions["grants_storage"],
            max_bytes=10**6,
        )
        payments.check_request(request, team["instructor"])
        payments.approve_request(request, team["decider"])
        db.session.commit()
        ids = request.id, team["decider"].email
        db.session.remove()
    return ids


def _two_clicks(database_url: str, instance_dir: Path) -> None:
    app = create_app(conftest.make_settings(database_url, instance_dir))
    app.test_client_class = CSRFClient
    try:
        request_id, email = _prepare(app)
        clients = [app.test_client(), app.test_client()]
        with app.app_context():
            for client in clients:
                login(client, email)
        barrier = threading.Barrier(2)
        statuses: list[int] = []

        def click(client: CSRFClient) -> None:
            with app.app_context():
                token = client.csrf_token()
            barrier.wait()
            response = client.post(
                f"/paiements/demandes/{request_id}/paiement", data={"csrf_token": token}
            )
            statuses.append(response.status_code)

        threads = [threading.Thread(target=click, args=(c,)) for c in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(statuses) == [302, 409]
        with app.app_context():
            request = db.session.get(PaymentRequest, request_id)
            assert request.state == "paid"
            paid_movements = db.session.scalar(
                select(func.count()).where(
                    EnvelopeMovement.dossier_id == request.agreement.dossier_id,
                    EnvelopeMovement.kind == "paid",
                )
            )
            assert paid_movements == 1
            held = dossier_balance(envelope_of(request.agreement.track), request.agreement.dossier)
            assert held.paid == Decimal("90000.00")
            db.session.remove()
    finally:
        with app.app_context():
            db.engine.dispose()


@pytest.mark.postgres_only
def test_two_pay_clicks_at_once_pay_once_on_postgresql(tmp_path: Path) -> None:
    base = conftest.test_database_url()
    assert base.startswith("postgresql"), "this test needs GRANTS_TEST_DATABASE_URL on PostgreSQL"
    with throwaway_database(base, "grants_payments") as url:
        _two_clicks(url, tmp_path)


def test_two_pay_clicks_at_once_pay_once_on_sqlite(tmp_path: Path) -> None:
    with throwaway_database("sqlite://", "grants_payments") as url:
        _two_clicks(url, tmp_path)
