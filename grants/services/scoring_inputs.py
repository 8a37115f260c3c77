"""Scoring inputs read from the database: the zoning of dossier communes (frozen at submission, or
current for a draft) and the bulk loader that builds ``ScoringInputs`` for many dossiers with a
handful of plain SQL queries (no ORM objects), used by re-scoring and the benchmark."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import (
    JSON,
    Integer,
    String,
    Text,
    TypeDecorator,
    and_,
    any_,
    bindparam,
    cast,
    func,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from grants.extensions import db
from grants.models import (
    CostLine,
    Dossier,
    DossierCommune,
    DossierFinancer,
    Financer,
    HealthObjective,
    Organisation,
    Professional,
    ResourceLine,
)
from grants.models.base import Money
from grants.models.zoning import DossierZoning, ZoningScheme, ZoningUnit, ZoningUnitCommune
from grants.scoring.inputs import (
    PROFESSIONAL_FIELDS,
    SECTION_FIELDS,
    ZERO,
    ResourceInput,
    ScoringInputs,
    assemble,
    best_category,
    construct,
)


def frozen_categories(
    dossier_ids: Sequence[int], session: Session | None = None
) -> dict[int, list[str]]:
    """Categories recorded at submission, per dossier (latest version number only)."""
    session = session or db.session
    dialect = session.connection().dialect.name
    zonings = _statements(dialect, False)[4]
    found: dict[int, list[str]] = defaultdict(list)
    for dossier_id, category in session.execute(zonings, ids_params(dossier_ids, dialect)):
        found[dossier_id].append(category)
    return dict(found)


def current_categories(
    insee_codes: Iterable[str], session: Session | None = None, today: date | None = None
) -> dict[str, str]:
    """What the physician zoning in force says of each commune (communes outside any unit of the
    scheme are ``none``; an empty result when no scheme is in force)."""
    session = session or db.session
    codes = list(insee_codes)
    today = today or date.today()
    scheme_id = session.scalar(
        select(ZoningScheme.id)
        .where(
            ZoningScheme.profession == "physician",
            ZoningScheme.valid_from <= today,
            or_(ZoningScheme.valid_to.is_(None), ZoningScheme.valid_to >= today),
        )
        .order_by(ZoningScheme.valid_from.desc(), ZoningScheme.id.desc())
        .limit(1)
    )
    if scheme_id is None or not codes:
        return {}
    rows = session.execute(
        select(ZoningUnitCommune.insee_code, ZoningUnit.category)
        .join(ZoningUnit, ZoningUnit.id == ZoningUnitCommune.unit_id)
        .where(ZoningUnitCommune.scheme_id == scheme_id, ZoningUnitCommune.insee_code.in_(codes))
    )
    found = dict.fromkeys(codes, "none")
    found.update({code: category for code, category in rows})
    return found


# Core tables: the bulk loader reads plain rows, never ORM entities.
DOSSIERS = Dossier.__table__
ORGANISATIONS = Organisation.__table__
PROFESSIONALS = Professional.__table__
COST_LINES = CostLine.__table__
RESOURCE_LINES = ResourceLine.__table__
FINANCERS = Financer.__table__
DOSSIER_FINANCERS = DossierFinancer.__table__
OBJECTIVES = HealthObjective.__table__
COMMUNES = DossierCommune.__table__
JSON_SECTION_FIELDS = ("aid_types", "accepted_commitments")
ROWS_PER_FETCH = 200


class _IntArrayLiteral(TypeDecorator[str]):
    """An ``INTEGER[]`` parameter sent as its text literal (``'{1,2,3}'``)."""

    impl = postgresql.ARRAY(Integer)
    cache_ok = True

    def bind_processor(self, dialect: Any) -> None:
        return None  # the value is already the literal


def ids_filter(column: Any, dialect: str) -> Any:
    """``column IN :ids``, the ids sent as one parameter (``ids_params``) where the backend
    allows it: an expanded ``IN`` of a thousand placeholders costs more to render, send and parse
    than the rows it finds. On PostgreSQL the array goes as its text literal, which the server
    turns into a constant once (psycopg dumps a Python list element by element, and a VARCHAR
    cast to an array would be parsed again for every row scanned), with the range of the ids:
    on tables not analysed yet (just filled), a thousand-element array alone makes the planner
    expect most of the table and scan all of it, chunk after chunk."""
    if dialect == "postgresql":
        return and_(
            column.between(bindparam("first_id"), bindparam("last_id")),
            column == any_(bindparam("ids", type_=_IntArrayLiteral())),
        )
    if dialect == "sqlite":
        values = func.json_each(bindparam("ids", type_=Text)).table_valued("value")
        return column.in_(select(values.c.value))
    return column.in_(bindparam("ids", expanding=True))


def ids_params(ids: Iterable[int], dialect: str) -> dict[str, Any]:
    """The parameters of ``ids_filter``."""
    values = sorted({int(i) for i in ids})
    if dialect == "postgresql":
        return {
            "ids": "{" + ",".join([str(i) for i in values]) + "}",
            "first_id": values[0] if values else 0,
            "last_id": values[-1] if values else -1,
        }
    if dialect == "sqlite":
        return {"ids": json.dumps(values)}
    return {"ids": values}


def _plain(column: Any) -> Any:
    """The column read without per-row conversions the loader does not need: JSON as its text
    (decoded here, and not at all when empty) and money as the plain NUMERIC it is stored as
    (``Money`` only re-quantizes what NUMERIC(14, 2) already returns)."""
    if isinstance(column.type, JSON):
        return cast(column, Text).label(column.name)
    if isinstance(column.type, Money):
        return type_coerce(column, Money.impl).label(column.name)
    return column


@cache
def _statements(dialect: str, filed_only: bool) -> tuple[Any, ...]:
    """The loader's SELECTs, built once per backend (building them and computing their cache
    keys costs milliseconds; the ids are a parameter)."""
    objectives = (
        select(func.count())
        .where(OBJECTIVES.c.dossier_id == DOSSIERS.c.id)
        .scalar_subquery()
        .label("objectives_count")
    )
    financer_ids = (  # matched with the financers in Python: no join to plan per dossier
        select(func.aggregate_strings(cast(DOSSIER_FINANCERS.c.financer_id, String), ","))
        .where(DOSSIER_FINANCERS.c.dossier_id == DOSSIERS.c.id)
        .scalar_subquery()
        .label("financer_ids")
    )
    dossiers = (
        select(
            *[_plain(DOSSIERS.c[name]) for name in SECTION_FIELDS],
            ORGANISATIONS.c.category.label("promoter_category"),
            objectives,
            financer_ids,
        )
        .join(ORGANISATIONS, ORGANISATIONS.c.id == DOSSIERS.c.organisation_id)
        .where(ids_filter(DOSSIERS.c.id, dialect))
        .order_by(DOSSIERS.c.id)
    )
    if filed_only:
        dossiers = dossiers.where(DOSSIERS.c.state != "draft")
    people = (
        select(
            PROFESSIONALS.c.dossier_id, *[_plain(PROFESSIONALS.c[n]) for n in PROFESSIONAL_FIELDS]
        )
        .where(ids_filter(PROFESSIONALS.c.dossier_id, dialect))
        .order_by(PROFESSIONALS.c.dossier_id, PROFESSIONALS.c.position, PROFESSIONALS.c.id)
    )
    costs = (
        select(COST_LINES.c.dossier_id, COST_LINES.c.aid_type, _plain(COST_LINES.c.amount))
        .where(ids_filter(COST_LINES.c.dossier_id, dialect))
        .order_by(COST_LINES.c.dossier_id, COST_LINES.c.position, COST_LINES.c.id)
    )
    resources = (
        select(
            RESOURCE_LINES.c.dossier_id,
            RESOURCE_LINES.c.aid_type,
            RESOURCE_LINES.c.kind,
            _plain(RESOURCE_LINES.c.amount),
            RESOURCE_LINES.c.label,
            RESOURCE_LINES.c.financer_id,
        )
        .where(ids_filter(RESOURCE_LINES.c.dossier_id, dialect))
        .order_by(RESOURCE_LINES.c.dossier_id, RESOURCE_LINES.c.position, RESOURCE_LINES.c.id)
    )
    latest_zoning = (
        select(DossierZoning.dossier_id, func.max(DossierZoning.version_number).label("v"))
        .where(ids_filter(DossierZoning.dossier_id, dialect))
        .group_by(DossierZoning.dossier_id)
        .subquery()
    )
    zonings = select(DossierZoning.dossier_id, DossierZoning.category).join(
        latest_zoning,
        (latest_zoning.c.dossier_id == DossierZoning.dossier_id)
        & (latest_zoning.c.v == DossierZoning.version_number),
    )
    communes = select(COMMUNES.c.dossier_id, COMMUNES.c.insee_code).where(
        ids_filter(COMMUNES.c.dossier_id, dialect)
    )
    financers = select(FINANCERS.c.id, FINANCERS.c.code, FINANCERS.c.kind, FINANCERS.c.name)
    return dossiers, people, costs, resources, zonings, communes, financers


@lru_cache(maxsize=4096)
def _json_list(text: str | None) -> tuple[Any, ...]:
    """A JSON list of codes (aid types, commitments, contracts) as a tuple: few distinct texts,
    each decoded once."""
    return tuple(json.loads(text)) if text and text != "[]" else ()


def _rows(connection: Connection, statement: Any, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The rows of ``statement`` as plain tuples, read a few hundred at a time: a row object
    lives only until its values are copied out."""
    result = connection.execute(statement, params)
    return [tuple(row) for part in result.partitions(ROWS_PER_FETCH) for row in part]


def load_inputs(
    dossier_ids: Sequence[int], session: Session | None = None
) -> dict[int, ScoringInputs]:
    """Inputs of many dossiers in a handful of queries, whatever their number (chunk the ids)."""
    return {inputs.dossier_id: inputs for inputs in load_batch(dossier_ids, session)}  # type: ignore[misc]


def load_batch(
    dossier_ids: Sequence[int], session: Session | None = None, *, filed_only: bool = False
) -> InputsBatch:
    """The rows of many dossiers (drafts left out when ``filed_only``), read by this call in a
    handful of queries; iterating the batch builds their inputs one at a time.

    Rows are kept as tuples of plain values, which Python's cyclic garbage collector stops
    tracking, and each ``ScoringInputs`` is built only when asked for, so that a caller scoring
    and storing them one by one keeps few objects alive: thousands of objects living through a
    chunk make the collector walk the whole heap, which costs more than the scoring itself.
    """
    session = session or db.session
    ids = sorted({int(i) for i in dossier_ids})
    if not ids:
        return InputsBatch([], [], [], [], {}, {})
    if session.autoflush:
        session.flush()  # as a query through the session would: pending changes are read
    connection = session.connection()
    dialect = connection.dialect.name
    dossiers, people, costs, resources, zonings, communes, financers = _statements(
        dialect, filed_only
    )
    params = ids_params(ids, dialect)
    rows = _rows(connection, dossiers, params)
    if not rows:
        return InputsBatch([], [], [], [], {}, {})
    frozen: dict[int, list[str]] = defaultdict(list)
    for dossier_id, category in connection.execute(zonings, params):
        frozen[dossier_id].append(category)
    unfrozen = [row[0] for row in rows if row[0] not in frozen]
    current = _current_by_dossier(unfrozen, session, communes, dialect) if unfrozen else {}
    zoning = {
        row[0]: (
            (best_category(frozen[row[0]]), True)
            if row[0] in frozen
            else (best_category(current.get(row[0], [])), False)
        )
        for row in rows
    }
    return InputsBatch(
        rows,
        _rows(connection, people, params),
        _rows(connection, costs, params),
        _rows(connection, resources, params),
        zoning,
        {row[0]: row[1:] for row in connection.execute(financers)},
    )


class InputsBatch:
    """Loaded rows of many dossiers, each list ordered by dossier id; iterating builds each
    dossier's ``ScoringInputs``."""

    def __init__(
        self,
        dossiers: list[tuple[Any, ...]],
        people: list[tuple[Any, ...]],
        costs: list[tuple[Any, ...]],
        resources: list[tuple[Any, ...]],
        zoning: dict[int, tuple[str | None, bool]],
        financers: dict[int, tuple[str, str, str]],
    ) -> None:
        self.dossiers, self.people, self.costs, self.resources = dossiers, people, costs, resources
        self.zoning, self.financers = zoning, financers  # financers: id -> (code, kind, name)

    @property
    def dossier_ids(self) -> list[int]:
        return [values[0] for values in self.dossiers]  # SECTION_FIELDS starts with the id

    def __iter__(self) -> Iterator[ScoringInputs]:
        return self.inputs()

    def inputs(self, *, transient: bool = False) -> Iterator[ScoringInputs]:
        """Each dossier's inputs; ``transient`` ones are built faster for a caller that scores
        each once and drops it (see ``construct``)."""
        names = SECTION_FIELDS
        make_resource = construct if transient else _constructor
        financers = self.financers
        no_financer = (None, None, None)
        people = _Cursor(self.people)
        costs = _Cursor(self.costs)
        resources = _Cursor(self.resources)
        for values in self.dossiers:
            row = dict(zip(names, values, strict=False))  # three extra columns come last
            row["aid_types"] = _json_list(row["aid_types"])
            row["accepted_commitments"] = _json_list(row["accepted_commitments"])
            dossier_id = values[0]
            promoter_category, objectives_count, financer_ids = values[-3:]
            category, frozen = self.zoning[dossier_id]
            lines = [(r, financers.get(r[5], no_financer)) for r in resources.rows_of(dossier_id)]
            yield assemble(
                row,
                professionals=[
                    (p[1], p[2], p[3], p[4], _json_list(p[5]), p[6])
                    for p in people.rows_of(dossier_id)
                ],
                resources=[
                    make_resource(
                        ResourceInput,
                        {
                            "aid_type": r[1],
                            "kind": r[2],
                            "amount": r[3] or ZERO,  # as Decimal(amount or 0): a zero reads 0
                            "financer_code": financer[0],
                            "financer_kind": financer[1],
                            "financer_name": financer[2] or r[4] or "",
                        },
                    )
                    for r, financer in lines
                ],
                costs=[(c[1], c[2]) for c in costs.rows_of(dossier_id)],
                financer_kinds=[financers[int(i)][1] for i in financer_ids.split(",")]
                if financer_ids
                else (),
                promoter_category=promoter_category,
                objectives_count=objectives_count,
                zoning_category=category,
                zoning_frozen=frozen,
                transient=transient,
            )


class _Cursor:
    """Walks rows ordered by dossier id (their first value) alongside the dossiers, also in id
    order: no per-dossier grouping built ahead."""

    def __init__(self, rows: list[tuple[Any, ...]]) -> None:
        self.rows, self.position, self.end = rows, 0, len(rows)

    def rows_of(self, dossier_id: int) -> list[tuple[Any, ...]]:
        rows, position, end = self.rows, self.position, self.end
        while position < end and rows[position][0] < dossier_id:
            position += 1  # rows of a dossier left out (a draft)
        start = position
        while position < end and rows[position][0] == dossier_id:
            position += 1
        self.position = position
        return rows[start:position]


def _constructor(cls: type[Any], values: dict[str, Any]) -> Any:
    return cls(**values)


def _current_by_dossier(
    ids: list[int], session: Session, communes: Any, dialect: str
) -> dict[int, list[str]]:
    """The zoning in force for dossiers without a frozen zoning (drafts, older dossiers)."""
    pairs = session.connection().execute(communes, ids_params(ids, dialect)).all()
    if not pairs:
        return {}
    categories = current_categories({code for _id, code in pairs}, session)
    found: dict[int, list[str]] = defaultdict(list)
    for dossier_id, code in pairs:
        if code in categories:
            found[dossier_id].append(categories[code])
    return dict(found)
