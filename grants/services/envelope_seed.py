"""Seed the envelopes shipped in ``grants/data/envelopes.json`` (only those not there yet).

Existing envelopes are never changed: their amounts and running totals belong to the ledger.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from grants.extensions import db
from grants.models import Envelope, Financer
from grants.services.reference import ImportReport

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "envelopes.json"


def load_envelopes(path: Path = DATA_FILE) -> ImportReport:
    """Add the missing envelopes (their financer must exist); existing ones stay as they are."""
    entries = json.loads(path.read_text(encoding="utf-8"))["envelopes"]
    existing = set(db.session.scalars(select(Envelope.code)))
    financers = {code: id_ for code, id_ in db.session.execute(select(Financer.code, Financer.id))}
    added = 0
    for entry in entries:
        if entry["code"] in existing or entry["financer"] not in financers:
            continue
        db.session.add(
            Envelope(
                code=entry["code"],
                name=entry["name"],
                financer_id=financers[entry["financer"]],
                amount=Decimal(entry["amount"]),
                opens_on=date.fromisoformat(entry["opens_on"]),
                evaluation_due_on=(
                    date.fromisoformat(entry["evaluation_due_on"])
                    if entry.get("evaluation_due_on")
                    else None
                ),
                closes_on=date.fromisoformat(entry["closes_on"]),
                reserved=Decimal("0"),
                committed=Decimal("0"),
                paid=Decimal("0"),
            )
        )
        added += 1
    db.session.flush()
    return ImportReport(added, 0, len(entries) - added)
