"""Aggregates over a dossier's rows: heads vs ETP, physicians, balance per aid type, budget."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from grants.services.aggregates import (
    balance_by_aid_type,
    dossier_aggregates,
    operating_totals,
    physicians_without_sector,
    professional_aggregates,
)


def person(profession: str, etp: str, status: str = "already_on_site", sector=None):  # type: ignore[no-untyped-def]
    return SimpleNamespace(
        profession=profession, etp=Decimal(etp), status_in_project=status, sector=sector
    )


def line(aid_type: str, amount: str) -> SimpleNamespace:
    return SimpleNamespace(aid_type=aid_type, amount=Decimal(amount))


def test_headcount_and_etp_per_profession_differ():
    result = professional_aggregates(
        [
            person("infirmier", "0.5"),
            person("medecin_generaliste", "0.3"),
            person("infirmier", "0.25"),
            person("infirmier", "1"),
        ]
    )
    assert [(p.profession, p.headcount, p.etp) for p in result.by_profession] == [
        ("medecin_generaliste", 1, Decimal("0.3")),
        ("infirmier", 3, Decimal("1.75")),
    ]
    assert result.total_headcount == 4 and result.total_etp == Decimal("2.05")
    assert result.distinct_professions == 2


def test_physicians_split_existing_and_new_and_share_of_heads():
    result = professional_aggregates(
        [
            person("medecin_generaliste", "1"),
            person("medecin_specialiste", "0.2", "new_installation"),
            person("medecin_generaliste", "0.5", "letter_of_intent_only"),
            person("sage_femme", "1"),
            person("pharmacien", "1"),
            person("infirmier", "1"),
        ]
    )
    physicians = result.physicians
    assert (physicians.headcount, physicians.etp) == (3, Decimal("1.7"))
    assert (physicians.existing_headcount, physicians.existing_etp) == (1, Decimal("1"))
    assert (physicians.new_headcount, physicians.new_etp) == (2, Decimal("0.7"))
    assert result.physician_share == Decimal("0.5000")  # 3 of 6 heads, whatever the ETP


def test_no_professional_gives_no_share():
    result = professional_aggregates([])
    assert result.physician_share is None and result.total_etp == 0
    assert result.by_profession == () and result.physicians.headcount == 0


def test_physicians_without_sector():
    missing = person("medecin_generaliste", "1")
    rows = [missing, person("medecin_specialiste", "1", sector="optam"), person("infirmier", "1")]
    assert physicians_without_sector(rows) == [missing]


def test_balance_per_aid_type_is_exact_and_ordered():
    balances = balance_by_aid_type(
        [
            line("operating", "0.10"),
            line("investment_real_estate", "1000"),
            line("operating", "0.20"),
        ],
        [line("operating", "0.30"), line("investment_real_estate", "600.01")],
        aid_types=["feasibility_study"],
    )
    assert [b.aid_type for b in balances] == [
        "feasibility_study",
        "investment_real_estate",
        "operating",
    ]
    study, real_estate, operating = balances
    assert study.costs == study.resources == 0 and study.balanced
    assert real_estate.balance == Decimal("-399.99") and not real_estate.balanced
    assert operating.costs == Decimal("0.30") and operating.balanced  # no float drift


def test_operating_totals_per_year():
    years = operating_totals(
        [
            SimpleNamespace(year_index=1, kind="charge", amount=Decimal("100.50")),
            SimpleNamespace(year_index=1, kind="produit", amount=Decimal("80")),
            SimpleNamespace(year_index=3, kind="produit", amount=Decimal("10")),
        ]
    )
    assert [(y.year_index, y.charges, y.produits, y.result) for y in years] == [
        (1, Decimal("100.50"), Decimal("80"), Decimal("-20.50")),
        (2, 0, 0, 0),
        (3, 0, Decimal("10"), Decimal("10")),
    ]


def test_dossier_aggregates_combines_everything():
    dossier = SimpleNamespace(
        professionals=[person("medecin_generaliste", "1")],
        cost_lines=[line("operating", "10")],
        resource_lines=[],
        operating_lines=[],
        aid_types=[],
    )
    result = dossier_aggregates(dossier)
    assert result.professionals.physician_share == 1
    assert result.balances[0].balance == Decimal("-10")
    assert len(result.operating) == 3
