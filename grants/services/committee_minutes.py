"""The procès-verbal of a session: a JSON snapshot of what was recorded (``content``), rendered to
PDF and kept in storage.

Version 1 is a draft the secretary regenerates as often as needed while recording. Approving it
freezes it: the PDF is rendered one last time (with the approval), stored under a fresh key, its
SHA-256 kept, and the session closes. Any later correction is a new version with its reason (the
database refuses a version > 1 without one): the session reopens for recording, the approved
versions stay downloadable byte for byte, and approving the correction closes the session again.
"""

from __future__ import annotations

import hashlib
import uuid
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import select

from grants.extensions import db
from grants.models import CommitteeMinutes, CommitteeSession, User
from grants.models.base import utcnow
from grants.models.choices import AID_TYPES, ATTENDANCE, RECOMMENDATIONS
from grants.services import committee as base
from grants.services.committee import CommitteeRefused
from grants.templating import french_date

CONTENT_TYPE = "application/pdf"
CHANGED_MESSAGE = (
    "Des enregistrements ont changé depuis la génération de ce projet de procès-verbal : "
    "régénérez-le et relisez-le avant de l'approuver."
)


# --- content -----------------------------------------------------------------------------------


def build_content(session: CommitteeSession) -> dict[str, Any]:
    """Everything the minutes say, as plain JSON (amounts as strings, dates already in French)."""
    members = [
        {
            "id": m.id,
            "name": m.full_name,
            "institution": m.institution,
            "role": m.role,
            "role_label": m.role_label,
            "attendance": m.attendance,
            "attendance_label": ATTENDANCE.get(m.attendance or "", "Non renseignée"),
        }
        for m in session.members
    ]
    present = [m for m in session.members if m.attendance == "present"]
    items = [_item_content(item, present) for item in session.items]
    return {
        "session": {
            "id": session.id,
            "title": session.title,
            "kind": session.kind,
            "kind_label": session.kind_label,
            "meets_at": session.meets_at.isoformat(),
            "when": french_date(session.meets_at),
            "day": french_date(base.in_paris(session.meets_at).date()),
            "place": session.place,
            "video_link": session.video_link,
        },
        "members": members,
        "items": items,
        "totals": _totals(items),
    }


def _item_content(item, present) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    dossier = item.dossier
    conflicted = {c.member_id for c in item.conflicts}
    amounts = [
        {
            "financer": a.financer.name,
            "aid_type": a.aid_type,
            "aid_type_label": AID_TYPES[a.aid_type],
            "amount": str(a.amount),
        }
        for a in sorted(item.amounts, key=lambda a: (a.financer.position, a.aid_type))
    ]
    return {
        "position": item.position,
        "dossier_id": dossier.id,
        "reference": dossier.reference or "",
        "title": dossier.title,
        "organisation": dossier.organisation.legal_name,
        "departement": dossier.departement_code or "",
        "score_total": None if item.score_total is None else str(item.score_total),
        "opinion": item.opinion,
        "opinion_label": RECOMMENDATIONS.get(item.opinion or "", "Non examiné"),
        "reservations": item.reservations,
        "deferral_reasons": item.deferral_reasons,
        "discussion": item.discussion,
        "amounts": amounts,
        "total": str(sum((Decimal(a["amount"]) for a in amounts), Decimal("0.00"))),
        "conflicts": [
            {"name": c.member.full_name, "institution": c.member.institution, "note": c.note}
            for c in item.conflicts
        ],
        "participants": [m.full_name for m in present if m.id not in conflicted],
    }


def _totals(items: list[dict[str, Any]]) -> list[dict[str, str]]:
    totals: dict[str, Decimal] = {}
    for item in items:
        for amount in item["amounts"]:
            totals[amount["financer"]] = totals.get(amount["financer"], Decimal("0.00")) + Decimal(
                amount["amount"]
            )
    return [{"financer": name, "amount": str(total)} for name, total in totals.items()]


# --- versions ----------------------------------------------------------------------------------


def latest(session: CommitteeSession) -> CommitteeMinutes | None:
    return db.session.scalar(
        select(CommitteeMinutes)
        .where(CommitteeMinutes.session_id == session.id)
        .order_by(CommitteeMinutes.version.desc())
        .limit(1)
    )


def generate(
    session: CommitteeSession,
    *,
    actor: User,
    expected_version: int | None,
    correction_reason: str = "",
) -> CommitteeMinutes:
    """Regenerate the current draft, or start one: version 1, or a correction of the approved
    minutes (then ``correction_reason`` is required and the session reopens for recording)."""
    base.require_secretary(actor)
    base.check_version(session, expected_version)
    current = latest(session)
    reason = correction_reason.strip()
    if current is not None and current.state == "draft":
        minutes = current
        action = "minutes_regenerated"
    elif current is not None:  # approved: a correction
        base.require_state(session, "closed")
        if not reason:
            raise CommitteeRefused(
                422, "Indiquez le motif de la correction du procès-verbal approuvé."
            )
        minutes = _new_version(session, current.version + 1, actor, reason)
        base.set_state(session, "held")
        base.touch(session)
        action = "minutes_correction_started"
    else:
        base.require_state(
            session,
            "held",
            message="Le procès-verbal se rédige une fois la séance ouverte (séance tenue).",
        )
        minutes = _new_version(session, 1, actor, "")
        action = "minutes_drafted"
    minutes.content = build_content(session)
    minutes.storage_key = _store(_render(minutes, session), session, minutes.version)
    base.flush()
    base.record(
        session,
        action,
        actor,
        {"version": minutes.version, "correction_reason": minutes.correction_reason},
    )
    return minutes


def _new_version(
    session: CommitteeSession, version: int, actor: User, reason: str
) -> CommitteeMinutes:
    minutes = CommitteeMinutes(
        session_id=session.id,
        version=version,
        state="draft",
        content={},
        correction_reason=reason,
        created_by_id=actor.id,
    )
    db.session.add(minutes)
    return minutes


def approve(
    minutes: CommitteeMinutes, *, actor: User, expected_version: int | None
) -> CommitteeMinutes:
    """Freeze the draft: final PDF stored, its SHA-256 kept, the session closed."""
    session = minutes.session
    base.require_secretary(actor)
    base.check_version(session, expected_version)
    if minutes.state != "draft" or latest(session) is not minutes:
        raise CommitteeRefused(422, "Seul le dernier projet de procès-verbal peut être approuvé.")
    base.require_state(session, "held")
    missing = [item.dossier.reference for item in session.items if item.opinion is None]
    if missing:
        raise CommitteeRefused(
            422,
            "Enregistrez l'avis du comité sur chaque dossier avant d'approuver le procès-verbal.",
            [f"Avis non enregistré : {reference}." for reference in missing],
        )
    unknown = [m.full_name for m in session.members if m.attendance is None]
    if unknown:
        raise CommitteeRefused(
            422,
            "Enregistrez la présence de chaque personne convoquée avant d'approuver le "
            "procès-verbal.",
            [f"Présence non renseignée : {name}." for name in unknown],
        )
    if minutes.content != build_content(session):
        raise CommitteeRefused(409, CHANGED_MESSAGE)
    minutes.state = "approved"
    minutes.approved_at = utcnow()
    minutes.approved_by_id = actor.id
    data = _render(minutes, session, approved_by=actor)
    minutes.storage_key = _store(data, session, minutes.version)
    minutes.sha256 = hashlib.sha256(data).hexdigest()
    base.set_state(session, "closed")
    base.touch(session)
    base.record(
        session,
        "minutes_approved",
        actor,
        {"version": minutes.version, "sha256": minutes.sha256},
    )
    return minutes


# --- files -------------------------------------------------------------------------------------


def _render(
    minutes: CommitteeMinutes, session: CommitteeSession, approved_by: User | None = None
) -> bytes:
    from grants.documents.minutes import render_minutes

    return render_minutes(minutes, session, approved_by=approved_by)


def _store(data: bytes, session: CommitteeSession, version: int) -> str:
    key = f"committee/{session.id}/minutes-v{version}-{uuid.uuid4().hex}.pdf"
    current_app.extensions["grants_storage"].put(key, data, CONTENT_TYPE)
    return key


def filename(minutes: CommitteeMinutes) -> str:
    suffix = "" if minutes.state == "approved" else "-projet"
    return f"proces-verbal-seance-{minutes.session_id}-v{minutes.version}{suffix}.pdf"


def read_pdf(minutes: CommitteeMinutes) -> bytes:
    """The stored bytes; an approved version is checked against its hash."""
    if minutes.storage_key is None:
        raise CommitteeRefused(404, "Ce procès-verbal n'a pas encore été généré.")
    data: bytes = current_app.extensions["grants_storage"].get(minutes.storage_key)
    if minutes.sha256 is not None and hashlib.sha256(data).hexdigest() != minutes.sha256:
        raise CommitteeRefused(
            500, "Le fichier du procès-verbal approuvé ne correspond plus à son empreinte."
        )
    return data
