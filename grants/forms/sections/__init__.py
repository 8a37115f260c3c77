"""Forms of the single-object sections of the dossier, one per section code."""

from __future__ import annotations

from grants.forms.sections.common import SectionForm
from grants.forms.sections.project import FeasibilityForm, HealthProjectForm
from grants.forms.sections.real_estate import RealEstateForm
from grants.forms.sections.scope import CommitmentsForm, IdentityForm, PromoterForm
from grants.forms.sections.territory import TerritoryForm

SECTION_FORMS: dict[str, type[SectionForm]] = {
    "identity": IdentityForm,
    "promoter": PromoterForm,
    "territory": TerritoryForm,
    "health_project": HealthProjectForm,
    "feasibility": FeasibilityForm,
    "real_estate": RealEstateForm,
    "commitments": CommitmentsForm,
}

__all__ = ["SECTION_FORMS", "SectionForm"]
