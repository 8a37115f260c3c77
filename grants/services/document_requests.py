"""Requests for documents or clarifications (DOMAIN T3–T4): what may be asked, on whose behalf,
the open request of a dossier and what the promoter changed since the last frozen version.

The request itself is created by the workflow engine (``request_documents`` action); these
helpers prepare its data and read it back. Nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from grants.extensions import db
from grants.models import DocumentRequest, Dossier, DossierVersion, Financer, User
from grants.models.base import utcnow
from grants.permissions import financer_ids
from grants.sections import SECTIONS, SECTIONS_BY_CODE, Section
from grants.services.pieces import RequiredPiece, required_pieces
from grants.services.snapshot import snapshot_dossier

PARIS = ZoneInfo("Europe/Paris")
DEFAULT_DELAY_DAYS = 15
# Snapshot keys holding each section's content (the single-object sections live in "sections").
SECTION_KEYS: dict[str, tuple[str, ...]] = {
    "identity": ("financers",),
    "territory": ("communes",),
    "professionals": ("professionals",),
    "objectives": ("objectives",),
    "operating": ("operating_lines",),
    "financing": ("cost_lines", "resource_lines"),
}


def paris_today(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(PARIS).date()


def default_due_on(now: datetime | None = None) -> date:
    return paris_today(now) + timedelta(days=DEFAULT_DELAY_DAYS)


def section_label(section: Section) -> str:
    return f"{section.letter}. {section.title}"


def requestable_sections() -> tuple[Section, ...]:
    return SECTIONS


def requestable_pieces(dossier: Dossier) -> list[RequiredPiece]:
    return required_pieces(dossier)


def acting_financers(user: User, dossier: Dossier) -> list[Financer]:
    """The financers ``user`` acts for among those the dossier targets, in the dossier's order."""
    mine = financer_ids(user)
    return [f for f in dossier.financers if f.id in mine]


def build_items(
    sections: list[str], pieces: list[str], reasons: dict[str, str], piece_labels: dict[str, str]
) -> list[dict[str, Any]]:
    """The JSON items of a request, in the order of the form (sections, then pieces)."""
    items: list[dict[str, Any]] = []
    for code in sections:
        section = SECTIONS_BY_CODE[code]
        items.append(
            {
                "kind": "section",
                "code": code,
                "label": section_label(section),
                "reason": reasons.get(f"section:{code}", "").strip(),
            }
        )
    for code in pieces:
        items.append(
            {
                "kind": "piece",
                "code": code,
                "label": piece_labels[code],
                "reason": reasons.get(f"piece:{code}", "").strip(),
            }
        )
    return items


def open_requests(dossier: Dossier) -> list[DocumentRequest]:
    """The requests awaiting the promoter's answer (several co-financers may ask at once)."""
    return [r for r in dossier.document_requests if r.state == "open"]


@dataclass
class ChangeSummary:
    """What differs between the last frozen version and the dossier as it stands."""

    version_number: int | None
    sections: list[str] = field(default_factory=list)  # section labels
    added_files: list[str] = field(default_factory=list)  # "piece label — file name"
    removed_files: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.sections or self.added_files or self.removed_files)


def last_version(dossier: Dossier) -> DossierVersion | None:
    return db.session.scalar(
        select(DossierVersion)
        .where(DossierVersion.dossier_id == dossier.id)
        .order_by(DossierVersion.number.desc())
        .limit(1)
    )


def changes_since_last_version(dossier: Dossier) -> ChangeSummary:
    """Compare the current snapshot with the last frozen one, section by section."""
    version = last_version(dossier)
    if version is None:
        return ChangeSummary(version_number=None)
    before, now = version.payload, snapshot_dossier(dossier)
    summary = ChangeSummary(version_number=version.number)
    for section in SECTIONS:
        keys = SECTION_KEYS.get(section.code, ())
        changed = any(before.get(key) != now.get(key) for key in keys) or (
            before.get("sections", {}).get(section.code) != now["sections"].get(section.code)
        )
        if changed:
            summary.sections.append(section_label(section))
    old_files = {_file_key(a): a for a in before.get("attachments", [])}
    new_files = {_file_key(a): a for a in now["attachments"]}
    summary.added_files = [_file_label(a) for k, a in new_files.items() if k not in old_files]
    summary.removed_files = [_file_label(a) for k, a in old_files.items() if k not in new_files]
    return summary


def _file_key(attachment: dict[str, Any]) -> tuple[str, str, str]:
    return (attachment["piece_code"], attachment["sha256"], attachment["original_name"])


def _file_label(attachment: dict[str, Any]) -> str:
    return f"{attachment['piece_label']} — {attachment['original_name']}"
