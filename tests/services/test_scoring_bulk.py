"""The bulk scoring path (the re-score job, the benchmark): the stored card holds what the pure
functions give, re-scoring leaves one current card per dossier and skips drafts, and the bulk
loader builds complete inputs equal to those of the loaded dossier."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select, update

from grants.extensions import db
from grants.models import CostLine, Professional, ResourceLine
from grants.models.base import utcnow
from grants.scoring import grid
from grants.scoring.inputs import PhysicianInput, ResourceInput, ScoringInputs, from_dossier
from grants.services import config_versions, scoring
from grants.services.dossiers import load_full
from grants.services.scoring_inputs import load_batch, load_inputs
from grants.services.scoring_store import CARDS
from tests.helpers.complete_dossier import make_complete_dossier


def test_stored_card_holds_the_results_of_the_pure_functions(submitted_dossier):
    grid_version = config_versions.active("scoring_grid")
    inputs = from_dossier(load_full(submitted_dossier.id))
    assert scoring.score_dossiers([submitted_dossier.id], trigger="instructor") == 1
    card = scoring.current_card(submitted_dossier.id)
    result = grid.score(inputs, grid_version.payload)
    assert card.inputs == json.loads(json.dumps(inputs.to_json()))
    assert ScoringInputs.from_json(card.inputs) == inputs
    assert card.lines == [line.to_json() for line in result.lines]
    assert card.total == result.total and card.grid_id == grid_version.id
    assert card.current and card.trigger == "instructor"
    assert abs(card.computed_at - utcnow()) < timedelta(minutes=5)


def test_rescoring_keeps_one_current_card_per_dossier_and_skips_drafts(submitted_dossier, dossier):
    ids = [dossier.id, submitted_dossier.id]
    assert scoring.score_dossiers(ids, trigger="first") == 1
    assert scoring.score_dossiers(ids + ids, trigger="second") == 1
    rows = db.session.execute(
        select(CARDS.c.dossier_id, CARDS.c.current, CARDS.c.trigger)
        .where(CARDS.c.dossier_id.in_(ids))
        .order_by(CARDS.c.id)
    ).all()
    assert [tuple(row) for row in rows] == [
        (submitted_dossier.id, False, "first"),
        (submitted_dossier.id, True, "second"),
    ]


def test_bulk_inputs_equal_those_of_the_loaded_draft(dossier):
    assert load_inputs([dossier.id])[dossier.id] == from_dossier(load_full(dossier.id))


def test_bulk_inputs_of_drafts_take_the_zoning_in_force_of_their_communes(promoter):
    grigny = make_complete_dossier(promoter, commune_codes=("91286", "77458"))  # + Souppes
    souppes = make_complete_dossier(promoter, commune_codes=("77458",))
    db.session.flush()
    loaded = load_inputs([grigny.id, souppes.id])
    assert (loaded[grigny.id].zoning_category, loaded[grigny.id].zoning_frozen) == (
        "deficitaire",
        False,
    )
    assert loaded[souppes.id].zoning_category == "none"  # outside every unit of the scheme
    for dossier in (grigny, souppes):
        assert loaded[dossier.id] == from_dossier(load_full(dossier.id))


def test_bulk_inputs_follow_the_positions_of_the_lines_not_their_ids(submitted_dossier):
    before = load_inputs([submitted_dossier.id])[submitted_dossier.id]
    for table in (Professional.__table__, ResourceLine.__table__, CostLine.__table__):
        db.session.execute(
            update(table)
            .where(table.c.dossier_id == submitted_dossier.id)
            .values(position=1000 - table.c.id)
        )
    db.session.expire_all()
    after = load_inputs([submitted_dossier.id])[submitted_dossier.id]
    assert after == from_dossier(load_full(submitted_dossier.id))
    assert after.physicians == before.physicians[::-1] != before.physicians
    assert after.resources == before.resources[::-1] != before.resources


def test_transient_inputs_are_complete_and_equal_the_others(submitted_dossier):
    [inputs] = load_batch([submitted_dossier.id])
    [transient] = load_batch([submitted_dossier.id]).inputs(transient=True)
    assert transient == inputs and transient.physicians and transient.resources
    for value in (transient, *transient.physicians, *transient.resources):
        assert set(vars(value)) == {field.name for field in fields(value)}


def test_inputs_json_round_trips_in_both_forms():
    inputs = ScoringInputs(
        dossier_id=7,
        state="admissible",
        aid_types=("operating",),
        zoning_category="zac",
        zoning_frozen=True,
        physicians=(
            PhysicianInput("new_installation", Decimal("0.80"), "gte60", ("caim",)),
            PhysicianInput("already_on_site", Decimal("1.00")),
        ),
        professions=("infirmier", "medecin_generaliste"),
        planned_rent=Decimal("120.50"),
        costs=(("operating", Decimal("1000.00")),),
        resources=(
            ResourceInput(
                "operating", "financer", Decimal("500.00"), "ARS", "ars_fir", "ARS — « FIR »"
            ),
            ResourceInput("operating", "own_funds", Decimal("0")),
        ),
        section_real_estate_cost=Decimal("10.00"),
    )
    stored = json.loads(json.dumps(inputs.to_json()))
    assert stored[0] == 2 and ScoringInputs.from_json(stored) == inputs
    named = {  # the form of the cards stored before the compact one
        **{f.name: getattr(inputs, f.name) for f in fields(ScoringInputs)},
        "planned_rent": "120.50",
        "market_rent": None,
        "section_real_estate_cost": "10.00",
        "physicians": [{**vars(p), "etp": str(p.etp)} for p in inputs.physicians],
        "resources": [{**vars(r), "amount": str(r.amount)} for r in inputs.resources],
        "costs": [["operating", "1000.00"]],
    }
    assert ScoringInputs.from_json(json.loads(json.dumps(named))) == inputs
