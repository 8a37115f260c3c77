"""Scoring services: cards stored after commit with their grid version, adjustments with a
justification and an audit event, grid versioning and the background re-score job, the bulk
loader agreeing with the per-dossier inputs, and eligibility gates at submission."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
from sqlalchemy import select

from grants.extensions import db
from grants.models import AuditEvent, BackgroundJob
from grants.models.scoring import ScoreCard
from grants.scoring.inputs import from_dossier
from grants.services import config_versions, scoring
from grants.services.completeness import blocking_problems
from grants.services.dossiers import load_full
from grants.services.scoring_inputs import load_inputs
from grants.services.submission import SubmissionRefusedError, submit_dossier
from tests import factories
from tests.helpers.complete_dossier import make_complete_dossier


def cards(dossier_id: int) -> list[ScoreCard]:
    return list(
        db.session.scalars(
            select(ScoreCard).where(ScoreCard.dossier_id == dossier_id).order_by(ScoreCard.id)
        )
    )


def test_scheduled_scoring_runs_after_commit_and_names_its_grid(submitted_dossier):
    scoring.schedule_scoring(submitted_dossier.id, "submit")
    assert cards(submitted_dossier.id) == []  # nothing before the commit
    db.session.commit()
    [card] = cards(submitted_dossier.id)
    grid = config_versions.active("scoring_grid")
    assert card.current and card.grid_id == grid.id and card.trigger == "submit"
    assert [line["code"] for line in card.lines] == ["Z", "D", "M", "P", "F", "C"]
    assert card.total == sum(Decimal(line["points"]) for line in card.lines)
    assert all(line["explanation"] for line in card.lines)


def test_drafts_are_not_scored(dossier):
    assert scoring.score_dossier(dossier.id, "instructor") is None


def test_bulk_inputs_equal_the_inputs_of_the_loaded_dossier(submitted_dossier):
    loaded = load_full(submitted_dossier.id)
    assert load_inputs([submitted_dossier.id])[submitted_dossier.id] == from_dossier(loaded)


def test_adjustment_needs_a_justification_and_is_audited(submitted_dossier, ars_instructor):
    card = scoring.score_dossier(submitted_dossier.id, "instructor")
    with pytest.raises(scoring.AdjustmentRefusedError) as refused:
        scoring.adjust_criterion(
            card, criterion="C", points="8", justification=" ", actor=ars_instructor
        )
    assert refused.value.status == 422
    with pytest.raises(scoring.AdjustmentRefusedError):
        scoring.adjust_criterion(
            card, criterion="C", points="11", justification="Trop de points", actor=ars_instructor
        )
    scoring.adjust_criterion(
        card,
        criterion="C",
        points="8",
        justification="Le CLS est signé depuis le dépôt (courrier du maire).",
        actor=ars_instructor,
    )
    line = next(entry for entry in scoring.effective_lines(card) if entry["code"] == "C")
    assert line["points"] == Decimal("8") and line["original"] == Decimal(card.lines[5]["points"])
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "score.adjusted"))
    assert event.dossier_id == submitted_dossier.id and event.data["criterion"] == "C"


def new_grid_payload() -> dict:
    payload = copy.deepcopy(config_versions.active("scoring_grid").payload)
    payload["components"][0]["weight"] = 30
    payload["components"][1]["weight"] = 5
    return payload


def test_invalid_grid_is_refused_and_nothing_changes(app):
    admin = factories.UserFactory(role="admin")
    payload = new_grid_payload()
    payload["components"][0]["weight"] = 50
    with pytest.raises(config_versions.ConfigRefusedError) as refused:
        config_versions.create_version("scoring_grid", payload, actor=admin, version="2026-x")
    assert "somme des poids" in refused.value.errors[0]
    assert config_versions.active("scoring_grid").version == "2025-01"


def test_new_grid_rescores_open_dossiers_in_the_background(submitted_dossier):
    admin = factories.UserFactory(role="admin")
    old_card = scoring.score_dossier(submitted_dossier.id, "submit")
    old_grid = config_versions.active("scoring_grid")
    grid = config_versions.create_version(
        "scoring_grid", new_grid_payload(), actor=admin, version="2026-01"
    )
    job = scoring.start_rescore(grid, actor=admin)
    assert job.state == "queued" and job.total >= 1
    db.session.commit()  # the job runs in-process after the commit (no broker)
    db.session.expire_all()
    job = db.session.get(BackgroundJob, job.id)
    assert job.state == "done" and job.done == job.total
    current = scoring.current_card(submitted_dossier.id)
    assert current.grid_id == grid.id and current.trigger == "grid_change"
    old = db.session.get(ScoreCard, old_card.id)
    assert not old.current and old.grid_id == old_grid.id and old.grid.version == "2025-01"
    assert config_versions.active("scoring_grid").id == grid.id
    assert not db.session.get(type(old_grid), old_grid.id).active
    # Running the job again does nothing: the card scored by hand, the one the filing scheduled
    # (run at the commit) and the re-scored one.
    before = len(cards(submitted_dossier.id))
    assert before == 3
    scoring.run_rescore(job.id)
    assert len(cards(submitted_dossier.id)) == before


def test_blocking_gate_blocks_submission_with_its_reason(promoter):
    dossier = make_complete_dossier(promoter, commitment_years=3)
    messages = [p.message for p in blocking_problems(dossier)]
    assert any("durée d'engagement (3 ans)" in m for m in messages), messages
    with pytest.raises(SubmissionRefusedError) as refused:
        submit_dossier(dossier, actor=promoter, expected_lock_version=dossier.lock_version)
    assert refused.value.status == 422


def test_advisory_gates_do_not_block(promoter):
    # A single physician in an MSP fails the (advisory) minimum team gate only.
    dossier = make_complete_dossier(promoter, financer_codes=["REGION_IDF", "DEP_77"])
    for person in dossier.professionals[1:3]:
        person.profession = "infirmier"
        person.sector = None
    db.session.flush()
    assert blocking_problems(dossier) == []


def test_a_gate_made_blocking_in_a_new_version_blocks(promoter):
    admin = factories.UserFactory(role="admin")
    payload = copy.deepcopy(config_versions.active("scoring_grid").payload)
    payload["eligibility"]["G8"]["blocking"] = True
    config_versions.create_version("scoring_grid", payload, actor=admin, version="g8")
    dossier = make_complete_dossier(promoter, financer_codes=["REGION_IDF", "DEP_77"])
    for person in dossier.professionals[1:3]:
        person.profession = "infirmier"
        person.sector = None
    db.session.flush()
    assert [p.field for p in blocking_problems(dossier)] == ["rows-0-profession"]
