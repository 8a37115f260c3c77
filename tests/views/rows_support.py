"""Helpers for the repeating-row view tests: URLs, typed rows, posting a section."""

from __future__ import annotations

from sqlalchemy import select

from grants.extensions import db
from grants.models import Financer


def url(dossier, section: str) -> str:
    return f"/espace/dossiers/{dossier.id}/lignes/{section}"


def professional(index: int, **overrides: str) -> dict[str, str]:
    values = {
        "last_name": f"Martin{index}",
        "first_name": "Claire",
        "profession": "medecin_generaliste",
        "specialty": "",
        "exercise_mode": "liberal",
        "status_in_project": "already_on_site",
        "etp": "0,8",
        "sector": "secteur_1",
        "age_band": "35_54",
    }
    values.update(overrides)
    return {f"rows-{index}-{key}": value for key, value in values.items()}


def post_rows(client, dossier, section: str, *rows: dict[str, str], **extra: str):  # type: ignore[no-untyped-def]
    db.session.expire(dossier, ["lock_version"])
    data: dict[str, str] = {"lock_version": str(dossier.lock_version), "save": "1"}
    for row in rows:
        data.update(row)
    data.update(extra)
    return client.post(url(dossier, section), data=data)


def saved(model, dossier):  # type: ignore[no-untyped-def]
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(model).where(model.dossier_id == dossier.id).order_by(model.position)
        )
    )


def targeted_financer(dossier) -> Financer:  # type: ignore[no-untyped-def]
    financers = list(db.session.scalars(select(Financer).order_by(Financer.id).limit(2)))
    dossier.financers = [financers[0]]
    db.session.flush()
    return financers[0]


def objective_row(index: int, **overrides: str) -> dict[str, str]:
    values = {
        "objective": "Réduire les passages aux urgences",
        "indicator": "Passages évitables",
        "baseline": "120",
        "target": "80",
        "year": "2027",
    }
    values.update(overrides)
    return {f"rows-{index}-{key}": value for key, value in values.items()}


def operating_row(index: int, **overrides: str) -> dict[str, str]:
    values = {
        "year_index": "1",
        "kind": "charge",
        "category": "secretariat",
        "label": "Secrétaire à mi-temps",
        "amount": "12 345,67",
    }
    values.update(overrides)
    return {f"rows-{index}-{key}": value for key, value in values.items()}


def cost_row(index: int, **overrides: str) -> dict[str, str]:
    values = {
        "aid_type": "investment_real_estate",
        "year": "2026",
        "label": "Travaux",
        "amount": "100 000",
    }
    values.update(overrides)
    return {f"costs-{index}-{key}": value for key, value in values.items()}


def resource_row(index: int, **overrides: str) -> dict[str, str]:
    values = {
        "aid_type": "investment_real_estate",
        "kind": "own_funds",
        "financer_id": "",
        "label": "Apport",
        "amount": "40 000",
        "status": "self",
    }
    values.update(overrides)
    return {f"resources-{index}-{key}": value for key, value in values.items()}
