"""Section forms E (health project, structured items) and F (feasibility study)."""

from __future__ import annotations

from decimal import Decimal

from grants.forms.sections.common import (
    SectionForm,
    checkboxes,
    day,
    decimal,
    flag,
    long_text,
    money,
    select,
    text,
    whole,
)
from grants.models.choices import (
    FEASIBILITY_CONCLUSIONS,
    FEASIBILITY_DELIVERABLES,
    FEASIBILITY_STATUSES,
    PROVIDER_SKILLS,
)


class HealthProjectForm(SectionForm):
    needs_analysis = long_text("Analyse des besoins de santé de la population")
    coordinator_named = flag("Un coordinateur est désigné")
    team_meetings_per_year = whole("Réunions d'équipe pluriprofessionnelles par an", maximum=1000)
    shared_protocols = long_text("Protocoles pluriprofessionnels partagés")
    opening_hours = text("Horaires d'ouverture", 200)
    unscheduled_care = flag("Des créneaux de soins non programmés sont prévus")
    pdsa_participation = flag("Participation à la permanence des soins ambulatoires (PDSA)")
    prevention_programmes = long_text(
        "Actions de prévention, d'éducation à la santé et d'éducation thérapeutique"
    )
    cooperation_protocols = long_text("Protocoles de coopération entre professions")
    shared_information_system = flag("Système d'information partagé (dossier patient partagé)")
    information_system_tool = text("Logiciel utilisé", 160)
    trainees_externes = whole("Stagiaires externes accueillis par an", maximum=1000)
    trainees_internes = whole("Internes accueillis par an", maximum=1000)
    trainees_paramedical = whole("Étudiants paramédicaux accueillis par an", maximum=1000)
    regulated_fee_share = decimal(
        "Part des consultations au tarif opposable (%)",
        maximum=Decimal("100"),
        description="Entre 0 et 100, par exemple 85,5.",
    )
    third_party_payment = flag("Tiers payant pratiqué")
    articulation = long_text(
        "Articulation avec l'hôpital, le médico-social, les réseaux et le contrat local de santé"
    )
    pmr_accessible = flag("Locaux accessibles aux personnes à mobilité réduite")
    pmr_works = long_text("Travaux d'accessibilité prévus")
    professionals_involvement = long_text("Implication des professionnels de santé")
    local_relevance = long_text("Pertinence au regard des enjeux locaux")


class FeasibilityForm(SectionForm):
    opportunity_study_done = flag("Une étude d'opportunité a été réalisée")
    opportunity_study_date = day("Date de l'étude d'opportunité")
    feasibility_status = select("État de l'étude de faisabilité", FEASIBILITY_STATUSES)
    feasibility_provider = text("Prestataire", 200)
    feasibility_skills = checkboxes("Compétences couvertes par le prestataire", PROVIDER_SKILLS)
    feasibility_cost_ht = money("Coût de l'étude HT")
    feasibility_cost_ttc = money("Coût de l'étude TTC")
    feasibility_subsidy_requested = money("Subvention demandée pour l'étude")
    feasibility_deliverables = checkboxes("Livrables attendus", FEASIBILITY_DELIVERABLES)
    feasibility_conclusion = select("Conclusion de l'étude", FEASIBILITY_CONCLUSIONS)
    feasibility_forecast = long_text(
        "Prévisions de l'étude (effectifs, activité, budget)",
        description="Elles seront comparées aux données réelles après l'ouverture.",
    )
