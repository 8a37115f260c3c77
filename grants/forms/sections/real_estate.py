"""Section form G (real-estate investment): operation, surfaces, cost breakdown, schedule, rent."""

from __future__ import annotations

from decimal import Decimal

from grants.forms.sections.common import (
    SectionForm,
    day,
    decimal,
    flag,
    money,
    select,
    text,
    whole,
)
from grants.models.choices import LAND_STATUSES, OPERATION_TYPES

COST_FIELDS = ("cost_land", "cost_works", "cost_design_fees", "cost_equipment", "cost_pmr_works")


class RealEstateForm(SectionForm):
    operation_type = select("Type d'opération", OPERATION_TYPES)
    land_status = select("Situation du terrain ou du bâtiment", LAND_STATUSES)
    land_owner = text("Propriétaire", 200)
    surface_m2 = decimal(
        "Surface (m²)", maximum=Decimal("99999999.99"), description="Par exemple 450,5."
    )
    consulting_rooms = whole("Nombre de cabinets de consultation", maximum=10_000)
    shared_rooms = whole("Nombre de salles partagées", maximum=10_000)
    cost_land = money("Foncier")
    cost_works = money("Travaux")
    cost_design_fees = money("Honoraires de maîtrise d'œuvre")
    cost_equipment = money("Équipement")
    cost_pmr_works = money("Travaux d'accessibilité (PMR)")
    vat_recoverable = flag("La TVA est récupérable")
    permit_date = day("Date du permis de construire")
    works_start_date = day("Début des travaux")
    delivery_date = day("Livraison")
    opening_date = day("Ouverture")
    planned_rent_m2_year = money("Loyer prévu (€ par m² et par an)")
    market_rent_m2_year = money("Loyer du marché local (€ par m² et par an)")
    commitment_years = whole(
        "Durée d'engagement (années)",
        maximum=99,
        description="Durée pendant laquelle l'activité médicale et le loyer modéré sont garantis.",
    )

    def cost_total(self) -> Decimal | None:
        """Sum of the cost lines typed so far (None when none is filled or one is invalid)."""
        values = [getattr(self, name).data for name in COST_FIELDS]
        if any(isinstance(v, Decimal) and not v.is_finite() for v in values):
            return None
        present = [v for v in values if isinstance(v, Decimal)]
        return sum(present, Decimal("0")) if present else None
