"""Demo data: accounts, organisations and dossiers built from the real projects of DOMAIN §6.7.

Dossiers stand at various stages of completion: empty drafts, drafts half filled, complete drafts
ready to submit, and submitted dossiers with their frozen snapshot. Idempotent: a second run adds
nothing.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from grants.demo_instruction import advance, configure_staff
from grants.extensions import db
from grants.models import (
    CostLine,
    Dossier,
    DossierCommune,
    Financer,
    HealthObjective,
    Membership,
    OperatingLine,
    Organisation,
    Professional,
    ResourceLine,
    User,
)
from grants.services.passwords import hash_password

DEMO_PASSWORD = "demo-grants-2026"


@dataclass(frozen=True)
class DemoOrganisation:
    key: str
    legal_name: str
    category: str
    legal_form: str
    siret: str
    representative: tuple[str, str]
    owner: str


@dataclass(frozen=True)
class DemoProject:
    organisation: str
    title: str
    structure_type: str
    communes: tuple[str, ...]
    district: str
    stage: str  # "empty", "partial", "complete", "submitted"
    physicians: int = 5
    others: int = 4
    aid_types: tuple[str, ...] = ("investment_real_estate", "operating")
    financers: tuple[str, ...] = ("ARS_IMMO", "REGION_IDF")
    works_cost: Decimal = Decimal("1800000")
    notes: str = ""
    extra: dict[str, object] = field(default_factory=dict)
    # After filing, how far the instructors went (grants.demo_instruction.STAGES).
    instruction: str = ""


ACCOUNTS = (
    ("promoteur@demo.grants.fr", "Claire Martin", "Porteuse de projet (plusieurs organisations)"),
    ("collegue@demo.grants.fr", "Karim Benali", "Membre invité de la commune de Souppes-sur-Loing"),
    ("athis@demo.grants.fr", "Sophie Lambert", "Porteuse de projet, commune d'Athis-Mons"),
    # Instructors (see grants/demo_instruction.py for their financers and départements).
    (
        "ars.siege@demo.grants.fr",
        "Hélène Marchand",
        "Instructrice ARS siège (DOS), toute la région",
    ),
    ("dd77@demo.grants.fr", "Olivier Fabre", "Délégation départementale ARS de Seine-et-Marne"),
    ("dd91@demo.grants.fr", "Nathalie Roche", "Délégation départementale ARS de l'Essonne"),
    ("region@demo.grants.fr", "Marc Delorme", "Instructeur Région Île-de-France"),
    (
        "departement77@demo.grants.fr",
        "Élodie Vasseur",
        "Instructrice Département de Seine-et-Marne",
    ),
    ("cpam94@demo.grants.fr", "Rachid Haddad", "Instructeur CPAM du Val-de-Marne"),
    ("comite@demo.grants.fr", "Isabelle Guérin", "Secrétariat du comité de sélection (ARS)"),
    # Deciders: each records its own institution's decision after the committee.
    (
        "decision.ars@demo.grants.fr",
        "Sylvie Carpentier",
        "Décideuse ARS (directrice générale adjointe) : FIR et aide immobilière",
    ),
    (
        "decision.region@demo.grants.fr",
        "Bernard Aubry",
        "Décideur Région Île-de-France (vice-président chargé de la santé)",
    ),
    # After the agreements: the ARS follows every CPOM in force; the administrator configures.
    (
        "suivi@demo.grants.fr",
        "Laurence Petitjean",
        "Suivi des CPOM (ARS) : tableau de bord des engagements, alertes, évaluation",
    ),
    (
        "admin@demo.grants.fr",
        "Vincent Morel",
        "Administrateur : configuration versionnée, zonages, grilles et échéanciers",
    ),
)

ORGANISATIONS = (
    DemoOrganisation(
        "souppes",
        "Commune de Souppes-sur-Loing",
        "collectivite",
        "commune",
        "21770458400010",
        ("Jean-Pierre Moreau", "Maire"),
        "promoteur@demo.grants.fr",
    ),
    DemoOrganisation(
        "egreville",
        "SISA Pôle de santé d'Égreville",
        "ps_group",
        "sisa",
        "81234567600017",
        ("Dr Anne Girard", "Gérante"),
        "promoteur@demo.grants.fr",
    ),
    DemoOrganisation(
        "senart",
        "Communauté d'agglomération Sénart Val de Seine",
        "collectivite",
        "epci",
        "20005847700015",
        ("Président", "Président"),
        "promoteur@demo.grants.fr",
    ),
    DemoOrganisation(
        "viry",
        "Association des professionnels de santé des Coteaux de l'Orge",
        "association",
        "association_1901",
        "52345678800018",
        ("Dr Paul Henry", "Président"),
        "promoteur@demo.grants.fr",
    ),
    DemoOrganisation(
        "athis",
        "Commune d'Athis-Mons",
        "collectivite",
        "commune",
        "21910027800015",
        ("Maire d'Athis-Mons", "Maire"),
        "athis@demo.grants.fr",
    ),
)

PROJECTS = (
    DemoProject(
        "souppes",
        "Maison de santé pluriprofessionnelle de Souppes-sur-Loing",
        "msp",
        ("77458",),
        "Centre-bourg",
        "submitted",
        notes="Fortement accompagné ; dossier de financement déposable au T3 2012.",
        instruction="under_instruction",
    ),
    DemoProject(
        "egreville",
        "Maison de santé pluriprofessionnelle d'Égreville",
        "msp",
        ("77168",),
        "Centre-bourg",
        "submitted",
        physicians=4,
        others=3,
        financers=("ARS_IMMO", "REGION_IDF", "DEP_77"),
        instruction="region_checked",
    ),
    DemoProject(
        "viry",
        "Maison de santé des Coteaux de l'Orge",
        "msp",
        ("91687",),
        "Quartier des Coteaux de l'Orge",
        "submitted",
        physicians=6,
        others=5,
        # An association may not draw on the ARS real-estate envelope (eligibility gate G2).
        financers=("ARS_FIR", "REGION_IDF"),
        instruction="on_hold",
    ),
    DemoProject(
        "senart",
        "Maison de santé de la prairie de l'Oly",
        "msp",
        ("91421", "91657"),
        "Quartier de la prairie de l'Oly",
        "submitted",
        physicians=7,
        others=6,
        works_cost=Decimal("2600000"),
    ),
    DemoProject(
        "viry",
        "Maison de santé de Suresnes",
        "msp",
        ("92073",),
        "Centre-ville",
        "complete",
        physicians=4,
        others=3,
    ),
    DemoProject(
        "egreville",
        "Maison de santé pluriprofessionnelle d'Orly",
        "msp",
        ("94054",),
        "Centre",
        "submitted",
        physicians=5,
        others=4,
        financers=("ARS_IMMO", "CPAM_94"),
    ),
    DemoProject(
        "souppes",
        "Maison de santé du 18e arrondissement",
        "msp",
        ("75056",),
        "18e arrondissement",
        "partial",
    ),
    DemoProject(
        "athis",
        "Maison de santé du quartier Noyer Renard",
        "msp",
        ("91027",),
        "Quartier Noyer Renard",
        "partial",
        physicians=2,
        others=3,
    ),
    DemoProject(
        "athis",
        "Étude de faisabilité — maison de santé d'Athis-Mons centre",
        "msp",
        ("91027",),
        "Centre",
        "empty",
        aid_types=("feasibility_study",),
        financers=("ARS_FIR",),
    ),
    DemoProject(
        "senart",
        "Maison de santé de Breuillet",
        "msp",
        ("91105",),
        "Centre",
        "partial",
        notes="Plan de financement de la construction en cours de montage.",
    ),
)

FIRST_NAMES = (
    "Claire",
    "Thomas",
    "Amina",
    "Julien",
    "Nadia",
    "Hugo",
    "Léa",
    "Mehdi",
    "Inès",
    "Louis",
    "Camille",
    "Yanis",
    "Sarah",
    "Antoine",
)
LAST_NAMES = (
    "Martin",
    "Bernard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
)
OTHER_PROFESSIONS = (
    "infirmier",
    "masseur_kinesitherapeute",
    "sage_femme",
    "orthophoniste",
    "pharmacien",
    "chirurgien_dentiste",
    "pedicure_podologue",
    "psychologue",
    "dieteticien",
)


def seed_demo() -> list[tuple[str, str]]:
    """Create what is missing of the demo and return (email, description) of each account."""
    users = {email: _user(email, name) for email, name, _ in ACCOUNTS}
    organisations = {o.key: _organisation(o, users[o.owner]) for o in ORGANISATIONS}
    _member(users["collegue@demo.grants.fr"], organisations["souppes"], "member")
    configure_staff(users)
    financers = {f.code: f for f in db.session.scalars(select(Financer))}
    for project in PROJECTS:
        _project(project, organisations[project.organisation], users, financers)
    db.session.flush()
    from grants.demo_committee import seed_committee_demo

    seed_committee_demo(users)
    from grants.demo_decisions import seed_decisions

    seed_decisions(users)
    from grants.demo_cpom import seed_cpom_demo

    seed_cpom_demo(users)
    return [(email, description) for email, _, description in ACCOUNTS]


def _user(email: str, name: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, full_name=name, password_hash=hash_password(DEMO_PASSWORD))
        db.session.add(user)
        db.session.flush()
    return user


def _organisation(spec: DemoOrganisation, owner: User) -> Organisation:
    organisation = db.session.scalar(
        select(Organisation).where(Organisation.legal_name == spec.legal_name)
    )
    if organisation is None:
        organisation = Organisation(
            legal_name=spec.legal_name,
            category=spec.category,
            legal_form=spec.legal_form,
            siret=spec.siret,
            representative_name=spec.representative[0],
            representative_function=spec.representative[1],
            contact_name=owner.full_name,
            contact_email=owner.email,
            contact_phone="01 60 00 00 00",
            address="",
        )
        db.session.add(organisation)
        db.session.flush()
        _member(owner, organisation, "owner")
    return organisation


def _member(user: User, organisation: Organisation, role: str) -> None:
    exists = db.session.scalar(
        select(Membership.id).where(
            Membership.user_id == user.id, Membership.organisation_id == organisation.id
        )
    )
    if exists is None:
        db.session.add(Membership(user=user, organisation=organisation, role=role))


def _project(
    spec: DemoProject,
    organisation: Organisation,
    users: dict[str, User],
    financers: dict[str, Financer],
) -> None:
    if db.session.scalar(select(Dossier.id).where(Dossier.title == spec.title)) is not None:
        return
    owner = next(u for u in users.values() if u.email == _owner_email(spec))
    dossier = Dossier(organisation=organisation, created_by=owner, title=spec.title, state="draft")
    db.session.add(dossier)
    if spec.stage == "empty":
        dossier.aid_types = list(spec.aid_types)
        dossier.structure_type = spec.structure_type
        db.session.flush()
        return
    _identity(dossier, spec, financers)
    _territory(dossier, spec)
    _professionals(dossier, spec)
    if spec.stage == "partial":
        db.session.flush()
        return
    _health_project(dossier)
    _real_estate(dossier, spec)
    _operating(dossier)
    _financing(dossier, spec, financers)
    _commitments(dossier, organisation)
    db.session.flush()
    _pieces(dossier, owner)
    if spec.stage == "submitted":
        from grants.services.submission import submit_dossier

        submit_dossier(dossier, actor=owner, expected_lock_version=dossier.lock_version)
        if spec.instruction:
            advance(dossier, spec.instruction, users)


def _pieces(dossier: Dossier, owner: User) -> None:
    """Attach a small demonstration PDF for every mandatory piece, through the upload service."""
    from flask import current_app

    from grants.documents.sample_pdf import sample_pdf
    from grants.services.pieces import required_pieces
    from grants.services.uploads import Upload, store_piece

    settings = current_app.extensions["grants_settings"]
    for piece in required_pieces(dossier):
        if not piece.mandatory:
            continue
        data = sample_pdf(f"{piece.kind.label} - {dossier.title}")
        store_piece(
            dossier,
            actor=owner,
            piece_code=piece.code,
            financer=None,
            upload=Upload(filename=f"{piece.code}.pdf", stream=io.BytesIO(data)),
            storage=current_app.extensions["grants_storage"],
            max_bytes=settings.max_upload_mb * 1024 * 1024,
        )
    db.session.refresh(dossier, ["attachments"])


def _owner_email(spec: DemoProject) -> str:
    return next(o.owner for o in ORGANISATIONS if o.key == spec.organisation)


def _identity(dossier: Dossier, spec: DemoProject, financers: dict[str, Financer]) -> None:
    dossier.structure_type = spec.structure_type
    dossier.nature = "creation"
    dossier.aid_types = list(spec.aid_types)
    dossier.project_stage = "feasibility_done"
    dossier.financers = [financers[code] for code in spec.financers]


def _territory(dossier: Dossier, spec: DemoProject) -> None:
    dossier.communes = [
        DossierCommune(insee_code=code, position=i) for i, code in enumerate(spec.communes)
    ]
    dossier.departement_code = spec.communes[0][:2]
    dossier.address = f"Rue de la Mairie — {spec.district}"
    dossier.district = spec.district
    dossier.flag_qpv = "Quartier" in spec.district
    dossier.bassin_population = 24000
    dossier.diagnosis_reference = f"Diagnostic territorial partagé URPS — {spec.district}"
    dossier.diagnosis_date = date(2012, 3, 15)
    dossier.diagnosis_author = "URPS médecins Île-de-France"


def _professionals(dossier: Dossier, spec: DemoProject) -> None:
    rows: list[Professional] = []
    for i in range(spec.physicians + spec.others):
        physician = i < spec.physicians
        rows.append(
            Professional(
                position=i,
                last_name=LAST_NAMES[i % len(LAST_NAMES)],
                first_name=FIRST_NAMES[(i * 3) % len(FIRST_NAMES)],
                profession="medecin_generaliste"
                if physician
                else OTHER_PROFESSIONS[(i - spec.physicians) % len(OTHER_PROFESSIONS)],
                exercise_mode="liberal",
                status_in_project="already_on_site" if i % 3 else "new_installation",
                etp=Decimal("1.00") if i % 4 else Decimal("0.50"),
                sector="secteur_1" if physician else None,
                age_band=("35_54", "lt35", "55_59", "gte60")[i % 4],
                msu=physician and i == 0,
                pdsa=physician,
                contracts=[],
            )
        )
    dossier.professionals = rows


def _health_project(dossier: Dossier) -> None:
    dossier.needs_analysis = (
        "Densité de médecins généralistes inférieure à la moyenne régionale, médecins âgés, "
        "forte part de patients en affection de longue durée."
    )
    dossier.coordinator_named = True
    dossier.team_meetings_per_year = 10
    dossier.unscheduled_care = True
    dossier.pdsa_participation = True
    dossier.shared_information_system = True
    dossier.information_system_tool = "Logiciel labellisé de dossier patient partagé"
    dossier.trainees_internes = 2
    dossier.objectives = [
        HealthObjective(
            position=0,
            objective="Améliorer le suivi des patients diabétiques",
            indicator="Part des patients diabétiques avec HbA1c annuelle",
            baseline="55 %",
            target="80 %",
            year=2014,
        ),
        HealthObjective(
            position=1,
            objective="Développer les soins non programmés",
            indicator="Créneaux de soins non programmés par semaine",
            baseline="10",
            target="40",
            year=2014,
        ),
    ]


def _real_estate(dossier: Dossier, spec: DemoProject) -> None:
    dossier.operation_type = "new_build"
    dossier.land_status = "owned"
    dossier.land_owner = "Commune"
    dossier.surface_m2 = Decimal("650")
    dossier.consulting_rooms = spec.physicians + spec.others
    dossier.shared_rooms = 3
    dossier.cost_works = spec.works_cost
    dossier.cost_design_fees = (spec.works_cost * Decimal("0.12")).quantize(Decimal("1"))
    dossier.cost_equipment = Decimal("120000")
    dossier.planned_rent_m2_year = Decimal("120")
    dossier.market_rent_m2_year = Decimal("180")
    dossier.commitment_years = 15
    dossier.delivery_date = date(2014, 9, 1)


def _operating(dossier: Dossier) -> None:
    lines = []
    for year in (1, 2, 3):
        lines += [
            OperatingLine(
                year_index=year,
                kind="charge",
                category="coordination",
                label="Coordinateur (0,5 ETP)",
                amount=Decimal("22000"),
            ),
            OperatingLine(
                year_index=year,
                kind="produit",
                category="team_remuneration",
                label="Rémunération d'équipe",
                amount=Decimal("25000"),
            ),
        ]
    for position, line in enumerate(lines):
        line.position = position
    dossier.operating_lines = lines


def _financing(dossier: Dossier, spec: DemoProject, financers: dict[str, Financer]) -> None:
    costs = {
        "investment_real_estate": (dossier.cost_works or 0)
        + (dossier.cost_design_fees or 0)
        + (dossier.cost_equipment or 0),
        "operating": Decimal("66000"),
        "feasibility_study": Decimal("40000"),
        "investment_equipment": Decimal("80000"),
    }
    cost_lines, resource_lines = [], []
    for aid_type in spec.aid_types:
        total = Decimal(costs[aid_type])
        cost_lines.append(CostLine(aid_type=aid_type, year=2013, label="Coût total", amount=total))
        share = (total * Decimal("0.25")).quantize(Decimal("1"))
        remaining = total
        for code in spec.financers:
            resource_lines.append(
                ResourceLine(
                    aid_type=aid_type,
                    kind="financer",
                    financer=financers[code],
                    amount=share,
                    label="",
                    status="requested",
                )
            )
            remaining -= share
        resource_lines.append(
            ResourceLine(
                aid_type=aid_type,
                kind="own_funds",
                amount=remaining,
                label="Apport du porteur",
                status="self",
            )
        )
    for position, line in enumerate(cost_lines):
        line.position = position
    for position, line in enumerate(resource_lines):
        line.position = position
    dossier.cost_lines = cost_lines
    dossier.resource_lines = resource_lines


def _commitments(dossier: Dossier, organisation: Organisation) -> None:
    dossier.accepted_commitments = [
        "maintain_activity",
        "moderate_rent",
        "health_project_reporting",
        "accept_cpom",
        "inform_changes",
    ]
    dossier.commitments_signatory = organisation.representative_name
    if organisation.category in ("collectivite", "gip"):
        dossier.deliberation_reference = "Délibération n° 2012-045"
        dossier.deliberation_date = date(2012, 6, 28)
