"""A readable difference between two frozen versions of a dossier: section by section, field
labels in French, and rows added, removed or changed in the repeating tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from grants.sections import SECTIONS
from grants.services.dossier_fields import TableSpec, display, section_fields, table_specs
from grants.services.dossier_readout import EXTRA_FIELDS

PIECES_TITLE = "Pièces justificatives"


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class RowChange:
    kind: str  # added, removed, changed
    table: str
    summary: str
    changes: tuple[FieldChange, ...] = ()

    @property
    def kind_label(self) -> str:
        return {"added": "Ligne ajoutée", "removed": "Ligne retirée", "changed": "Ligne modifiée"}[
            self.kind
        ]


@dataclass
class SectionDiff:
    code: str
    letter: str
    title: str
    fields: list[FieldChange] = field(default_factory=list)
    rows: list[RowChange] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.fields or self.rows)


def _field_changes(specs: tuple[Any, ...], old: dict[str, Any], new: dict[str, Any]):  # type: ignore[no-untyped-def]
    changes = []
    for spec in specs:
        before, after = display(spec, old.get(spec.name)), display(spec, new.get(spec.name))
        if before != after:
            changes.append(FieldChange(spec.label, before, after))
    return changes


def _keyed(spec: TableSpec, rows: list[dict[str, Any]]) -> dict[tuple[Any, ...], dict[str, Any]]:
    """Rows by their identifying key; a repeated key gets its occurrence number appended."""
    result: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        base = tuple(str(row.get(name)) for name in spec.key)
        key, n = base, 1
        while key in result:
            n += 1
            key = (*base, str(n))
        result[key] = row
    return result


def _summary(spec: TableSpec, row: dict[str, Any]) -> str:
    parts = [display(f, row.get(f.name)) for f in spec.fields[:4]]
    return " · ".join(p for p in parts if p != "—") or "—"


def table_changes(spec: TableSpec, old: list[dict[str, Any]], new: list[dict[str, Any]]):  # type: ignore[no-untyped-def]
    before, after = _keyed(spec, old), _keyed(spec, new)
    changes = []
    for key, row in before.items():
        if key not in after:
            changes.append(RowChange("removed", spec.title, _summary(spec, row)))
    for key, row in after.items():
        if key not in before:
            changes.append(RowChange("added", spec.title, _summary(spec, row)))
            continue
        fields = _field_changes(spec.fields, before[key], row)
        if fields:
            changes.append(RowChange("changed", spec.title, _summary(spec, row), tuple(fields)))
    return changes


def diff_payloads(old: dict[str, Any], new: dict[str, Any]) -> list[SectionDiff]:
    """The sections that differ between two snapshot payloads, in the dossier's order."""
    singles = section_fields()
    tables = table_specs()
    result = []
    for section in SECTIONS:
        diff = SectionDiff(section.code, section.letter, section.title)
        extra = EXTRA_FIELDS.get(section.code)
        if extra:
            diff.fields += _field_changes(singles[extra], old.get(extra, {}), new.get(extra, {}))
        if section.code in singles:
            diff.fields += _field_changes(
                singles[section.code],
                old.get("sections", {}).get(section.code, {}),
                new.get("sections", {}).get(section.code, {}),
            )
        for spec in tables.values():
            if spec.section == section.code:
                diff.rows += table_changes(spec, old.get(spec.name, []), new.get(spec.name, []))
        if diff.changed:
            result.append(diff)
    pieces = SectionDiff("pieces", "K", PIECES_TITLE)
    spec = tables["attachments"]
    pieces.rows = table_changes(spec, old.get(spec.name, []), new.get(spec.name, []))
    if pieces.changed:
        result.append(pieces)
    return result
