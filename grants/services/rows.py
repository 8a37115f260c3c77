"""Load and replace the repeating rows of a dossier section in a bounded number of queries."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.interfaces import ORMOption

from grants.extensions import db
from grants.models import (
    CostLine,
    Dossier,
    HealthObjective,
    OperatingLine,
    Professional,
    ResourceLine,
    User,
)
from grants.models.base import Base, utcnow
from grants.services import aggregates, audit


@dataclass(frozen=True)
class RowTable:
    """One table of a section: the form list name, the model and the dossier collection."""

    name: str
    model: type[Base]
    collection: str


ROW_TABLES: dict[str, tuple[RowTable, ...]] = {
    "professionals": (RowTable("rows", Professional, "professionals"),),
    "objectives": (RowTable("rows", HealthObjective, "objectives"),),
    "operating": (RowTable("rows", OperatingLine, "operating_lines"),),
    "financing": (
        RowTable("costs", CostLine, "cost_lines"),
        RowTable("resources", ResourceLine, "resource_lines"),
    ),
}


def row_options(section: str) -> list[ORMOption]:
    """Eager loads for a row page: the section's collections and the targeted financers."""
    options: list[ORMOption] = [selectinload(Dossier.financers)]
    options += [selectinload(getattr(Dossier, table.collection)) for table in ROW_TABLES[section]]
    return options


def replace_rows(
    dossier: Dossier,
    *,
    actor: User,
    section: str,
    rows: Mapping[str, Sequence[Mapping[str, Any]]],
) -> None:
    """Replace the section's rows by ``rows`` (in order), bump the dossier version, audit it.

    The dossier UPDATE comes first: a concurrent save raises StaleDataError before any row moves.
    """
    tables = ROW_TABLES[section]
    before = summarize(section, {t.name: list(getattr(dossier, t.collection)) for t in tables})
    dossier.updated_at = utcnow()
    db.session.flush()
    for table in tables:
        _replace_table(dossier, table, rows.get(table.name, ()))
    after = summarize(
        section,
        {t.name: [SimpleNamespace(**r) for r in rows.get(t.name, ())] for t in tables},
    )
    audit.record(
        "dossier.rows_saved",
        actor=actor,
        dossier_id=dossier.id,
        data={"section": section, "before": before, "after": after},
    )
    db.session.flush()


def _replace_table(dossier: Dossier, table: RowTable, rows: Sequence[Mapping[str, Any]]) -> None:
    old = list(getattr(dossier, table.collection))
    db.session.expire(dossier, [table.collection])
    for obj in old:
        db.session.expunge(obj)
    model: Any = table.model
    db.session.execute(
        delete(model)
        .where(model.dossier_id == dossier.id)
        .execution_options(synchronize_session=False)
    )
    if rows:
        values = [
            {**row, "dossier_id": dossier.id, "position": position}
            for position, row in enumerate(rows)
        ]
        db.session.execute(insert(model), values)


def summarize(section: str, tables: Mapping[str, Sequence[Any]]) -> dict[str, Any]:
    """Counts and totals of a section, for the audit trail (before / after a save)."""
    if section == "professionals":
        people = tables["rows"]
        return {"count": len(people), "etp": str(_total(p.etp for p in people))}
    if section == "objectives":
        return {"count": len(tables["rows"])}
    if section == "operating":
        lines = tables["rows"]
        years = aggregates.operating_totals(lines)
        return {
            "count": len(lines),
            "charges": str(_total(y.charges for y in years)),
            "produits": str(_total(y.produits for y in years)),
        }
    costs, resources = tables["costs"], tables["resources"]
    return {
        "costs_count": len(costs),
        "costs": str(_total(c.amount for c in costs)),
        "resources_count": len(resources),
        "resources": str(_total(r.amount for r in resources)),
    }


def _total(values: Any) -> Decimal:
    return sum((Decimal(v) for v in values), Decimal("0.00")).quantize(Decimal("0.01"))
