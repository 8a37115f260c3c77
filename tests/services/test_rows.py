"""Replacing a section's rows: order kept, old rows gone, version bumped, audited once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm.exc import StaleDataError

from grants.extensions import db
from grants.models import AuditEvent, CostLine, Dossier, HealthObjective, ResourceLine
from grants.services import rows as service


def load_for_rows(dossier_id: int, section: str) -> Dossier:
    """Reload the dossier as the row page does (fresh from the database)."""
    return db.session.scalar(
        select(Dossier)
        .where(Dossier.id == dossier_id)
        .options(*service.row_options(section))
        .execution_options(populate_existing=True)
    )


def objective(name: str) -> dict[str, object]:
    return {"objective": name, "indicator": "i", "baseline": None, "target": "t", "year": 2027}


def test_replace_keeps_order_and_removes_old_rows(dossier, promoter):
    loaded = load_for_rows(dossier.id, "objectives")
    service.replace_rows(
        loaded,
        actor=promoter,
        section="objectives",
        rows={"rows": [objective("a"), objective("b")]},
    )
    loaded = load_for_rows(dossier.id, "objectives")
    assert [(o.objective, o.position) for o in loaded.objectives] == [("a", 0), ("b", 1)]
    service.replace_rows(
        loaded, actor=promoter, section="objectives", rows={"rows": [objective("c")]}
    )
    names = db.session.scalars(
        select(HealthObjective.objective).where(HealthObjective.dossier_id == dossier.id)
    ).all()
    assert names == ["c"]


def test_replace_with_nothing_empties_both_financing_tables(dossier, promoter):
    loaded = load_for_rows(dossier.id, "financing")
    cost = {"aid_type": "operating", "year": 2026, "label": "x", "amount": Decimal("1.10")}
    resource = {
        "aid_type": "operating",
        "kind": "loan",
        "financer_id": None,
        "label": "",
        "amount": Decimal("1.10"),
        "status": "requested",
    }
    service.replace_rows(
        loaded, actor=promoter, section="financing", rows={"costs": [cost], "resources": [resource]}
    )
    version = loaded.lock_version
    service.replace_rows(loaded, actor=promoter, section="financing", rows={})
    assert loaded.lock_version == version + 1
    for model in (CostLine, ResourceLine):
        assert db.session.scalars(select(model).where(model.dossier_id == dossier.id)).all() == []
    event = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "dossier.rows_saved")
        .order_by(AuditEvent.id.desc())
    ).first()
    assert event.data["before"] == {
        "costs_count": 1,
        "costs": "1.10",
        "resources_count": 1,
        "resources": "1.10",
    }
    assert event.data["after"]["costs_count"] == 0


def test_concurrent_change_raises_stale_data(dossier, promoter):
    loaded = load_for_rows(dossier.id, "objectives")
    db.session.execute(
        update(Dossier)
        .where(Dossier.id == dossier.id)
        .values(lock_version=Dossier.lock_version + 1)
        .execution_options(synchronize_session=False)
    )
    with pytest.raises(StaleDataError):
        service.replace_rows(
            loaded, actor=promoter, section="objectives", rows={"rows": [objective("a")]}
        )
