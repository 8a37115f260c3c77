"""Shared steps of the request-for-documents tests: staff clients, the request, the answer."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from grants.extensions import db
from grants.models import DocumentRequest, Dossier, Financer, OutboxMessage
from grants.services.document_requests import paris_today
from tests.conftest import login


def client_for(app: Flask, user) -> FlaskClient:  # type: ignore[no-untyped-def]
    client = app.test_client()
    login(client, user.email)
    return client


def financer_id(code: str) -> int:
    found = db.session.scalar(select(Financer.id).where(Financer.code == code))
    assert found is not None, code
    return found


def request_url(dossier: Dossier) -> str:
    return f"/instruction/dossiers/{dossier.id}/demande-de-pieces"


def request_documents(client: FlaskClient, dossier: Dossier, **overrides: object):  # type: ignore[no-untyped-def]
    data: dict[str, object] = {
        "sections": ["professionals"],
        "pieces": ["projet_sante"],
        "reason_section_professionals": "Précisez le temps de présence des médecins.",
        "reason_piece_projet_sante": "La version signée manque.",
        "message": "Merci de compléter ces éléments.",
        "due_on": (paris_today() + timedelta(days=15)).isoformat(),
        "financer_id": str(financer_id("ARS_IMMO")),
        "lock_version": str(dossier.lock_version),
    }
    data.update(overrides)
    return client.post(request_url(dossier), data=data)


def requests_of(dossier: Dossier) -> list[DocumentRequest]:
    return list(
        db.session.scalars(
            select(DocumentRequest)
            .where(DocumentRequest.dossier_id == dossier.id)
            .order_by(DocumentRequest.id)
        )
    )


def outbox_rows(dossier: Dossier, event: str | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.dossier_id == dossier.id)
    if event is not None:
        query = query.where(OutboxMessage.event == event)
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


def refreshed(dossier: Dossier) -> Dossier:
    db.session.expire_all()
    found = db.session.get(Dossier, dossier.id)
    assert found is not None
    return found
