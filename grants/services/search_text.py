"""The text instructors search: what the last frozen version says, flattened."""

from __future__ import annotations

from typing import Any

from grants.models.choices import AID_TYPES, PROFESSIONS, STRUCTURE_TYPES
from grants.services.reference import search_key

MAX_CHARS = 20000


def search_text_of(payload: dict[str, Any]) -> str:
    """Reference, title, promoter, communes, district, professions, free texts of the sections."""
    sections = payload.get("sections", {})
    identity = sections.get("identity", {})
    parts: list[str] = [
        payload.get("dossier", {}).get("reference") or "",
        identity.get("title") or "",
        STRUCTURE_TYPES.get(identity.get("structure_type") or "", ""),
        " ".join(AID_TYPES.get(a, "") for a in identity.get("aid_types") or []),
        payload.get("organisation", {}).get("legal_name", ""),
        " ".join(
            f"{c.get('name', '')} {c.get('insee_code', '')}" for c in payload.get("communes", [])
        ),
        " ".join(f.get("name", "") for f in payload.get("financers", [])),
        " ".join(
            f"{p.get('first_name', '')} {p.get('last_name', '')} "
            f"{PROFESSIONS.get(p.get('profession', ''), '')}"
            for p in payload.get("professionals", [])
        ),
        " ".join(o.get("objective", "") for o in payload.get("objectives", [])),
    ]
    for section in sections.values():
        parts.extend(
            value for value in section.values() if isinstance(value, str) and len(value) > 3
        )
    return with_folded_words(" ".join(part for part in parts if part)[:MAX_CHARS])


def with_folded_words(text: str) -> str:
    """``text`` followed by the accent-folded form of its accented words ('Égreville' → also
    'egreville'), so that SQLite's case-insensitive LIKE (which knows no accents) finds them: the
    embedded fallback of the work list's search. PostgreSQL's unaccent makes them redundant."""
    lowered = text.lower()
    extra = [word for word in dict.fromkeys(search_key(text).split()) if word not in lowered]
    return f"{text} {' '.join(extra)}" if extra else text
