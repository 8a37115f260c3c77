"""Communes typed by the promoter: resolve names or INSEE codes, suggest matches."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import or_, select

from grants.extensions import db
from grants.models import Commune
from grants.services.reference import search_key

_CODE = r"(?:\d{5}|2[ABab]\d{3})"
_CODE_RE = re.compile(rf"^{_CODE}$")
_LABELLED_RE = re.compile(rf"^(?P<name>.+?)\s*\(\s*(?P<code>{_CODE})\s*\)$")
MAX_CANDIDATES = 8
IDF_REGION = "11"  # candidates of Île-de-France, the region this product serves, come first


@dataclass
class CommuneResolution:
    """Communes found, in input order without duplicates; errors keyed by input position."""

    communes: list[Commune] = field(default_factory=list)
    errors: dict[int, str] = field(default_factory=dict)


def resolve_communes(texts: Sequence[str]) -> CommuneResolution:
    """Resolve '91687', 'Viry-Châtillon' or 'Viry-Châtillon (91687)' (two queries at most)."""
    parsed = [_parse(text or "") for text in texts]
    by_code = _communes_by_code({p[1] for p in parsed if p and p[1]})
    by_name = _communes_by_name({p[0] for p in parsed if p and not p[1]})
    result = CommuneResolution()
    for index, (text, item) in enumerate(zip(texts, parsed, strict=True)):
        if item is None:
            continue
        found = _pick(text.strip(), item, by_code, by_name)
        if isinstance(found, str):
            result.errors[index] = found
        elif found.insee_code not in {c.insee_code for c in result.communes}:
            result.communes.append(found)
    return result


def search_communes(query: str, limit: int = 20) -> list[Commune]:
    """Communes whose INSEE code starts with, or whose name has a word starting with, the query."""
    query = query.strip()
    match = _LABELLED_RE.match(query)
    if match:
        query = match.group("code")
    if re.fullmatch(r"[0-9ABab]{2,5}", query) and query[:1].isdigit():
        condition = Commune.insee_code.startswith(query.upper())
    else:
        key = search_key(query)
        if len(key) < 2:
            return []
        condition = or_(
            Commune.search_name.startswith(key), Commune.search_name.contains(" " + key)
        )
    return list(
        db.session.scalars(
            select(Commune)
            .where(condition)
            .order_by(Commune.population.desc(), Commune.insee_code)
            .limit(limit)
        )
    )


def _parse(text: str) -> tuple[str, str | None] | None:
    """(search key of the name, INSEE code or None); None for an empty input."""
    text = text.strip()
    if not text:
        return None
    if _CODE_RE.match(text):
        return "", text.upper()
    match = _LABELLED_RE.match(text)
    if match:
        return search_key(match.group("name")), match.group("code").upper()
    return search_key(text), None


def _pick(
    text: str,
    item: tuple[str, str | None],
    by_code: dict[str, Commune],
    by_name: dict[str, list[Commune]],
) -> Commune | str:
    key, code = item
    if code is not None:
        commune = by_code.get(code)
        if commune is None:
            return f"Aucune commune n'a le code INSEE « {code} »."
        if key and key != commune.search_name:
            return f"Le code INSEE {code} est celui de {commune.name}, pas de « {text} »."
        return commune
    candidates = by_name.get(key, [])
    if not candidates:
        return f"Commune inconnue : « {text} ». Vérifiez l'orthographe ou saisissez le code INSEE."
    if len(candidates) > 1:
        return _ambiguous(text, candidates)
    return candidates[0]


def _ambiguous(text: str, candidates: list[Commune]) -> str:
    shown = ", ".join(c.label for c in candidates[:MAX_CANDIDATES])
    more = len(candidates) - MAX_CANDIDATES
    suffix = f" et {more} autre{'s' if more > 1 else ''}" if more > 0 else ""
    return (
        f"Plusieurs communes s'appellent « {text} » : {shown}{suffix}. "
        f"Précisez le code INSEE, par exemple « {candidates[0].label} »."
    )


def _communes_by_code(codes: Iterable[str]) -> dict[str, Commune]:
    codes = set(codes)
    if not codes:
        return {}
    return {
        c.insee_code: c
        for c in db.session.scalars(select(Commune).where(Commune.insee_code.in_(codes)))
    }


def _communes_by_name(keys: Iterable[str]) -> dict[str, list[Commune]]:
    keys = {k for k in keys if k}
    if not keys:
        return {}
    found: dict[str, list[Commune]] = {}
    for commune in db.session.scalars(
        select(Commune)
        .where(Commune.search_name.in_(keys))
        .order_by((Commune.region_code == IDF_REGION).desc(), Commune.insee_code)
    ):
        found.setdefault(commune.search_name, []).append(commune)
    return found
