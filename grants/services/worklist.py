"""The instructors' work list as SQL: scope, filters, tabs, full-text search, keyset pages.

One statement gives a page (only the columns the list shows, the first commune and the assigned
instructor through a correlated subquery and an outer join), one more the user's track states of
the page's dossiers, and the count runs once per filter change (the view caches it). Keyset
pagination: the cursor carries the sort value and the id of the last row, signed.

Search: PostgreSQL matches ``to_tsvector('french', grants_unaccent(search_text))`` — the very
expression of the GIN index ``ix_dossiers_search`` — against ``websearch_to_tsquery``, ranked by
``ts_rank``. SQLite (the embedded fallback) has no stemming and no unaccent: every folded word of
the query must appear in ``search_text`` through LIKE (case-insensitive for ASCII), a plural ``s``
or ``x`` dropped; ``search_text`` carries the accent-folded form of its accented words for that
(see grants/services/search_text.py). Both also match the reference exactly.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    cast,
    exists,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
    tuple_,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import aliased

from grants.extensions import db
from grants.models import (
    Commune,
    Dossier,
    DossierCommune,
    DossierFinancer,
    DossierFollower,
    Financer,
    FinancerTrack,
    Organisation,
    User,
)
from grants.models.base import UTCDateTime
from grants.permissions import STAFF_ROLES
from grants.services.reference import search_key

PAGE_SIZE = 50
PARIS = ZoneInfo("Europe/Paris")
SORTS = {"submitted_at", "updated_at", "reference", "title"}
TABS = ("a_traiter", "suivis", "tous")
# "À traiter": what the user's institution has to do next on its own track.
TO_ACT_ON = (
    # its checklist, unless the promoter has to answer first or the dossier is frozen
    ("checking", ("submitted", "completeness_check", "admissible")),
    # its instruction (opinion) while the dossier is under instruction
    ("instructing", ("under_instruction",)),
    # its formal decision once the committee has spoken
    ("awaiting_decision", ("decisions_pending",)),
)


@dataclass(frozen=True)
class Filters:
    """The normalised criteria of a work list (validated by grants/forms/worklist.py)."""

    tab: str = "tous"
    q: str = ""
    states: tuple[str, ...] = ()
    track_states: tuple[str, ...] = ()
    financer_id: int | None = None
    departement: str | None = None
    insee_code: str | None = None
    structure_type: str | None = None
    aid_type: str | None = None
    submitted_from: date | None = None
    submitted_to: date | None = None
    updated_from: date | None = None
    updated_to: date | None = None
    sort: str = ""  # "" = relevance when searching, else submission date
    direction: str = "desc"

    def count_key(self, user_id: int) -> str:
        """What the count depends on: the user and every criterion but the order."""
        values = {k: v for k, v in asdict(self).items() if k not in ("sort", "direction")}
        return json.dumps([user_id, values], default=str, sort_keys=True)

    def order_key(self) -> str:
        return f"{self.effective_sort()}:{self.direction}"

    def effective_sort(self) -> str:
        return self.sort or ("rank" if self.q else "submitted_at")


@dataclass
class Page:
    rows: list[Any]
    tracks: dict[int, list[tuple[str, str]]] = field(default_factory=dict)
    next_after: tuple[Any, int] | None = None


class BadCursorError(ValueError):
    """A cursor that was tampered with or belongs to another ordering."""


# --- Scope, filters and tabs -------------------------------------------------------------------


def _dialect() -> str:
    return db.engine.dialect.name


def scope_clauses(user: User, financer_ids: Sequence[int]) -> list[ColumnElement[bool]]:
    """grants.permissions.staff_dossier_filter, from financer ids already loaded."""
    if user.role not in STAFF_ROLES or not financer_ids:
        return [false()]
    clauses: list[ColumnElement[bool]] = [
        Dossier.state != "draft",
        exists().where(
            DossierFinancer.dossier_id == Dossier.id,
            DossierFinancer.financer_id.in_(financer_ids),
        ),
    ]
    if user.role == "dd_instructor":
        clauses.append(Dossier.departement_code == user.departement_code)
    return clauses


def aid_type_contains(code: str) -> ColumnElement[bool]:
    """``code`` is one of the dossier's aid types (a JSON list): jsonb containment on PostgreSQL,
    json_each on SQLite."""
    if _dialect() == "postgresql":
        return cast(Dossier.aid_types, JSONB).op("@>")(func.jsonb_build_array(code))
    items = func.json_each(Dossier.aid_types).table_valued("value")
    return exists().select_from(items).where(items.c.value == code)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=PARIS).astimezone(UTC)


def _between(column: Any, start: date | None, end: date | None) -> list[ColumnElement[bool]]:
    """Calendar days in Paris time, both ends included."""
    clauses = []
    if start:
        clauses.append(column >= _day_start(start))
    if end:
        clauses.append(column < _day_start(end + timedelta(days=1)))
    return clauses


def _own_track(financer_ids: Sequence[int], *conditions: Any) -> ColumnElement[bool]:
    return exists().where(
        FinancerTrack.dossier_id == Dossier.id,
        FinancerTrack.financer_id.in_(financer_ids),
        *conditions,
    )


def tab_clause(tab: str, user: User, financer_ids: Sequence[int]) -> ColumnElement[bool]:
    if tab == "suivis":
        return exists().where(
            DossierFollower.dossier_id == Dossier.id, DossierFollower.user_id == user.id
        )
    if tab == "a_traiter":
        return or_(
            *(
                and_(Dossier.state.in_(states), _own_track(financer_ids, FinancerTrack.state == t))
                for t, states in TO_ACT_ON
            )
        )
    return true()


def search_clause(q: str) -> ColumnElement[bool]:
    reference = Dossier.reference == q.strip().upper()
    if _dialect() == "postgresql":
        return or_(_ts_vector().op("@@")(_ts_query(q)), reference)
    words = [_light_stem(word) for word in search_key(q).split()]
    if not words:
        return reference
    return or_(and_(*(Dossier.search_text.like(f"%{word}%") for word in words)), reference)


def _light_stem(word: str) -> str:
    return word[:-1] if len(word) > 4 and word[-1] in "sx" else word


def _ts_vector() -> ColumnElement[Any]:
    # Written exactly as the index expression so that the planner uses ix_dossiers_search.
    return func.to_tsvector(
        literal_column("'french'::regconfig"), func.grants_unaccent(Dossier.search_text)
    )


def _ts_query(q: str) -> ColumnElement[Any]:
    return func.websearch_to_tsquery(literal_column("'french'::regconfig"), func.grants_unaccent(q))


def where_clauses(
    user: User, financer_ids: Sequence[int], filters: Filters
) -> list[ColumnElement[bool]]:
    clauses = scope_clauses(user, financer_ids)
    f = filters
    if f.tab != "tous":
        clauses.append(tab_clause(f.tab, user, financer_ids))
    if f.states:
        clauses.append(Dossier.state.in_(f.states))
    if f.track_states:
        track_financers = [f.financer_id] if f.financer_id else financer_ids
        clauses.append(_own_track(track_financers, FinancerTrack.state.in_(f.track_states)))
    if f.financer_id:
        clauses.append(
            exists().where(
                DossierFinancer.dossier_id == Dossier.id,
                DossierFinancer.financer_id == f.financer_id,
            )
        )
    if f.departement:
        clauses.append(Dossier.departement_code == f.departement)
    if f.insee_code:
        clauses.append(
            exists().where(
                DossierCommune.dossier_id == Dossier.id, DossierCommune.insee_code == f.insee_code
            )
        )
    if f.structure_type:
        clauses.append(Dossier.structure_type == f.structure_type)
    if f.aid_type:
        clauses.append(aid_type_contains(f.aid_type))
    clauses += _between(Dossier.submitted_at, f.submitted_from, f.submitted_to)
    clauses += _between(Dossier.updated_at, f.updated_from, f.updated_to)
    if f.q:
        clauses.append(search_clause(f.q))
    return clauses


# --- Statements --------------------------------------------------------------------------------


def sort_column(filters: Filters) -> ColumnElement[Any]:
    name = filters.effective_sort()
    if name == "rank" and _dialect() == "postgresql":
        return func.ts_rank(_ts_vector(), _ts_query(filters.q))
    if name == "rank":  # no ranking in the embedded fallback
        return Dossier.submitted_at
    return getattr(Dossier, name)


def _direction(filters: Filters) -> str:
    return "desc" if filters.effective_sort() == "rank" else filters.direction


def count_statement(user: User, financer_ids: Sequence[int], filters: Filters) -> Select[Any]:
    return (
        select(func.count()).select_from(Dossier).where(*where_clauses(user, financer_ids, filters))
    )


def page_statement(
    user: User,
    financer_ids: Sequence[int],
    filters: Filters,
    after: tuple[Any, int] | None = None,
    limit: int = PAGE_SIZE,
) -> Select[Any]:
    """The rows of one page (``limit + 1`` to know whether another page follows)."""
    key = sort_column(filters).label("sort_value")
    descending = _direction(filters) == "desc"
    instructor = aliased(User)
    first_commune = (
        select(Commune.name)
        .join(DossierCommune, DossierCommune.insee_code == Commune.insee_code)
        .where(DossierCommune.dossier_id == Dossier.id)
        .order_by(DossierCommune.position, DossierCommune.id)
        .limit(1)
        .scalar_subquery()
    )
    statement = (
        select(
            Dossier.id,
            Dossier.reference,
            Dossier.title,
            Dossier.state,
            Dossier.departement_code,
            Dossier.submitted_at,
            Dossier.updated_at,
            Organisation.legal_name.label("organisation_name"),
            instructor.full_name.label("instructor_name"),
            first_commune.label("commune_name"),
            key,
        )
        .join(Organisation, Organisation.id == Dossier.organisation_id)
        .outerjoin(instructor, instructor.id == Dossier.assigned_instructor_id)
        .where(*where_clauses(user, financer_ids, filters))
    )
    if after is not None:
        value = literal(after[0], UTCDateTime() if isinstance(after[0], datetime) else None)
        pair = tuple_(key.element, Dossier.id)
        bound = tuple_(value, literal(after[1]))
        statement = statement.where(pair < bound if descending else pair > bound)
    order = (key.element.desc(), Dossier.id.desc()) if descending else (key.element, Dossier.id)
    return statement.order_by(*order).limit(limit + 1)


def tracks_statement(dossier_ids: Sequence[int], financer_ids: Sequence[int]) -> Select[Any]:
    return (
        select(FinancerTrack.dossier_id, Financer.name, FinancerTrack.state)
        .join(Financer, Financer.id == FinancerTrack.financer_id)
        .where(
            FinancerTrack.dossier_id.in_(dossier_ids), FinancerTrack.financer_id.in_(financer_ids)
        )
        .order_by(FinancerTrack.dossier_id, Financer.position)
    )


def fetch_page(
    user: User,
    financer_ids: Sequence[int],
    filters: Filters,
    after: tuple[Any, int] | None = None,
    limit: int = PAGE_SIZE,
) -> Page:
    """Two queries whatever the page size: the rows, then the user's tracks of those rows."""
    rows = list(db.session.execute(page_statement(user, financer_ids, filters, after, limit)))
    page = Page(rows=rows[:limit])
    if len(rows) > limit:
        last = page.rows[-1]
        page.next_after = (last.sort_value, last.id)
    if page.rows and financer_ids:
        ids = [row.id for row in page.rows]
        for dossier_id, name, state in db.session.execute(tracks_statement(ids, financer_ids)):
            page.tracks.setdefault(dossier_id, []).append((name, state))
    return page


def count(user: User, financer_ids: Sequence[int], filters: Filters) -> int:
    return db.session.scalar(count_statement(user, financer_ids, filters)) or 0


# --- Cursors -----------------------------------------------------------------------------------


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt="grants.worklist.cursor")


def encode_cursor(secret: str, filters: Filters, after: tuple[Any, int]) -> str:
    value, dossier_id = after
    if isinstance(value, datetime):
        encoded: Any = {"t": value.astimezone(UTC).isoformat()}
    else:
        encoded = value
    return _serializer(secret).dumps([filters.order_key(), encoded, dossier_id])


def decode_cursor(secret: str, filters: Filters, token: str) -> tuple[Any, int]:
    """The (sort value, id) a signed cursor carries; BadCursorError when tampered with or stale."""
    try:
        order, encoded, dossier_id = _serializer(secret).loads(token)
    except (BadSignature, ValueError, TypeError) as exc:
        raise BadCursorError(token) from exc
    if order != filters.order_key() or not isinstance(dossier_id, int):
        raise BadCursorError(token)
    if isinstance(encoded, dict):
        try:
            return datetime.fromisoformat(encoded["t"]), dossier_id
        except (KeyError, TypeError, ValueError) as exc:
            raise BadCursorError(token) from exc
    if not isinstance(encoded, str | int | float):
        raise BadCursorError(token)
    return encoded, dossier_id
