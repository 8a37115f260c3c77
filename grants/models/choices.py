"""Closed vocabularies of the domain: stable lowercase codes with their French labels.

Codes are stored (and CHECK-constrained); labels are what the interface shows. See DOMAIN §2–3.
"""

from __future__ import annotations

STRUCTURE_TYPES = {
    "msp": "Maison de santé pluriprofessionnelle (MSP)",
    "pole": "Pôle de santé",
    "cds": "Centre de santé (CDS)",
}
PROJECT_NATURES = {
    "creation": "Création",
    "extension": "Extension",
    "renovation": "Rénovation / mise aux normes",
    "relocation": "Relocalisation",
    "group_practice_evolution": "Évolution d'un cabinet de groupe",
}
AID_TYPES = {
    "feasibility_study": "Étude de faisabilité",
    "investment_real_estate": "Investissement immobilier",
    "investment_equipment": "Investissement équipement",
    "operating": "Fonctionnement",
}
PROJECT_STAGES = {
    "diagnosis_done": "Diagnostic territorial réalisé",
    "opportunity_study_done": "Étude d'opportunité réalisée",
    "feasibility_in_progress": "Étude de faisabilité en cours",
    "feasibility_done": "Étude de faisabilité réalisée",
    "works_started": "Travaux commencés",
    "open": "Structure ouverte",
}
PROMOTER_CATEGORIES = {
    "collectivite": "Collectivité territoriale (commune, EPCI, département)",
    "gip": "Groupement d'intérêt public (GIP)",
    "bailleur_social": "Bailleur social",
    "fonciere_solidaire": "Foncière solidaire",
    "ps_group": "Regroupement de professionnels de santé",
    "association": "Association (loi 1901)",
    "mutuelle": "Mutuelle",
    "etablissement_sante": "Établissement de santé",
    "other": "Autre",
}
PUBLIC_PROMOTER_CATEGORIES = frozenset({"collectivite", "gip"})
LEGAL_FORMS = {
    "sisa": "SISA (société interprofessionnelle de soins ambulatoires)",
    "scm": "SCM (société civile de moyens)",
    "scp": "SCP (société civile professionnelle)",
    "sel": "SEL (société d'exercice libéral)",
    "association_1901": "Association loi 1901",
    "commune": "Commune",
    "epci": "EPCI (communauté de communes, d'agglomération…)",
    "departement": "Département",
    "gip": "GIP",
    "sa_hlm": "SA d'HLM",
    "oph": "Office public de l'habitat (OPH)",
    "mutuelle": "Mutuelle",
    "etablissement_public_sante": "Établissement public de santé",
    "other": "Autre",
}
FINANCER_KINDS = {
    "ars_fir": "ARS — Fonds d'intervention régional",
    "ars_envelope": "ARS — enveloppe d'aide à l'investissement immobilier",
    "region": "Région",
    "departement": "Département",
    "cpam": "Assurance Maladie (CPAM)",
    "msa": "MSA",
    "prefecture": "Préfecture / État",
    "cdc": "Caisse des dépôts",
    "acse": "ACSE / politique de la ville",
    "local_authority": "Commune / EPCI",
    "other": "Autre",
}
PROFESSIONS = {
    "medecin_generaliste": "Médecin généraliste",
    "medecin_specialiste": "Médecin spécialiste",
    "chirurgien_dentiste": "Chirurgien-dentiste",
    "sage_femme": "Sage-femme",
    "pharmacien": "Pharmacien",
    "infirmier": "Infirmier",
    "masseur_kinesitherapeute": "Masseur-kinésithérapeute",
    "orthophoniste": "Orthophoniste",
    "orthoptiste": "Orthoptiste",
    "pedicure_podologue": "Pédicure-podologue",
    "psychologue": "Psychologue",
    "dieteticien": "Diététicien",
    "biologiste": "Biologiste",
    "other": "Autre (coordination, secrétariat, travail social…)",
}
PHYSICIAN_PROFESSIONS = frozenset({"medecin_generaliste", "medecin_specialiste"})
EXERCISE_MODES = {"liberal": "Libéral", "salarie": "Salarié", "mixte": "Mixte"}
PROJECT_STATUSES = {
    "already_on_site": "Déjà installé sur le territoire",
    "new_installation": "Nouvelle installation",
    "transfer_from_outside_zone": "Transfert depuis une autre zone",
    "letter_of_intent_only": "Lettre d'intention seulement",
}
NEW_PROFESSIONAL_STATUSES = frozenset(
    {"new_installation", "transfer_from_outside_zone", "letter_of_intent_only"}
)
SECTORS = {
    "secteur_1": "Secteur 1",
    "secteur_2": "Secteur 2",
    "optam": "Secteur 2 avec OPTAM",
}
AGE_BANDS = {
    "lt35": "Moins de 35 ans",
    "35_54": "35 à 54 ans",
    "55_59": "55 à 59 ans",
    "gte60": "60 ans et plus",
}
INCENTIVE_CONTRACTS = {
    "cesp": "CESP",
    "ptmg": "PTMG",
    "cde": "Contrat de début d'exercice",
    "option_demographie": "Option démographie",
}
FEASIBILITY_STATUSES = {
    "not_started": "Non commencée",
    "subsidy_requested": "Subvention demandée",
    "provider_selection": "Choix du prestataire",
    "in_progress": "En cours",
    "delivered": "Livrée",
}
PROVIDER_SKILLS = {
    "architecture": "Préprogrammation architecturale",
    "financial": "Gestion financière",
    "legal": "Montage juridique",
}
FEASIBILITY_DELIVERABLES = {
    "diagnosis": "Diagnostic",
    "health_project": "Projet de santé",
    "professional_project": "Projet professionnel",
    "architectural_preprogramme": "Préprogramme architectural",
    "financing_model": "Modèle de financement et de gestion",
    "legal_structure": "Structure juridique",
}
FEASIBILITY_CONCLUSIONS = {
    "feasible": "Faisable",
    "feasible_with_conditions": "Faisable sous conditions",
    "not_feasible": "Non faisable",
}
OPERATION_TYPES = {
    "new_build": "Construction neuve",
    "renovation": "Rénovation",
    "upgrade_to_standards": "Mise aux normes (dont PMR)",
    "fit_out": "Aménagement",
    "acquisition": "Acquisition",
}
LAND_STATUSES = {
    "owned": "Propriété",
    "promise_of_sale": "Promesse de vente",
    "lease": "Bail",
    "to_acquire": "À acquérir",
}
OPERATING_LINE_KINDS = {"charge": "Charge", "produit": "Produit"}
OPERATING_CATEGORIES = {
    "coordination": "Temps de coordination",
    "project_engineering": "Ingénierie de projet",
    "lost_activity": "Compensation de perte d'activité",
    "secretariat": "Secrétariat",
    "it": "Système d'information",
    "rent_charge": "Loyer et charges locatives",
    "other_charge": "Autre charge",
    "team_remuneration": "Rémunération d'équipe (ACI)",
    "municipal_subsidy": "Subvention municipale",
    "rent_income": "Loyers versés par les professionnels",
    "other_income": "Autre produit",
}
RESOURCE_KINDS = {
    "financer": "Cofinanceur",
    "own_funds": "Fonds propres",
    "loan": "Emprunt",
    "other": "Autre ressource",
}
RESOURCE_STATUSES = {
    "requested": "Demandé",
    "granted": "Accordé",
    "refused": "Refusé",
    "self": "Apport propre",
}
COMMITMENTS = {
    "maintain_activity": "Maintenir l'activité médicale sur le site pendant la durée d'engagement",
    "moderate_rent": "Pratiquer un loyer modéré pendant la durée d'engagement",
    "health_project_reporting": (
        "Poursuivre les objectifs du projet de santé et en rendre compte chaque année "
        "(rotation des professionnels, nouveaux professionnels, objectifs atteints)"
    ),
    "accept_cpom": "Conclure un CPOM avec l'ARS si une aide de l'ARS est accordée",
    "three_years_in_zone": "Exercer au moins trois ans dans la zone (aides des collectivités)",
    "host_trainees": "Accueillir des stagiaires",
    "pdsa": "Participer à la permanence des soins ambulatoires (PDSA)",
    "regulated_fees": "Pratiquer des tarifs opposables",
    "inform_changes": (
        "Informer les financeurs de tout changement majeur (départ de médecins, "
        "changement de forme juridique)"
    ),
}
DOSSIER_STATES = {
    "draft": "Brouillon",
    "submitted": "Déposé",
    "completeness_check": "Vérification de complétude",
    "awaiting_documents": "Demande de pièces complémentaires",
    "admissible": "Dossier complet",
    "under_instruction": "En instruction",
    "ready_for_committee": "Inscrit à l'ordre du jour",
    "committee_reviewed": "Examiné en comité",
    "decisions_pending": "Décisions en cours",
    "decided": "Décidé",
    "rejected": "Rejeté",
    "agreements_in_progress": "Conventionnement",
    "in_execution": "En cours de réalisation",
    "open_monitoring": "En fonctionnement",
    "closed": "Clôturé",
    "terminated": "Résilié",
    "withdrawn": "Abandonné",
    "on_hold": "En attente",
}
ATTACHMENT_STATUSES = {"uploaded": "Déposée", "accepted": "Acceptée", "rejected": "Refusée"}
USER_ROLES = {
    "promoter": "Porteur de projet",
    "dd_instructor": "Instructeur délégation départementale ARS",
    "ars_instructor": "Instructeur ARS siège",
    "ars_decider": "Décideur ARS",
    "financer_instructor": "Instructeur cofinanceur",
    "financer_decider": "Décideur cofinanceur",
    "committee_secretary": "Secrétariat du comité",
    "committee_member": "Membre du comité",
    "monitor": "Suivi des CPOM",
    "observer": "Observateur",
    "admin": "Administrateur",
}
MEMBERSHIP_ROLES = {"owner": "Responsable", "member": "Membre"}
# Roles that instruct dossiers for one or more financers (see permissions.py for their scope).
INSTRUCTION_ROLES = frozenset(
    {"dd_instructor", "ars_instructor", "ars_decider", "financer_instructor", "financer_decider"}
)

TRACK_STATES = {
    "checking": "Vérification de complétude",
    "instructing": "En instruction",
    "awaiting_decision": "En attente de décision",
    "not_concerned": "Non concerné",
    "granted": "Accordé",
    "partially_granted": "Accordé partiellement",
    "refused": "Refusé",
    "deferred": "Ajourné",
}
DECIDED_TRACK_STATES = frozenset({"granted", "partially_granted", "refused", "deferred"})
PIECE_REVIEW_STATUSES = {"accepted": "Acceptée", "rejected": "Refusée"}
DOCUMENT_REQUEST_STATES = {
    "open": "En attente de réponse",
    "answered": "Répondue",
    "cancelled": "Annulée",
}
OPINION_SOURCES = {
    "dd_ars": "Délégation départementale de l'ARS",
    "ars": "ARS — direction de l'offre de soins",
    "urps": "URPS médecins",
    "cofinancer": "Cofinanceur",
}
RECOMMENDATIONS = {
    "favourable": "Favorable",
    "favourable_with_reservations": "Favorable avec réserves",
    "deferred": "Ajournement",
    "unfavourable": "Défavorable",
}
NOTIFICATION_MODES = {
    "immediate": "À chaque événement",
    "daily_digest": "Un récapitulatif par jour",
}
OUTBOX_CHANNELS = {"email": "Courriel", "inapp": "Notification dans l'application"}
OUTBOX_STATUSES = {
    "pending": "À envoyer",
    "digest": "En attente du récapitulatif",
    "delivered": "Remis",
    "failed": "En échec",
}

PROFESSION_ZONINGS = {
    "physician": "Médecins",
    "nurse": "Infirmiers",
    "physio": "Masseurs-kinésithérapeutes",
    "midwife": "Sages-femmes",
}
ZONING_UNIT_TYPES = {
    "commune": "Commune",
    "grouping": "Regroupement de communes",
    "grand_quartier": "Grand quartier (Paris)",
    "pseudo_canton": "Pseudo-canton",
    "bassin_de_vie": "Bassin de vie",
}
ZONING_CATEGORIES = {
    "deficitaire": "Zone déficitaire",
    "fragile": "Zone fragile",
    "zip": "Zone d'intervention prioritaire (ZIP)",
    "zac": "Zone d'action complémentaire (ZAC)",
    "none": "Hors zonage",
}
CONFIG_KINDS = {
    "scoring_grid": "Grille de notation",
    "aid_formula": "Formule de l'aide immobilière",
    "financing_rules": "Règles du plan de financement",
    "payment_schedule": "Échéancier de versement par financeur et type d'aide",
    "monitoring_rules": "Règles de suivi des engagements (alertes)",
}
MOVEMENT_KINDS = {
    "reserved": "Réservé",
    "committed": "Engagé",
    "released": "Libéré",
    "paid": "Payé",
    "recovered": "Recouvré",
}

COMMITTEE_KINDS = {
    "instruction": "Comité d'instruction partagé",
    "selection": "Commission de sélection",
    "extraordinary": "Séance extraordinaire",
}
COMMITTEE_SESSION_STATES = {
    "preparing": "Ordre du jour en préparation",
    "frozen": "Ordre du jour arrêté",
    "held": "Séance tenue",
    "closed": "Procès-verbal approuvé",
}
COMMITTEE_MEMBER_ROLES = {
    "chair": "Présidence",
    "member": "Membre",
    "guest": "Invité",
    "secretary": "Secrétariat",
}
ATTENDANCE = {"present": "Présent", "excused": "Excusé", "absent": "Absent"}
MINUTES_STATES = {"draft": "Projet", "approved": "Approuvé"}
DECISION_OUTCOMES = {
    "granted": "Accordé",
    "partially_granted": "Accordé partiellement",
    "refused": "Refusé",
    "deferred": "Ajourné",
}
PLAN_REVISION_STATES = {"open": "Demandé", "answered": "Transmis", "cancelled": "Annulé"}
AGREEMENT_KINDS = {"cpom": "CPOM", "convention": "Convention de financement"}
AGREEMENT_STATES = {
    "drafted": "Projet",
    "sent_to_promoter": "Transmis au porteur",
    "signed_by_promoter": "Signé par le porteur",
    "active": "En vigueur",
    "ended": "Échu",
    "terminated": "Résilié",
}
SIGNATURE_METHODS = {"upload": "Copie signée déposée", "typed": "Signature dans l'application"}
AMENDMENT_STATES = {
    "drafted": "Projet d'avenant",
    "sent_to_promoter": "Transmis au porteur",
    "signed_by_promoter": "Signé par le porteur",
    "active": "En vigueur",
    "cancelled": "Abandonné",
}
TRANCHE_KINDS = {"advance": "Avance", "interim": "Acompte", "balance": "Solde"}
PAYMENT_REQUEST_STATES = {
    "requested": "Demandé",
    "checked": "Vérifié",
    "approved": "Approuvé",
    "paid": "Payé",
    "rejected": "Rejeté",
}
RECOVERY_STATES = {"ordered": "Ordre de reversement émis", "recovered": "Reversé"}
REPORTING_KINDS = {"annual": "Rapport annuel", "semiannual": "Point semestriel"}
REPORTING_STATES = {
    "due": "À remettre",
    "submitted": "Remis",
    "validated": "Validé",
    "returned": "Renvoyé au porteur",
}
ALERT_LEVELS = {"info": "Information", "warning": "Vigilance", "critical": "Critique"}
ALERT_STATES = {"open": "Ouverte", "in_dialogue": "Dialogue de gestion", "closed": "Close"}
