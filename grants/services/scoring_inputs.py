"""Scoring inputs read from the database: the zoning of dossier communes (frozen at submission, or
current for a draft) and the bulk loader that builds ``ScoringInputs`` for many dossiers from one
statement (no ORM objects), used by scoring, re-scoring and the benchmark.

Loading is split in two so that a re-score job can overlap it with scoring: ``fetch_texts`` runs
the statement (database work, the GIL released), ``decode`` turns its texts into an
``InputsBatch`` (Python work, no database)."""

from __future__ import annotations

import gc
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from functools import cache, lru_cache
from typing import Any, NamedTuple

from sqlalchemy import (
    JSON,
    Integer,
    Numeric,
    String,
    Text,
    TypeDecorator,
    and_,
    any_,
    bindparam,
    case,
    cast,
    func,
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
from grants.models.zoning import DossierZoning, ZoningUnit, ZoningUnitCommune
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
from grants.services.zoning import schemes_in_force


def frozen_categories(
    dossier_ids: Sequence[int], session: Session | None = None
) -> dict[int, list[str]]:
    """Categories recorded at submission, per dossier (latest version number only)."""
    session = session or db.session
    dialect = session.connection().dialect.name
    zonings = _statements(dialect, False)[1]
    found: dict[int, list[str]] = defaultdict(list)
    for dossier_id, category in session.execute(zonings, ids_params(dossier_ids, dialect)):
        found[dossier_id].append(category)
    return dict(found)


def scheme_in_force(session: Session | None = None, today: date | None = None) -> int | None:
    """The physician zoning scheme in force (``zoning.schemes_in_force``), if any."""
    found = schemes_in_force(today or date.today(), "physician", session).get("physician")
    return found.id if found is not None else None


def current_categories(
    insee_codes: Iterable[str], session: Session | None = None, today: date | None = None
) -> dict[str, str]:
    """What the physician zoning in force says of each commune (communes outside any unit of the
    scheme are ``none``; an empty result when no scheme is in force)."""
    session = session or db.session
    codes = list(insee_codes)
    scheme_id = scheme_in_force(session, today)
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
    (decoded here, and not at all when empty) and money as the plain NUMERIC it is stored as."""
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
    # Dossiers without a frozen zoning (drafts, older dossiers): the categories the scheme in
    # force gives their communes, NULL for a commune outside every unit of the scheme.
    unit_commune = ZoningUnitCommune.__table__
    unit = ZoningUnit.__table__
    current = (
        select(COMMUNES.c.dossier_id, unit.c.category)
        .outerjoin(
            unit_commune,
            (unit_commune.c.insee_code == COMMUNES.c.insee_code)
            & (unit_commune.c.scheme_id == bindparam("scheme_id", type_=Integer)),
        )
        .outerjoin(unit, unit.c.id == unit_commune.c.unit_id)
        .where(
            ids_filter(COMMUNES.c.dossier_id, dialect),
            ~select(DossierZoning.id)
            .where(DossierZoning.dossier_id == COMMUNES.c.dossier_id)
            .exists(),
        )
    )
    batch = select(
        *[
            _json_rows(statement, dialect).label(name)
            for name, statement in zip(
                BatchTexts._fields[:6],
                (dossiers, people, costs, resources, zonings, current),
                strict=True,
            )
        ]
    )
    financers = select(FINANCERS.c.id, FINANCERS.c.code, FINANCERS.c.kind, FINANCERS.c.name)
    return batch, zonings, financers


def _json_rows(statement: Any, dialect: str) -> Any:
    """The rows of ``statement``, in its order, as one JSON text: an array of arrays, numbers
    with their stored decimals (``0.80``, read back as ``Decimal``).

    One value instead of thousands of rows: the database builds it in a single step, during
    which the driver releases the GIL (a loader thread then costs the scoring thread nothing),
    and ``json.loads`` turns it into lists faster than the driver builds row tuples. SQLite
    aggregates a subquery's rows in its ORDER BY order (the query flattener leaves an ordered
    subquery of an aggregate alone); PostgreSQL is given the order explicitly."""
    if dialect == "postgresql":
        row = func.json_build_array(*statement.selected_columns)
        order = statement._order_by_clauses
        aggregate = func.json_agg(postgresql.aggregate_order_by(row, *order) if order else row)
        return statement.with_only_columns(cast(aggregate, Text)).order_by(None).scalar_subquery()
    rows = statement.subquery()
    values = [_sqlite_json_value(column) for column in rows.c]
    return select(func.json_group_array(func.json_array(*values))).scalar_subquery()


def _sqlite_json_value(column: Any) -> Any:
    """A NUMERIC as a JSON number written with its scale (what SQLAlchemy's ``Numeric`` returns:
    SQLite may store 0.80 as the REAL 0.8); other values as they are."""
    if not isinstance(column.type, Numeric):
        return column
    digits = column.type.scale if column.type.scale is not None else 2
    return case((column.is_(None), None), else_=func.json(func.printf(f"%.{digits}f", column)))


class BatchTexts(NamedTuple):
    """What one statement returns for a batch of dossiers: JSON texts of rows (``None`` when a
    row set is empty on PostgreSQL), and whether a zoning scheme is in force."""

    dossiers: str | None
    people: str | None
    costs: str | None
    resources: str | None
    zonings: str | None  # (dossier id, category) frozen at submission, latest version
    current: str | None  # (dossier id, category or null) of the communes of the others
    scheme_known: bool = False


def fetch_texts(
    connection: Connection, dossier_ids: Sequence[int], *, filed_only: bool, scheme_id: int | None
) -> BatchTexts:
    """The rows of many dossiers (drafts left out when ``filed_only``), as one statement's JSON
    texts; ``scheme_id``: the zoning scheme in force (``scheme_in_force``)."""
    ids = sorted({int(i) for i in dossier_ids})
    if not ids:
        return BatchTexts(None, None, None, None, None, None)
    dialect = connection.dialect.name
    batch = _statements(dialect, filed_only)[0]
    params = {**ids_params(ids, dialect), "scheme_id": scheme_id or 0}
    return BatchTexts(*connection.execute(batch, params).one(), scheme_known=scheme_id is not None)


def financer_table(connection: Connection) -> dict[int, tuple[str, str, str]]:
    """Every financer: id -> (code, kind, name)."""
    financers = _statements(connection.dialect.name, False)[2]
    return {row[0]: tuple(row[1:]) for row in connection.execute(financers)}  # type: ignore[misc]


_decode = json.JSONDecoder(parse_float=Decimal).decode


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused meanwhile, for work that allocates many
    containers and makes no reference cycle (decoding a batch, scoring it): every few hundred new
    containers trigger a collection that walks the young ones again and again, for nothing to
    find; decoding a batch with it running costs three times as much."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def decode(texts: BatchTexts, financers: dict[int, tuple[str, str, str]]) -> InputsBatch:
    """The batch ``fetch_texts`` read, ready to build each dossier's inputs (no database)."""
    with collector_paused():
        dossiers, people, costs, resources, zonings, current = (
            _decode(text) if text else [] for text in texts[:6]
        )
    frozen: dict[int, list[str]] = defaultdict(list)
    for dossier_id, category in zonings:
        frozen[dossier_id].append(category)
    in_force: dict[int, list[str]] = defaultdict(list)
    if texts.scheme_known:
        for dossier_id, category in current:
            in_force[dossier_id].append(category or "none")
    zoning = {
        row[0]: (
            (best_category(frozen[row[0]]), True)
            if row[0] in frozen
            else (best_category(in_force.get(row[0], ())), False)
        )
        for row in dossiers
    }
    return InputsBatch(dossiers, people, costs, resources, zoning, financers)


@lru_cache(maxsize=4096)
def _json_list(text: str | None) -> tuple[Any, ...]:
    """A JSON list of codes (aid types, commitments, contracts) as a tuple: few distinct texts,
    each decoded once."""
    return tuple(json.loads(text)) if text and text != "[]" else ()


def load_inputs(
    dossier_ids: Sequence[int], session: Session | None = None
) -> dict[int, ScoringInputs]:
    """Inputs of many dossiers in one query, whatever their number (chunk the ids)."""
    return {inputs.dossier_id: inputs for inputs in load_batch(dossier_ids, session)}  # type: ignore[misc]


def load_batch(
    dossier_ids: Sequence[int], session: Session | None = None, *, filed_only: bool = False
) -> InputsBatch:
    """The rows of many dossiers (drafts left out when ``filed_only``), read in one statement;
    iterating the batch builds their inputs one at a time.

    Each ``ScoringInputs`` is built only when asked for, so that a caller scoring and storing
    them one by one keeps few objects alive."""
    session = session or db.session
    if session.autoflush:
        session.flush()  # as a query through the session would: pending changes are read
    connection = session.connection()
    texts = fetch_texts(
        connection, dossier_ids, filed_only=filed_only, scheme_id=scheme_in_force(session)
    )
    return decode(texts, financer_table(connection) if texts.dossiers else {})


class InputsBatch:
    """Loaded rows of many dossiers, each list ordered by dossier id; iterating builds each
    dossier's ``ScoringInputs``."""

    def __init__(
        self,
        dossiers: list[list[Any]],
        people: list[list[Any]],
        costs: list[list[Any]],
        resources: list[list[Any]],
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

    def __init__(self, rows: list[list[Any]]) -> None:
        self.rows, self.position, self.end = rows, 0, len(rows)

    def rows_of(self, dossier_id: int) -> list[list[Any]]:
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
