"""Pure scoring functions: gates, grid bands and explanations, the aid formula (DOMAIN §4.4 worked
example), the financing checks and the grid validation."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest

from grants.scoring import aid, eligibility, financing, grid
from grants.scoring.inputs import PhysicianInput, ResourceInput, ScoringInputs

CONFIG = Path(__file__).resolve().parents[2] / "grants" / "data" / "config"
GRID = json.loads((CONFIG / "scoring_grid.json").read_text())["payload"]
FORMULA = json.loads((CONFIG / "aid_formula.json").read_text())["payload"]
RULES = json.loads((CONFIG / "financing_rules.json").read_text())["payload"]
REAL_ESTATE = "investment_real_estate"


def physicians(*etps: str, status: str = "already_on_site") -> tuple[PhysicianInput, ...]:
    return tuple(PhysicianInput(status, Decimal(e)) for e in etps)


def msp(**values) -> ScoringInputs:  # type: ignore[no-untyped-def]
    base = {
        "structure_type": "msp",
        "promoter_category": "ps_group",
        "aid_types": (REAL_ESTATE,),
        "financer_kinds": ("ars_envelope", "region"),
        "zoning_category": "zip",
        "has_diagnosis": True,
        "needs_analysis": True,
        "physicians": physicians("1", "1", "1", "1", "1", "0.5"),
        "professions": ("infirmier", "medecin_generaliste"),
        "professional_count": 8,
        "commitment_years": 10,
        "accepted_commitments": ("maintain_activity", "moderate_rent"),
        "costs": ((REAL_ESTATE, Decimal("3200000")),),
        "resources": (
            ResourceInput(REAL_ESTATE, "financer", Decimal("440000"), "ARS_IMMO", "ars_envelope"),
            ResourceInput(REAL_ESTATE, "financer", Decimal("900000"), "REGION_IDF", "region"),
            ResourceInput(REAL_ESTATE, "own_funds", Decimal("1860000")),
        ),
    }
    base.update(values)
    return ScoringInputs(**base)


# --- aid ---------------------------------------------------------------------------------------


def test_domain_worked_example_zip_etp_5_5_cost_3_2_million_gives_440_000():
    result = aid.compute(msp(), FORMULA, Decimal("55000000"))
    assert result.amount == Decimal("440000.00")
    assert [(line.code, line.amount) for line in result.lines] == [
        ("per_physician", Decimal("440000.00")),
        ("cost_cap", Decimal("1280000.00")),
        ("absolute_cap", Decimal("1500000.00")),
        ("envelope", Decimal("55000000.00")),
    ]
    assert [line.chosen for line in result.lines] == [True, False, False, False]
    assert "5,5 ETP" in result.lines[0].formula


def test_the_envelope_remaining_caps_the_aid():
    assert aid.compute(msp(), FORMULA, Decimal("100000")).amount == Decimal("100000.00")


def test_heads_basis_and_excluded_statuses():
    formula = {**FORMULA, "count_basis": "heads", "include": ["already_on_site"]}
    inputs = msp(physicians=physicians("0.5", "0.5") + physicians("1", status="new_installation"))
    result = aid.compute(inputs, formula, None)
    assert result.physicians_counted == 2
    assert result.amount == Decimal("160000.00")
    assert result.lines[-1].amount is None  # no envelope figure: that term does not apply


def test_fragile_zone_and_cost_cap():
    result = aid.compute(
        msp(zoning_category="fragile", costs=((REAL_ESTATE, Decimal("500000")),)), FORMULA, None
    )
    assert result.tier == "complementary"
    assert result.amount == Decimal("150000.00")  # 30 % of 500 000 < 50 000 × 5,5


def test_outside_zone_needs_a_diagnosis():
    assert aid.compute(msp(zoning_category="none"), FORMULA, None).tier == "outside_justified"
    refused = aid.compute(msp(zoning_category="none", has_diagnosis=False), FORMULA, None)
    assert not refused.eligible and refused.amount == 0


def test_optional_modulation_by_score():
    formula = copy.deepcopy(FORMULA)
    formula["modulation"]["enabled"] = True
    assert aid.compute(msp(), formula, None, Decimal("50")).amount == Decimal("352000.00")
    assert aid.compute(msp(), formula, None, Decimal("75")).amount == Decimal("440000.00")


# --- grid --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("etps", "points"),
    [
        (("1",), 0),
        (("1", "1"), 8),
        (("1", "1", "1"), 12),
        (("1",) * 5, 17),
        (("1",) * 7, 21),
        (("1",) * 9, 25),
        (("1", "1", "0.5"), 8),
    ],
)
def test_physician_bands(etps, points):
    line = grid.score(msp(physicians=physicians(*etps)), GRID).lines[2]
    assert line.code == "M" and line.points == points


def test_new_physicians_bonus_is_capped_and_the_component_at_its_weight():
    inputs = msp(physicians=physicians(*("1",) * 9, status="new_installation"))
    line = grid.score(inputs, GRID).lines[2]
    assert line.points == 25 and "Plafonné" in line.explanation


def test_zoning_points_and_sentences():
    lines = {
        z: grid.score(msp(zoning_category=z), GRID).lines[0] for z in ("zip", "fragile", "none")
    }
    assert [lines[z].points for z in ("zip", "fragile", "none")] == [25, 15, 5]
    assert "diagnostic" in lines["none"].explanation
    unknown = grid.score(msp(zoning_category=None, has_diagnosis=False), GRID).lines[0]
    assert unknown.points == 0 and "inconnu" in unknown.explanation


def test_checklist_explains_what_is_met_and_total_reading():
    result = grid.score(msp(coordinator_named=True, professions=("a", "b", "c")), GRID)
    project = result.lines[3]
    assert project.points == 7
    assert "coordination formalisée (+3)" in project.explanation
    assert "Non remplis" in project.explanation
    assert result.total == sum(line.points for line in result.lines)
    assert result.reading in grid.READINGS


def test_grid_validation():
    assert grid.validate(GRID) == []
    broken = copy.deepcopy(GRID)
    broken["components"][0]["weight"] = 30
    broken["components"][2]["bands"][1]["min"] = "1"
    broken["thresholds"] = {"favourable": 40, "reservations": 45}
    errors = grid.validate(broken)
    assert any("somme des poids" in e for e in errors)
    assert any("croissants" in e for e in errors)
    assert any("seuils" in e.lower() for e in errors)


# --- gates -------------------------------------------------------------------------------------


def gates(inputs: ScoringInputs) -> dict[str, eligibility.GateResult]:
    return {r.code: r for r in eligibility.evaluate(inputs, GRID)}


def test_a_sound_msp_passes_every_blocking_gate():
    results = gates(msp(admissible=True))
    assert all(r.passed for r in results.values()), results


def test_blocking_gates_fail_with_their_reason():
    results = gates(msp(promoter_category="association", commitment_years=3, resources=()))
    assert results["G2"].blocks and "association" in results["G2"].reason.lower()
    assert results["G5"].blocks and "3 ans" in results["G5"].reason
    assert results["G6"].blocks and "co-investissement" in results["G6"].reason


def test_envelope_share_cap_in_g6():
    resources = (
        ResourceInput(REAL_ESTATE, "financer", Decimal("3000000"), "ARS_IMMO", "ars_envelope"),
        ResourceInput(REAL_ESTATE, "own_funds", Decimal("200000")),
    )
    assert gates(msp(resources=resources))["G6"].blocks


def test_advisory_gates_are_flagged_not_blocking():
    results = gates(msp(zoning_category="none"))
    assert results["G7"].passed and results["G7"].flag == "hors zonage justifié"
    results = gates(msp(zoning_category="none", has_diagnosis=False))
    assert not results["G7"].passed and not results["G7"].blocks
    team = gates(msp(physicians=physicians("1"), professions=("medecin_generaliste",)))["G8"]
    assert not team.passed and not team.blocking  # advisory in the seed grid


def test_gates_of_the_envelope_do_not_apply_elsewhere():
    results = gates(msp(financer_kinds=("region",), promoter_category="association"))
    assert results["G2"].passed and not results["G2"].applicable


# --- financing ---------------------------------------------------------------------------------


def plan(*lines: financing.PlanLine) -> financing.FinancingPlan:
    return financing.FinancingPlan(costs={REAL_ESTATE: Decimal("1000000")}, lines=lines)


def test_financer_above_its_max_rate_and_own_funds_below_minimum():
    flags = financing.check(
        plan(
            financing.PlanLine(
                REAL_ESTATE,
                Decimal("500000"),
                financer_code="ARS_IMMO",
                financer_kind="ars_envelope",
                financer_name="ARS",
            ),
            financing.PlanLine(
                REAL_ESTATE,
                Decimal("450000"),
                financer_code="REGION_IDF",
                financer_kind="region",
                financer_name="Région",
            ),
            financing.PlanLine(REAL_ESTATE, Decimal("50000"), kind="own_funds"),
        ),
        RULES,
    )
    assert [(f.code, f.financer_code) for f in flags] == [
        ("financer_above_max_rate", "ARS_IMMO"),
        ("financer_above_max_rate", "REGION_IDF"),
        ("own_funds_below_minimum", None),
    ]
    assert "50,0 %" in flags[0].message and "40,0 %" in flags[0].message


def test_a_proposed_amount_replaces_the_request():
    flags = financing.check(
        plan(
            financing.PlanLine(
                REAL_ESTATE,
                Decimal("500000"),
                financer_code="ARS_IMMO",
                financer_kind="ars_envelope",
            ),
            financing.PlanLine(
                REAL_ESTATE,
                Decimal("300000"),
                financer_code="ARS_IMMO",
                financer_kind="ars_envelope",
                source="proposed",
            ),
            financing.PlanLine(REAL_ESTATE, Decimal("200000"), kind="own_funds"),
        ),
        RULES,
    )
    assert flags == []
