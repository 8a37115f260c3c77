"""Section saving and commune resolution, called directly (the HTTP flow is in tests/views)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from grants.extensions import db
from grants.models import AuditEvent, Commune, Financer
from grants.services import sections as service


def events(dossier):  # type: ignore[no-untyped-def]
    return list(
        db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.dossier_id == dossier.id, AuditEvent.action == "dossier.section_saved"
            )
        )
    )


def test_save_section_records_json_able_changes_once(app, dossier):
    changes = service.save_section(
        dossier,
        "real_estate",
        actor=dossier.created_by,
        values={
            "cost_land": Decimal("1000.10"),
            "permit_date": date(2025, 1, 2),
            "land_owner": "  ",
            "title": "ignored: not a column of this section",
        },
    )
    assert changes == {
        "cost_land": [None, "1000.10"],
        "permit_date": [None, "2025-01-02"],
    }
    assert dossier.land_owner is None and dossier.title != "ignored: not a column of this section"
    (event,) = events(dossier)
    assert event.data == {"section": "real_estate", "changes": changes}
    json.dumps(event.data)


def test_unchanged_values_write_no_event_and_keep_the_version(app, dossier):
    service.save_section(
        dossier, "feasibility", actor=dossier.created_by, values={"feasibility_cost_ht": None}
    )
    version = dossier.lock_version
    assert events(dossier) == []
    service.save_section(
        dossier,
        "commitments",
        actor=dossier.created_by,
        values={"accepted_commitments": ["pdsa", "accept_cpom"]},
    )
    assert dossier.accepted_commitments == ["accept_cpom", "pdsa"]
    assert dossier.lock_version == version + 1
    assert (
        service.save_section(
            dossier,
            "commitments",
            actor=dossier.created_by,
            values={"accepted_commitments": ["accept_cpom", "pdsa", "pdsa"]},
        )
        == {}
    )


def test_link_rows_alone_bump_the_lock_version(app, dossier):
    version = dossier.lock_version
    financer = db.session.scalar(select(Financer).where(Financer.code == "ARS_FIR"))
    changes = service.save_section(
        dossier, "identity", actor=dossier.created_by, values={}, financers=[financer, financer]
    )
    assert changes == {"financers": [[], ["ARS_FIR"]]}
    assert dossier.lock_version == version + 1


def test_communes_set_the_departement(app, dossier):
    viry, paris = db.session.get(Commune, "91687"), db.session.get(Commune, "75056")
    changes = service.save_section(
        dossier, "territory", actor=dossier.created_by, values={}, communes=[paris, viry]
    )
    assert changes["communes"] == [[], ["75056", "91687"]]
    assert changes["departement_code"] == [None, "75"]
    assert [dc.position for dc in dossier.communes] == [0, 1]


def test_real_estate_total(app, dossier):
    assert service.real_estate_total(dossier) is None
    dossier.cost_works = Decimal("10.10")
    dossier.cost_pmr_works = Decimal("0.90")
    assert service.real_estate_total(dossier) == Decimal("11.00")
