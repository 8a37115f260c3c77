"""The work list's SQL: cursors, the dialect-aware aid-type test, the search index on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text

from grants.extensions import db
from grants.models import Dossier
from grants.services import worklist
from grants.services.search_text import with_folded_words
from grants.services.worklist import BadCursorError, Filters
from tests.helpers.worklist_data import make_filed

SECRET = "test-secret"


def test_cursor_round_trips_and_refuses_tampering_or_another_order():
    filters = Filters(sort="submitted_at", direction="asc")
    moment = datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=UTC)
    token = worklist.encode_cursor(SECRET, filters, (moment, 42))
    assert worklist.decode_cursor(SECRET, filters, token) == (moment, 42)
    title = Filters(sort="title")
    assert worklist.decode_cursor(SECRET, title, worklist.encode_cursor(SECRET, title, ("É", 3)))
    for bad in (token[:-2] + "xx", "e30", "", token.replace(".", "!")):
        with pytest.raises(BadCursorError):
            worklist.decode_cursor(SECRET, filters, bad)
    with pytest.raises(BadCursorError):
        worklist.decode_cursor(SECRET, Filters(sort="submitted_at", direction="desc"), token)
    with pytest.raises(BadCursorError):
        worklist.decode_cursor("another-secret", filters, token)


def test_count_key_ignores_the_order_but_not_the_user_or_filters():
    a = Filters(q="msp", sort="title")
    assert a.count_key(1) == Filters(q="msp", direction="asc").count_key(1)
    assert a.count_key(1) != a.count_key(2)
    assert a.count_key(1) != Filters(q="msp", departement="77").count_key(1)


def test_folded_words_are_appended_once():
    assert with_folded_words("MSP d'Égreville, Égreville") == "MSP d'Égreville, Égreville egreville"
    assert with_folded_words("plain ascii text") == "plain ascii text"


def test_aid_type_containment_on_this_backend(app):
    both = make_filed(aid_types=("operating", "feasibility_study"))
    make_filed(aid_types=("investment_real_estate",))
    found = db.session.scalars(
        select(Dossier.id).where(worklist.aid_type_contains("feasibility_study"))
    ).all()
    assert found == [both.id]


@pytest.mark.postgres_only
def test_full_text_search_uses_the_gin_index_on_postgresql(app, ars_instructor):
    """The search predicate is written exactly as the index expression, so the GIN index serves
    it (the page's other filters may pick other plans on a small table; the bench checks the
    whole page on 100,000 rows)."""
    assert db.engine.dialect.name == "postgresql"
    make_filed(search_text="Maison de santé d'Égreville")
    statement = select(Dossier.id).where(worklist.search_clause("egreville"))
    compiled = statement.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True})
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(db.session.scalars(text(f"EXPLAIN {compiled}")))
    assert "ix_dossiers_search" in plan, plan
