"""Versioned configuration (scoring grid, aid formula, financing rules): the active version of a
kind, seeded at first use from ``grants/data/config/<kind>.json``, and new versions an
administrator creates (validated, never an in-place edit; the previous one stays readable)."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from grants.extensions import db
from grants.models import User
from grants.models.choices import CONFIG_KINDS, FINANCER_KINDS
from grants.models.scoring import ConfigVersion
from grants.scoring import grid
from grants.services import audit

SEED_DIR = Path(__file__).resolve().parent.parent / "data" / "config"


class ConfigRefusedError(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def seed_payload(kind: str) -> dict[str, Any]:
    return json.loads((SEED_DIR / f"{kind}.json").read_text(encoding="utf-8"))


def seed(kind: str) -> ConfigVersion:
    """Insert the shipped version of ``kind`` unless one exists (additive, idempotent)."""
    existing = db.session.scalar(select(ConfigVersion).where(ConfigVersion.kind == kind).limit(1))
    if existing is not None:
        return existing
    data = seed_payload(kind)
    version = ConfigVersion(
        kind=kind, version=data["version"], payload=data["payload"], comment=data["comment"]
    )
    db.session.add(version)
    db.session.flush()
    return version


def seed_all() -> None:
    for kind in CONFIG_KINDS:
        seed(kind)


def active(kind: str) -> ConfigVersion:
    """The newest active version of ``kind`` (seeded from the shipped file on first use)."""
    found = db.session.scalar(
        select(ConfigVersion)
        .where(ConfigVersion.kind == kind, ConfigVersion.active.is_(True))
        .order_by(ConfigVersion.id.desc())
        .limit(1)
    )
    return found if found is not None else seed(kind)


def versions(kind: str) -> list[ConfigVersion]:
    return list(
        db.session.scalars(
            select(ConfigVersion)
            .where(ConfigVersion.kind == kind)
            .order_by(ConfigVersion.id.desc())
        )
    )


def validate(kind: str, payload: dict[str, Any]) -> list[str]:
    if kind == "scoring_grid":
        return grid.validate(payload)
    if kind == "aid_formula":
        return _validate_aid(payload)
    if kind == "payment_schedule":
        return _validate_schedule(payload)
    if kind == "monitoring_rules":
        return _validate_monitoring(payload)
    return _validate_financing(payload)


def create_version(
    kind: str, payload: dict[str, Any], *, actor: User, version: str, comment: str = ""
) -> ConfigVersion:
    """A new active version; the previous ones are kept (inactive) for the cards that name them."""
    if kind not in CONFIG_KINDS:
        raise ConfigRefusedError(["Type de configuration inconnu."])
    errors = validate(kind, payload)
    version = version.strip()
    if not version:
        errors.insert(0, "Donnez un nom à la version (par exemple 2026-01).")
    elif db.session.scalar(
        select(ConfigVersion.id).where(ConfigVersion.kind == kind, ConfigVersion.version == version)
    ):
        errors.insert(0, f"La version « {version} » existe déjà : choisissez un autre nom.")
    if errors:
        raise ConfigRefusedError(errors)
    db.session.execute(
        update(ConfigVersion)
        .where(ConfigVersion.kind == kind, ConfigVersion.active.is_(True))
        .values(active=False)
    )
    created = ConfigVersion(
        kind=kind,
        version=version,
        payload=payload,
        comment=comment.strip(),
        active=True,
        created_by_id=actor.id,
    )
    db.session.add(created)
    db.session.flush()
    audit.record(
        "config.version_created",
        stream=f"config:{kind}",
        actor=actor,
        data={"kind": kind, "version": version, "id": created.id, "payload": payload},
    )
    return created


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _validate_aid(payload: dict[str, Any]) -> list[str]:
    errors: list[str] = []
    if payload.get("count_basis") not in ("etp", "heads"):
        errors.append("Comptez les médecins en ETP ou par tête.")
    if not payload.get("include"):
        errors.append("Cochez au moins un statut de médecin compté.")
    for tier, params in payload.get("tiers", {}).items():
        label = params.get("label", tier)
        for name in ("rate_per_physician", "cap_absolute"):
            value = _decimal(params.get(name))
            if value is None or value < 0:
                errors.append(f"{label} : montant invalide ({name}).")
        rate = _decimal(params.get("cap_rate"))
        if rate is None or not (0 <= rate <= 1):
            errors.append(f"{label} : le taux plafond doit être entre 0 et 100 %.")
    modulation = payload.get("modulation") or {}
    factor = _decimal(modulation.get("factor", "1"))
    if factor is None or not (0 <= factor <= 1):
        errors.append("Le coefficient de modulation doit être entre 0 et 1.")
    return errors


def _validate_financing(payload: dict[str, Any]) -> list[str]:
    errors: list[str] = []
    for kind, value in payload.get("max_rate_by_kind", {}).items():
        rate = _decimal(value)
        if kind not in FINANCER_KINDS or rate is None or not (0 <= rate <= 1):
            label = FINANCER_KINDS.get(kind, kind)
            errors.append(f"{label} : le taux maximal doit être entre 0 et 100 %.")
    minimum = _decimal(payload.get("min_own_funds_share"))
    if minimum is None or not (0 <= minimum <= 1):
        errors.append("La part minimale de fonds propres doit être entre 0 et 100 %.")
    # Optional (versions created before it existed lack it: the shipped default applies).
    if "revision_gap_threshold" in payload:
        gap = _decimal(payload["revision_gap_threshold"])
        if gap is None or not (0 <= gap <= 1):
            errors.append(
                "L'écart qui déclenche une demande de plan révisé doit être entre 0 et 100 % "
                "des dépenses."
            )
    return errors


def _validate_schedule(payload: dict[str, Any]) -> list[str]:
    """Each schedule: known tranche kinds, shares in (0, 1] adding up to 100 %, known evidence."""
    from grants.models.choices import AID_TYPES, TRANCHE_KINDS

    labels = payload.get("evidence_labels") or {}
    schedules = {"default": payload.get("default")}
    for key, tranches in (payload.get("by_financer_kind_and_aid_type") or {}).items():
        kind, _, aid_type = str(key).partition(":")
        if kind not in FINANCER_KINDS or aid_type not in AID_TYPES:
            return [f"Échéancier « {key} » : type de financeur ou d'aide inconnu."]
        schedules[key] = tranches
    errors = []
    for key, tranches in schedules.items():
        if not isinstance(tranches, list) or not tranches:
            errors.append(f"Échéancier « {key} » : au moins une tranche est requise.")
            continue
        total = Decimal("0")
        for tranche in tranches:
            share = _decimal(tranche.get("share"))
            if tranche.get("kind") not in TRANCHE_KINDS:
                errors.append(f"Échéancier « {key} » : type de tranche inconnu.")
            if share is None or not (0 < share <= 1):
                errors.append(f"Échéancier « {key} » : chaque part est comprise entre 0 et 1.")
            else:
                total += share
            unknown = [code for code in tranche.get("evidence") or [] if code not in labels]
            if unknown:
                errors.append(f"Échéancier « {key} » : pièce inconnue {', '.join(unknown)}.")
        if total != 1:
            errors.append(f"Échéancier « {key} » : les parts doivent totaliser 100 %.")
    return errors


def _validate_monitoring(payload: dict[str, Any]) -> list[str]:
    errors = []
    for key in ("annual_report_due_days", "semiannual_report_due_days"):
        value = payload.get(key)
        if not isinstance(value, int) or not (0 < value <= 365):
            errors.append(f"{key} : un nombre de jours entre 1 et 365.")
    days = payload.get("reminder_days_before")
    if not isinstance(days, list) or not all(isinstance(d, int) and d > 0 for d in days):
        errors.append("reminder_days_before : une liste de nombres de jours positifs.")
    for key in (
        "objectives_warning_share",
        "objectives_critical_share",
        "indicator_tolerance",
        "rent_tolerance",
    ):
        value = _decimal(payload.get(key))
        if value is None or not (0 <= value <= 1):
            errors.append(f"{key} : une part entre 0 et 1.")
    return errors
