"""Promoter organisations and their members."""

from __future__ import annotations

from typing import Any

from grants.extensions import db
from grants.models import Membership, Organisation, User
from grants.services import audit

ORGANISATION_FIELDS = (
    "legal_name",
    "category",
    "legal_form",
    "siret",
    "representative_name",
    "representative_function",
    "contact_name",
    "contact_email",
    "contact_phone",
    "address",
)


def create_organisation(*, actor: User, data: dict[str, Any]) -> Organisation:
    organisation = Organisation(**{k: data.get(k) or "" for k in ORGANISATION_FIELDS})
    db.session.add(organisation)
    db.session.flush()
    db.session.add(Membership(user=actor, organisation=organisation, role="owner"))
    audit.record(
        "organisation.created",
        stream=f"organisation:{organisation.id}",
        actor=actor,
        data={k: data.get(k) for k in ORGANISATION_FIELDS},
    )
    return organisation


def update_organisation(
    organisation: Organisation, *, actor: User, data: dict[str, Any]
) -> Organisation:
    before = {k: getattr(organisation, k) for k in ORGANISATION_FIELDS}
    for key in ORGANISATION_FIELDS:
        setattr(organisation, key, data.get(key) or "")
    after = {k: getattr(organisation, k) for k in ORGANISATION_FIELDS}
    changes = {k: [before[k], after[k]] for k in ORGANISATION_FIELDS if before[k] != after[k]}
    if changes:
        audit.record(
            "organisation.updated",
            stream=f"organisation:{organisation.id}",
            actor=actor,
            data=changes,
        )
    return organisation
