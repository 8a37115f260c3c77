"""Encoding and storing score cards in bulk: the lines' JSON text, and cards stored by one
statement per backend that read back as the values they were encoded from."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

from grants.extensions import db
from grants.scoring import grid
from grants.scoring.grid import ScoreLine
from grants.scoring.inputs import from_dossier
from grants.services import config_versions, scoring
from grants.services.dossiers import load_full
from grants.services.scoring_store import CardEncoder, lines_text, store_cards


def test_lines_text_is_the_json_of_the_lines():
    lines = [
        ScoreLine(
            "Z", 'Zonage "points":"\\u0000" — é', Decimal("5.5"), Decimal("25"), "Hors\n€ : 5."
        ),
        ScoreLine("C", "Cohérence", Decimal("0"), Decimal("10"), ""),
    ]
    text = lines_text(lines)
    assert json.loads(text) == [line.to_json() for line in lines]
    assert text == json.dumps([line.to_json() for line in lines], separators=(",", ":"))


def test_stored_cards_read_back_as_encoded_and_replace_the_current_one(submitted_dossier):
    """A trigger, label and explanation with a quote, a backslash, a tab and a newline survive
    the COPY text (PostgreSQL) and the JSON array (SQLite)."""
    grid_version = config_versions.active("scoring_grid")
    old = scoring.score_dossier(submitted_dossier.id, "submit")
    inputs = from_dossier(load_full(submitted_dossier.id))
    score = grid.score(inputs, grid_version.payload)
    odd = ScoreLine("X", 'Tab\t "cité" \\ é', Decimal("2.5"), Decimal("10"), "Ligne 1\nLigne\t2 \\")
    score = grid.Score(lines=(*score.lines, odd), total=score.total + odd.points, reading="")
    at = datetime(2026, 5, 4, 3, 2, 1, 123456, tzinfo=UTC)
    connection = db.session.connection()
    encoder = CardEncoder(
        connection.dialect.name, grid_id=grid_version.id, trigger="odd\ttrigger", computed_at=at
    )
    stored = store_cards(connection, encoder, [encoder(inputs, score)], [submitted_dossier.id])
    assert stored == 1
    db.session.expire_all()
    card = scoring.current_card(submitted_dossier.id)
    assert card.id != old.id and not db.session.get(type(old), old.id).current
    assert card.lines == [line.to_json() for line in score.lines]
    assert card.lines[-1]["label"] == 'Tab\t "cité" \\ é'
    assert card.inputs == json.loads(json.dumps(inputs.to_json()))
    assert card.total == score.total == old.total + Decimal("2.5")
    assert (card.trigger, card.computed_at, card.grid_id) == ("odd\ttrigger", at, grid_version.id)
