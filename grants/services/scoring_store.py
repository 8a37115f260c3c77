"""Storing score cards in bulk.

Each card is encoded where it is scored (``CardEncoder``), and a chunk of cards is stored by
``store_cards`` with one statement per backend: on SQLite one multi-row ``INSERT`` (a thousand
rows a statement), on PostgreSQL one ``COPY``. The driver runs either without holding the GIL,
which lets the re-score job store a chunk on a writer thread while the next one is scored. The
JSON columns receive the text the encoder wrote (no second encoding).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from functools import cache
from itertools import chain
from json.encoder import encode_basestring_ascii as encode_json_string  # type: ignore[attr-defined]
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Connection

from grants.models.scoring import ScoreCard
from grants.scoring import grid
from grants.scoring.inputs import ScoringInputs
from grants.services.scoring_inputs import ids_filter, ids_params

CARDS = ScoreCard.__table__
COLUMNS = ("dossier_id", "inputs", "lines", "total", "grid_id", "trigger", "computed_at", "current")
ROWS_PER_INSERT = 1000  # 4 parameters a row; SQLite takes up to 32,766 in one statement
# A COPY text line (PostgreSQL), or the (dossier id, inputs, lines, total) of a row (SQLite).
EncodedCard = str | tuple[int | None, str, str, str]
# json.dumps's text without the spaces (the same JSON values), ASCII only.
json_text = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode


class CardEncoder:
    """Encodes the cards of one run (one grid, trigger and computation time) for ``store_cards``
    on ``dialect``: a COPY text line for PostgreSQL, the row's values for SQLite."""

    def __init__(self, dialect: str, *, grid_id: int, trigger: str, computed_at: datetime) -> None:
        self.dialect, self.grid_id, self.trigger = dialect, grid_id, trigger
        self.computed_at = computed_at
        self.copy = dialect == "postgresql"
        if self.copy:
            constants = (str(grid_id), _copy_escape(trigger), computed_at.isoformat(), "t")
            self.line_end = "\t" + "\t".join(constants) + "\n"

    def __call__(self, inputs: ScoringInputs, score: grid.Score) -> EncodedCard:
        stored, lines = json_text(inputs.to_json()), lines_text(score.lines)
        if self.copy:
            # JSON in ASCII holds no tab or newline; its backslashes are COPY's escape character.
            stored, lines = stored.replace("\\", "\\\\"), lines.replace("\\", "\\\\")
            return f"{inputs.dossier_id}\t{stored}\t{lines}\t{score.total:f}{self.line_end}"
        return inputs.dossier_id, stored, lines, f"{score.total:f}"


def store_cards(
    connection: Connection,
    encoder: CardEncoder,
    cards: Sequence[EncodedCard],
    dossier_ids: Sequence[int],
) -> int:
    """In the connection's transaction: the current cards of ``dossier_ids`` stop being current
    and ``cards`` (encoded by ``encoder``, one per dossier of ``dossier_ids``) are inserted as
    the current ones."""
    if not cards:
        return 0
    dialect = connection.dialect
    connection.execute(_demote_statement(dialect.name), ids_params(dossier_ids, dialect.name))
    table = dialect.identifier_preparer.format_table(CARDS)
    columns = ", ".join(dialect.identifier_preparer.quote(name) for name in COLUMNS)
    if encoder.copy:
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            copy.write("".join(cards))  # type: ignore[arg-type]
        return len(cards)
    constants = (
        encoder.grid_id,
        encoder.trigger,
        _bind_processor("computed_at", dialect)(encoder.computed_at),
    )
    for start in range(0, len(cards), ROWS_PER_INSERT):
        rows = cards[start : start + ROWS_PER_INSERT]
        values = ", ".join(["(?, ?, ?, ?)"] * len(rows))
        connection.exec_driver_sql(
            f"INSERT INTO {table} ({columns}) "
            f"SELECT column1, column2, column3, column4, ?, ?, ?, 1 FROM (VALUES {values})",
            (*constants, *chain.from_iterable(rows)),  # type: ignore[arg-type]
        )
    return len(cards)


@cache
def _demote_statement(dialect: str) -> Any:
    """UPDATE making the current cards of the ``ids`` dossiers not current (Core, not the ORM's
    bulk UPDATE: nothing to synchronise in the session). "IS NOT false" rather than "= true"
    keeps the planners on the dossier_id index: with "= true", SQLite walks the index on
    ``current``, every current card of every dossier, for each chunk."""
    return (
        update(CARDS)
        .where(ids_filter(CARDS.c.dossier_id, dialect), CARDS.c.current.is_not(False))
        .values(current=False)
    )


def _bind_processor(column: str, dialect: Any) -> Any:
    """What SQLAlchemy does to a value of ``column`` before handing it to the driver."""
    process = CARDS.c[column].type.dialect_impl(dialect).bind_processor(dialect)
    return process or (lambda value: value)


def _copy_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


# (code, label) of a grid component -> (maximum, JSON text before the points, between points
# and explanation): the parts every line of that component writes the same way.
_LINE_PARTS: dict[tuple[str, str], tuple[Decimal, str, str]] = {}


def lines_text(lines: Sequence[grid.ScoreLine]) -> str:
    """``json_text([line.to_json() for line in lines])``, the constant parts of each line
    encoded once (the points, digits and a dot, need no escaping)."""
    texts = []
    for line in lines:
        parts = _LINE_PARTS.get((line.code, line.label))
        if parts is None or parts[0] != line.max:
            parts = _line_parts(line)
        texts.append(
            parts[1] + str(line.points) + parts[2] + encode_json_string(line.explanation) + "}"
        )
    return "[" + ",".join(texts) + "]"


def _line_parts(line: grid.ScoreLine) -> tuple[Decimal, str, str]:
    # A placeholder for the points (encoded "\u0000") cuts the text in two; an unescaped quote
    # cannot appear inside an encoded label, so the marker is found only where the points go.
    text = json_text({**line.to_json(), "points": "\0", "explanation": ""})
    before, _marker, after = text.partition('"points":"\\u0000"')
    parts = (line.max, before + '"points":"', '"' + after[: -len('""}')])
    if len(_LINE_PARTS) < 1000:  # a few components per grid version
        _LINE_PARTS[line.code, line.label] = parts
    return parts
