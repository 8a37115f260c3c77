"""docs/workflow.md is generated from the transition table and never goes stale."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

from grants.workflow import mermaid
from grants.workflow.agreement_table import AGREEMENT_TRANSITIONS, AMENDMENT_TRANSITIONS
from grants.workflow.states import (
    HOLDABLE_STATES,
    STAFF_AGREEMENT_LABELS,
    STAFF_AMENDMENT_LABELS,
    STAFF_DOSSIER_LABELS,
    STAFF_TRACK_LABELS,
)
from grants.workflow.table import DOSSIER_TRANSITIONS, TRACK_TRANSITIONS, TRANSITIONS

MERMAID_BLOCK = re.compile(r"```mermaid\n(.*?)```", re.S)
# The only statement shapes the renderer may emit (a stricter subset of stateDiagram-v2).
STATEMENT = re.compile(
    r'^(stateDiagram-v2|    state "[^"\n]+" as \w+|    (\[\*\]|\w+) --> (\[\*\]|\w+)( : [^:\n]+)?)$'
)


def test_docs_workflow_md_is_up_to_date() -> None:
    current = mermaid.DOC_PATH.read_text(encoding="utf-8") if mermaid.DOC_PATH.exists() else ""
    assert current == mermaid.render(), (
        f"{mermaid.DOC_PATH} is stale: the transition table changed. "
        f"Regenerate it with `{mermaid.REGENERATE}` (or `.venv/bin/grants workflow-diagram`)."
    )


def test_one_diagram_per_machine_with_valid_statements() -> None:
    blocks = MERMAID_BLOCK.findall(mermaid.render())
    assert len(blocks) == len(MACHINES)
    for block in blocks:
        lines = block.strip().splitlines()
        assert lines[0] == "stateDiagram-v2"
        bad = [line for line in lines if not STATEMENT.match(line)]
        assert not bad


MACHINES = ("dossier", "track", "agreement", "amendment")


def _blocks() -> dict[str, str]:
    return dict(zip(MACHINES, MERMAID_BLOCK.findall(mermaid.render()), strict=True))


def _edges(block: str) -> set[tuple[str, str, str]]:
    found = re.findall(r"^    (\S+) --> (\S+) : (.+)$", block, re.M)
    return {(a, b, label) for a, b, label in found}


@pytest.mark.parametrize("transition", TRANSITIONS, ids=lambda t: f"{t.machine}.{t.event}")
def test_every_transition_is_drawn_from_each_source_with_its_roles(transition) -> None:  # type: ignore[no-untyped-def]
    edges = _edges(_blocks()[transition.machine])
    roles = "⚙ auto" if "system" in transition.roles else ", ".join(sorted(transition.roles))
    label = f"{transition.event} · {roles}"
    targets = [transition.target] if transition.target else sorted(HOLDABLE_STATES)
    for source in transition.sources:
        for target in targets:
            assert (source, target, label) in edges


def test_states_carry_their_french_staff_labels() -> None:
    blocks = _blocks()
    dossier_block, track_block = blocks["dossier"], blocks["track"]
    assert 'state "Vérification de complétude (completeness_check)" as completeness_check' in (
        dossier_block
    )
    assert 'state "En attente (on_hold)" as on_hold' in dossier_block
    assert 'state "Non concerné (not_concerned)" as not_concerned' in track_block
    used = {s for t in DOSSIER_TRANSITIONS for s in t.sources | {t.target or "on_hold"}}
    for state in used:
        assert f'"{STAFF_DOSSIER_LABELS[state]} ({state})" as {state}' in dossier_block
    for state in {s for t in TRACK_TRANSITIONS for s in t.sources | {t.target}}:
        assert f'"{STAFF_TRACK_LABELS[state]} ({state})" as {state}' in track_block
    for state in {s for t in AGREEMENT_TRANSITIONS for s in t.sources | {t.target}}:
        assert f'"{STAFF_AGREEMENT_LABELS[state]} ({state})" as {state}' in blocks["agreement"]
    for state in {s for t in AMENDMENT_TRANSITIONS for s in t.sources | {t.target}}:
        assert f'"{STAFF_AMENDMENT_LABELS[state]} ({state})" as {state}' in blocks["amendment"]


def test_automatic_transitions_are_marked() -> None:
    text = mermaid.render()
    assert "completeness_check --> admissible : declare_admissible · ⚙ auto" in text
    assert "admissible --> under_instruction : start_instruction · ⚙ auto" in text
    assert "draft --> submitted : submit · promoter_owner" in text
    assert "decided --> agreements_in_progress : start_agreements · ⚙ auto" in text
    assert "signed_by_promoter --> active : countersign · ars_decider, financer_decider" in text


def test_cli_rewrites_the_document_and_check_detects_staleness(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "docs" / "workflow.md"
    monkeypatch.setattr(mermaid, "DOC_PATH", target)
    runner = app.test_cli_runner()

    stale = runner.invoke(args=["workflow-diagram", "--check"])
    assert stale.exit_code != 0
    assert "grants workflow-diagram" in stale.output

    result = runner.invoke(args=["workflow-diagram"])
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8") == mermaid.render()

    fresh = runner.invoke(args=["workflow-diagram", "--check"])
    assert fresh.exit_code == 0, fresh.output
