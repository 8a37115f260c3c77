"""The sections (rubriques) of the single dossier, in order, and the endpoint that edits each."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    code: str
    letter: str
    title: str
    endpoint: str  # called with dossier_id=…, section=code


SECTIONS: tuple[Section, ...] = (
    Section("identity", "A", "Identité et périmètre du projet", "promoter.edit_section"),
    Section("promoter", "B", "Porteur et maître d'ouvrage", "promoter.edit_section"),
    Section("territory", "C", "Territoire", "promoter.edit_section"),
    Section("professionals", "D", "Professionnels de santé impliqués", "promoter.edit_rows"),
    Section("health_project", "E", "Projet de santé", "promoter.edit_section"),
    Section("objectives", "E", "Objectifs du projet de santé", "promoter.edit_rows"),
    Section("feasibility", "F", "Étude de faisabilité", "promoter.edit_section"),
    Section("real_estate", "G", "Investissement immobilier", "promoter.edit_section"),
    Section("operating", "H", "Budget de fonctionnement sur trois ans", "promoter.edit_rows"),
    Section("financing", "I", "Plan de financement", "promoter.edit_rows"),
    Section("commitments", "J", "Engagements du porteur", "promoter.edit_section"),
)
SECTIONS_BY_CODE = {s.code: s for s in SECTIONS}
