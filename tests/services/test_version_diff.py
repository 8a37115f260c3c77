"""The readable diff between two snapshot payloads."""

from __future__ import annotations

import copy

from grants.services.version_diff import diff_payloads


def _payload() -> dict:
    return {
        "organisation": {"legal_name": "SISA A", "category": "ps_group"},
        "sections": {
            "identity": {"title": "MSP", "structure_type": "msp", "aid_types": ["operating"]},
            "real_estate": {"cost_works": "1000.00", "opening_date": "2027-01-01"},
            "territory": {"flag_qpv": False},
        },
        "financers": [{"code": "ARS_IMMO", "name": "ARS"}],
        "communes": [],
        "professionals": [
            {
                "last_name": "Martin",
                "first_name": "Claire",
                "profession": "medecin_generaliste",
                "etp": "1.00",
            },
        ],
        "objectives": [],
        "operating_lines": [],
        "cost_lines": [],
        "resource_lines": [],
        "attachments": [],
    }


def test_identical_payloads_have_no_diff(app):
    assert diff_payloads(_payload(), _payload()) == []


def test_fields_and_rows_in_french(app):
    old, new = _payload(), _payload()
    new["sections"]["identity"]["structure_type"] = "cds"
    new["sections"]["real_estate"]["cost_works"] = "2500.50"
    new["sections"]["territory"]["flag_qpv"] = True
    new["organisation"]["legal_name"] = "SISA B"
    new["professionals"][0]["etp"] = "0.50"
    new["professionals"].append(
        {"last_name": "Petit", "first_name": "Lucas", "profession": "infirmier", "etp": "1"}
    )
    new["financers"] = []
    sections = {s.code: s for s in diff_payloads(old, new)}
    identity = sections["identity"]
    assert [(c.label, c.old) for c in identity.fields] == [
        ("Type de structure", "Maison de santé pluriprofessionnelle (MSP)")
    ]
    assert [r.kind for r in identity.rows] == ["removed"]
    works = sections["real_estate"].fields[0]
    assert (
        works.label == "Travaux"
        and works.old == "1\u202f000,00\xa0€"
        and works.new == "2\u202f500,50\xa0€"
    )
    assert [(c.old, c.new) for c in sections["territory"].fields] == [("Non", "Oui")]
    assert sections["promoter"].fields[0].label == "Raison sociale"
    rows = sections["professionals"].rows
    assert sorted(r.kind for r in rows) == ["added", "changed"]
    changed = next(r for r in rows if r.kind == "changed")
    assert [(c.label, c.old, c.new) for c in changed.changes] == [("ETP", "1", "0,5")]
    assert "real_estate" in sections and "commitments" not in sections


def test_duplicate_row_keys_are_kept_apart(app):
    old, new = _payload(), _payload()
    twin = copy.deepcopy(old["professionals"][0])
    new["professionals"].append(twin)
    rows = {s.code: s for s in diff_payloads(old, new)}["professionals"].rows
    assert [r.kind for r in rows] == ["added"]
