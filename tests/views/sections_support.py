"""Helpers shared by the section tests: post a section as its form would, reload, audit."""

from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import select

from grants.extensions import db
from grants.models import AuditEvent, Dossier, Professional


def url(dossier: Dossier, code: str) -> str:
    return f"/espace/dossiers/{dossier.id}/rubriques/{code}"


def post(client, dossier: Dossier, code: str, data: dict, **extra):  # type: ignore[no-untyped-def]
    """POST a section with the current lock version, as the form rendered on GET would."""
    data = {"lock_version": str(dossier.lock_version), **data}
    return client.post(url(dossier, code), data=data, **extra)


def checked(html: str, name: str) -> set[str]:
    """Values of the ticked checkboxes called ``name`` in a page."""
    tags = re.findall(rf'<input [^>]*name="{name}"[^>]*>', html)
    return {re.search(r'value="([^"]*)"', t).group(1) for t in tags if " checked" in t}


def reload(dossier: Dossier) -> Dossier:
    db.session.expire_all()
    return db.session.get(Dossier, dossier.id)


def section_events(dossier: Dossier) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.dossier_id == dossier.id, AuditEvent.action == "dossier.section_saved"
            )
            .order_by(AuditEvent.id)
        )
    )


def add_professionals(dossier: Dossier, count: int, start: int = 0) -> None:
    for i in range(start, start + count):
        db.session.add(
            Professional(
                dossier_id=dossier.id,
                position=i,
                last_name=f"Nom{i}",
                first_name="Prénom",
                profession="medecin_generaliste" if i % 2 else "infirmier",
                exercise_mode="liberal",
                status_in_project="already_on_site",
                etp=Decimal("0.8"),
            )
        )
    db.session.flush()
