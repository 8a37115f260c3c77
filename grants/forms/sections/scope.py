"""Section forms A (identity), B (promoter and project owner) and J (commitments)."""

from __future__ import annotations

from wtforms import StringField
from wtforms.validators import Optional

from grants.forms.fields import MultiCheckboxField, validate_siret
from grants.forms.sections.common import (
    SectionForm,
    checkboxes,
    day,
    flag,
    select,
    text,
)
from grants.models.choices import (
    AID_TYPES,
    COMMITMENTS,
    PROJECT_NATURES,
    PROJECT_STAGES,
    STRUCTURE_TYPES,
)


class IdentityForm(SectionForm):
    EXTRA_FIELDS = ("financer_ids",)

    title = text("Intitulé du projet", 200)
    structure_type = select("Type de structure", STRUCTURE_TYPES)
    university = flag("Structure universitaire (label universitaire demandé ou obtenu)")
    nature = select("Nature du projet", PROJECT_NATURES)
    aid_types = checkboxes("Aides demandées", AID_TYPES)
    financer_ids = MultiCheckboxField(
        "Financeurs sollicités",
        coerce=int,
        invalid_choice_message="Un des financeurs cochés n'est pas proposé.",
    )
    project_stage = select("Avancement du projet au dépôt", PROJECT_STAGES)


class PromoterForm(SectionForm):
    owner_is_promoter = flag("Le porteur est aussi le maître d'ouvrage des travaux")
    owner_name = text(
        "Maître d'ouvrage", 200, description="À renseigner s'il est différent du porteur."
    )
    owner_siret = StringField(
        "SIRET du maître d'ouvrage",
        validators=[Optional(), validate_siret],
        description="14 chiffres, espaces acceptés.",
    )
    owner_contact = text("Contact chez le maître d'ouvrage", 200)
    deliberation_reference = text(
        "Référence de la délibération",
        120,
        description="Pour une collectivité : la délibération du conseil approuvant le projet.",
    )
    deliberation_date = day("Date de la délibération")


class CommitmentsForm(SectionForm):
    accepted_commitments = checkboxes("Engagements acceptés", COMMITMENTS)
    commitments_signatory = text(
        "Nom et qualité du signataire",
        160,
        description="La personne habilitée à engager le porteur.",
    )
