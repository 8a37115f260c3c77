"""Scoring many dossiers chunk by chunk, each chunk stored and committed with the job's progress.

Per chunk there are three stages: reading the rows (``fetch_texts``: one statement), scoring
(decoding the rows, building the inputs, ``grid.score`` and encoding the cards: Python) and
storing (``store_cards``: one statement, then the commit). The database stages run in C or on
the server, without the GIL, so when the session works on the engine (a worker, the embedded
default's in-process run) they go to a helper thread with a connection of its own: the next chunk
is read and the previous one stored while this thread scores the current one. A session bound to a
connection (a caller's outer transaction, as in tests) runs the same stages one after the other
on that connection, since other connections would not see its rows.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from grants.models.base import utcnow
from grants.models.scoring import ConfigVersion
from grants.scoring import grid
from grants.services.scoring_inputs import (
    BatchTexts,
    collector_paused,
    decode,
    fetch_texts,
    financer_table,
    scheme_in_force,
)
from grants.services.scoring_store import CardEncoder, EncodedCard, store_cards

# Runs in each chunk's storing transaction, on its connection, with the chunk's dossier ids.
OnStored = Callable[[Connection, list[int]], None]


def score_in_chunks(
    session: Session,
    dossier_ids: Sequence[int],
    grid_version: ConfigVersion,
    *,
    trigger: str,
    chunk: int,
    on_stored: OnStored,
) -> None:
    """Score the filed dossiers among ``dossier_ids`` with ``grid_version`` and store their cards,
    committing after each chunk (drafts are skipped). On an error, the chunks committed stay.
    The session's transaction is committed (ended) before the first chunk."""
    parts = [list(dossier_ids[i : i + chunk]) for i in range(0, len(dossier_ids), chunk)]
    if not parts:
        return
    bind = session.get_bind()
    encoder = CardEncoder(
        bind.dialect.name, grid_id=grid_version.id, trigger=trigger, computed_at=utcnow()
    )
    scorer = Scorer(grid_version, encoder)
    scheme_id = scheme_in_force(session)
    if isinstance(bind, Engine) and not _in_memory(bind):
        # No snapshot of the session's stays open meanwhile: on SQLite it would keep the WAL
        # from being checkpointed, and the session could not write after the run.
        session.commit()
        with _older_objects_frozen():
            _overlapped(bind, parts, scheme_id, scorer, on_stored)
        return
    connection = session.connection()
    financers = financer_table(connection)
    for part in parts:
        score_chunk(connection, part, scorer, scheme_id, financers)
        on_stored(connection, part)
        session.commit()
        connection = session.connection()


def score_chunk(
    connection: Connection,
    dossier_ids: Sequence[int],
    scorer: Scorer,
    scheme_id: int | None,
    financers: dict[int, tuple[str, str, str]],
) -> int:
    """The three stages one after the other, in the connection's transaction: the cards stored."""
    texts = fetch_texts(connection, dossier_ids, filed_only=True, scheme_id=scheme_id)
    dossiers, cards = scorer(texts, financers)
    return store_cards(connection, scorer.encoder, cards, dossiers)


class Scorer:
    """The middle stage: a chunk's texts to its encoded cards."""

    def __init__(self, grid_version: ConfigVersion, encoder: CardEncoder) -> None:
        self.payload, self.encoder = grid_version.payload, encoder

    def __call__(
        self, texts: BatchTexts, financers: dict[int, tuple[str, str, str]]
    ) -> tuple[list[int], list[EncodedCard]]:
        with collector_paused():  # scoring makes no reference cycles: the collector finds nothing
            batch = decode(texts, financers)
            payload, encode = self.payload, self.encoder
            cards = [
                encode(inputs, grid.score(inputs, payload))
                for inputs in batch.inputs(transient=True)
            ]
        return batch.dossier_ids, cards


def _overlapped(
    engine: Engine,
    parts: list[list[int]],
    scheme_id: int | None,
    scorer: Scorer,
    on_stored: OnStored,
) -> None:
    """The database stages on one helper thread and connection, in order: reading chunk k+1,
    then storing chunk k, while this thread scores chunk k+1. One thread is enough as long as
    reading and storing a chunk take less than scoring it (about two thirds of it on SQLite and
    PostgreSQL), and it leaves a two-core machine one core for the scoring."""
    with (
        engine.connect() as connection,
        ThreadPoolExecutor(1, thread_name_prefix="scoring") as helper,
    ):  # left first: the helper's work finishes before the connection closes

        def fetch(part: list[int]) -> BatchTexts:
            with connection.begin():
                return fetch_texts(connection, part, filed_only=True, scheme_id=scheme_id)

        def store(part: list[int], dossiers: list[int], cards: list[EncodedCard]) -> None:
            with connection.begin():
                store_cards(connection, scorer.encoder, cards, dossiers)
                on_stored(connection, part)

        with connection.begin():
            financers = financer_table(connection)
        reading = helper.submit(fetch, parts[0])
        storing: Future[None] | None = None
        for index, part in enumerate(parts):
            texts = reading.result()
            if index + 1 < len(parts):
                reading = helper.submit(fetch, parts[index + 1])
            dossiers, cards = scorer(texts, financers)
            if storing is not None:
                storing.result()
            storing = helper.submit(store, part, dossiers, cards)
        if storing is not None:
            storing.result()


@contextmanager
def _older_objects_frozen() -> Iterator[None]:
    """The objects that exist before the run (the app, its modules, caches: a few hundred
    thousand) left out of the garbage collector's full passes meanwhile: each pass over them
    costs a tenth of a second, several times in a long run, for nothing to find."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _in_memory(engine: Engine) -> bool:
    """An in-memory SQLite database exists once per connection: one connection does it all."""
    return engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:")
