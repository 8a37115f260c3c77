"""The pre-submission check: a complete dossier passes; removing one item gives one problem."""

from __future__ import annotations

from decimal import Decimal

import pytest

from grants.extensions import db
from grants.services import pieces
from grants.services.completeness import advisories, blocking_problems
from grants.services.dossiers import load_full
from tests.factories import OrganisationFactory
from tests.helpers.complete_dossier import make_complete_dossier

ALL_AID_TYPES = ["feasibility_study", "investment_real_estate", "investment_equipment", "operating"]


def keys(dossier):  # type: ignore[no-untyped-def]
    return [(p.section, p.field) for p in blocking_problems(dossier)]


def reloaded(dossier):  # type: ignore[no-untyped-def]
    db.session.flush()
    dossier_id = dossier.id
    db.session.expire_all()
    return load_full(dossier_id)


def test_a_complete_dossier_has_no_problem(promoter):
    assert blocking_problems(make_complete_dossier(promoter)) == []


def test_every_aid_type_complete_has_no_problem(promoter):
    assert blocking_problems(make_complete_dossier(promoter, aid_types=ALL_AID_TYPES)) == []


def test_the_check_reads_at_most_the_piece_rules_and_the_grid(promoter, count_queries):
    dossier = make_complete_dossier(promoter)
    with count_queries() as counter:
        blocking_problems(dossier)
    # The piece rules, and the active scoring grid for the blocking eligibility gates.
    assert counter.count <= 2, counter.statements


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"title": "  "}, ("identity", "title")),
        ({"structure_type": None}, ("identity", "structure_type")),
        ({"nature": None}, ("identity", "nature")),
        ({"financer_codes": []}, ("identity", "financer_ids")),
        ({"project_stage": None}, ("identity", "project_stage")),
        ({"owner_is_promoter": False, "owner_name": "SCI Les Praticiens"}, None),
        ({"owner_is_promoter": False, "owner_name": ""}, ("promoter", "owner_name")),
        ({"commune_codes": []}, ("territory", "commune_inputs-0")),
        ({"address": None}, ("territory", "address")),
        ({"diagnosis_reference": None}, ("territory", "diagnosis_reference")),
        ({"diagnosis_date": None}, ("territory", "diagnosis_date")),
        ({"bassin_population": None}, ("territory", "bassin_population")),
        ({"needs_analysis": ""}, ("health_project", "needs_analysis")),
        ({"operation_type": None}, ("real_estate", "operation_type")),
        ({"land_status": None}, ("real_estate", "land_status")),
        ({"surface_m2": None}, ("real_estate", "surface_m2")),
        (
            {"cost_land": None, "cost_works": None, "cost_design_fees": None},
            ("real_estate", "cost_land"),
        ),
        ({"cost_land": None}, None),
        ({"planned_rent_m2_year": None}, ("real_estate", "planned_rent_m2_year")),
        ({"commitment_years": None}, ("real_estate", "commitment_years")),
        ({"commitments_signatory": " "}, ("commitments", "commitments_signatory")),
    ],
)
def test_removing_one_item_yields_exactly_its_problem(promoter, overrides, expected):
    dossier = make_complete_dossier(promoter, **overrides)
    assert keys(dossier) == ([expected] if expected else [])


def test_at_least_one_aid_type(promoter):
    dossier = make_complete_dossier(promoter)
    dossier.aid_types = []
    assert keys(dossier) == [("identity", "aid_types")]


@pytest.mark.parametrize(
    "field", ["feasibility_status", "feasibility_cost_ttc", "feasibility_subsidy_requested"]
)
def test_feasibility_fields_when_the_study_is_requested(promoter, field):
    dossier = make_complete_dossier(promoter, aid_types=["feasibility_study"], **{field: None})
    assert keys(dossier) == [("feasibility", field)]
    # Not requested: the same gap is no problem.
    assert keys(make_complete_dossier(promoter, **{field: None})) == []


def test_diagnosis_is_only_required_for_the_ars_real_estate_aid(promoter):
    dossier = make_complete_dossier(
        promoter, financer_codes=["REGION_IDF", "DEP_77"], diagnosis_reference=None
    )
    assert keys(dossier) == []


def test_a_public_promoter_needs_its_deliberation(promoter):
    commune = OrganisationFactory(category="collectivite", legal_form="commune")
    dossier = make_complete_dossier(
        promoter, organisation=commune, deliberation_reference=None, deliberation_date=None
    )
    assert keys(dossier) == [
        ("promoter", "deliberation_reference"),
        ("promoter", "deliberation_date"),
    ]


def test_professionals_rules(promoter):
    dossier = make_complete_dossier(promoter)
    dossier.professionals[1].sector = None
    assert keys(dossier) == [("professionals", "rows-1-sector")]
    dossier.professionals.clear()
    assert keys(reloaded(dossier)) == [("professionals", "rows-0-last_name")]


def test_the_ars_real_estate_aid_needs_a_majority_of_physicians(promoter):
    dossier = make_complete_dossier(promoter)
    for person in dossier.professionals[:2]:
        person.profession, person.sector = "infirmier", None
    assert keys(dossier) == [("professionals", "rows-0-profession")]
    assert "majoritairement des médecins" in blocking_problems(dossier)[0].message
    for person in dossier.professionals:
        if person.profession == "medecin_generaliste":
            person.profession, person.sector = "infirmier", None
    problems = blocking_problems(dossier)
    assert [(p.section, p.field) for p in problems] == [("professionals", "rows-0-profession")]
    assert "au moins un médecin" in problems[0].message


def test_without_the_ars_real_estate_aid_the_physician_share_is_only_advice(promoter):
    dossier = make_complete_dossier(promoter, financer_codes=["REGION_IDF", "DEP_77"])
    for person in dossier.professionals[:2]:
        person.profession, person.sector = "infirmier", None
    assert keys(dossier) == []
    assert [p.field for p in advisories(dossier)] == ["rows-0-profession"]


def test_objectives_are_required(promoter):
    dossier = make_complete_dossier(promoter)
    dossier.objectives.clear()
    assert keys(reloaded(dossier)) == [("objectives", "rows-0-objective")]


def test_each_operating_year_needs_a_line(promoter):
    dossier = make_complete_dossier(promoter)
    for line in [line for line in dossier.operating_lines if line.year_index == 2]:
        dossier.operating_lines.remove(line)
    problems = blocking_problems(reloaded(dossier))
    assert [(p.section, p.field) for p in problems] == [("operating", "rows-0-year_index")]
    assert "année 2" in problems[0].message


def test_each_requested_aid_type_needs_cost_lines(promoter):
    dossier = make_complete_dossier(promoter)
    for line in [c for c in dossier.cost_lines if c.aid_type == "operating"]:
        dossier.cost_lines.remove(line)
    problems = blocking_problems(reloaded(dossier))
    assert [(p.section, p.field) for p in problems] == [("financing", "costs-0-aid_type")]
    assert "fonctionnement" in problems[0].message


def test_the_plan_must_balance_to_the_cent(promoter):
    dossier = make_complete_dossier(promoter)
    dossier.resource_lines[0].amount += Decimal("0.01")
    problems = blocking_problems(dossier)
    assert [(p.section, p.field) for p in problems] == [("financing", "resources-0-amount")]
    assert "1 234 567,89" in problems[0].message.replace("\u202f", " ").replace("\xa0", " ")


def test_every_targeted_financer_requests_an_amount(promoter):
    dossier = make_complete_dossier(promoter)
    for line in dossier.resource_lines:
        if line.financer is not None and line.financer.code == "REGION_IDF":
            line.kind, line.financer_id, line.financer = "own_funds", None, None
    problems = blocking_problems(dossier)
    assert [(p.section, p.field) for p in problems] == [("financing", "resources-0-financer_id")]
    assert "Région Île-de-France" in problems[0].message


@pytest.mark.parametrize(
    "commitment",
    [
        "inform_changes",
        "health_project_reporting",
        "maintain_activity",
        "moderate_rent",
        "accept_cpom",
    ],
)
def test_mandatory_commitments(promoter, commitment):
    dossier = make_complete_dossier(promoter)
    dossier.accepted_commitments = [c for c in dossier.accepted_commitments if c != commitment]
    assert keys(dossier) == [("commitments", "accepted_commitments")]


def test_conditional_commitments_are_optional_otherwise(promoter):
    dossier = make_complete_dossier(
        promoter,
        aid_types=["operating"],
        financer_codes=["REGION_IDF"],
        accepted_commitments=["inform_changes", "health_project_reporting"],
    )
    assert keys(dossier) == []


def test_missing_mandatory_pieces_block_per_financer(promoter):
    dossier = make_complete_dossier(promoter, with_pieces=False)
    problems = blocking_problems(dossier)
    assert {p.section for p in problems} <= {"pieces"}
    if hasattr(pieces, "missing_by_financer"):
        assert problems, "a dossier with no piece at all must be blocked"
        assert all(p.field == "piece_code" for p in problems)
        assert any("Projet de santé" in p.message for p in problems)
