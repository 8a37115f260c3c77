"""Build a complete, balanced draft dossier through the models, ready to be submitted.

``make_complete_dossier(promoter_user)`` returns a draft of the user's first organisation with
every section filled, every requested aid type balanced and every mandatory piece attached, so
``blocking_problems`` is empty. Keyword overrides:

- ``aid_types`` (default real estate + operating), ``financer_codes`` (default ARS_IMMO,
  REGION_IDF, DEP_77), ``commune_codes`` (default Souppes-sur-Loing, 77);
- ``with_pieces=False`` attaches nothing; ``organisation=`` another organisation;
- any other keyword is set on the dossier after it is built (``title="…"``, ``address=None``).
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Any

from sqlalchemy import select

from grants.extensions import db
from grants.models import (
    Attachment,
    Commune,
    CostLine,
    Dossier,
    DossierCommune,
    Financer,
    HealthObjective,
    OperatingLine,
    PieceKind,
    Professional,
    ResourceLine,
    User,
)
from grants.services.dossiers import load_full

DEFAULT_AID_TYPES = ("investment_real_estate", "operating")
DEFAULT_FINANCERS = ("ARS_IMMO", "REGION_IDF", "DEP_77")
DEFAULT_COMMUNES = ("77458",)
ALL_COMMITMENTS = [
    "maintain_activity",
    "moderate_rent",
    "health_project_reporting",
    "accept_cpom",
    "inform_changes",
]
# (label, amount) cost lines per aid type; real estate totals 1 234 567,89 €.
COSTS: dict[str, list[tuple[str, str]]] = {
    "feasibility_study": [("Étude de faisabilité (prestataire)", "36000.00")],
    "investment_real_estate": [
        ("Acquisition du terrain", "200000.00"),
        ("Travaux de construction", "884567.89"),
        ("Honoraires de maîtrise d'œuvre", "150000.00"),
    ],
    "investment_equipment": [("Équipement médical et informatique", "45000.00")],
    "operating": [
        ("Temps de coordination, année 1", "40000.00"),
        ("Temps de coordination, année 2", "40000.00"),
        ("Temps de coordination, année 3", "40000.00"),
    ],
}
PROFESSIONALS = [
    ("Martin", "Claire", "medecin_generaliste", "already_on_site", "1.00", "secteur_1"),
    ("Durand", "Paul", "medecin_generaliste", "new_installation", "0.80", "secteur_1"),
    ("Nguyen", "Linh", "medecin_generaliste", "new_installation", "1.00", "optam"),
    ("Bernard", "Sophie", "infirmier", "already_on_site", "1.00", None),
    ("Petit", "Lucas", "masseur_kinesitherapeute", "already_on_site", "0.50", None),
]
SECTION_VALUES: dict[str, Any] = {
    "structure_type": "msp",
    "nature": "creation",
    "project_stage": "feasibility_done",
    "owner_is_promoter": True,
    "address": "1 place de la Mairie",
    "district": "Centre-bourg",
    "bassin_population": 18500,
    "diagnosis_reference": "DTP-77-2024-012",
    "diagnosis_date": date(2024, 3, 14),
    "diagnosis_author": "URPS médecins Île-de-France",
    "needs_analysis": "Densité de médecins généralistes très inférieure à la moyenne régionale.",
    "coordinator_named": True,
    "team_meetings_per_year": 10,
    "opening_hours": "Du lundi au samedi, 8 h – 20 h",
    "feasibility_status": "delivered",
    "feasibility_provider": "Cabinet Conseil Santé",
    "feasibility_cost_ht": Decimal("30000.00"),
    "feasibility_cost_ttc": Decimal("36000.00"),
    "feasibility_subsidy_requested": Decimal("18000.00"),
    "feasibility_conclusion": "feasible",
    "operation_type": "new_build",
    "land_status": "promise_of_sale",
    "surface_m2": Decimal("450.00"),
    "consulting_rooms": 8,
    "cost_land": Decimal("200000.00"),
    "cost_works": Decimal("884567.89"),
    "cost_design_fees": Decimal("150000.00"),
    "planned_rent_m2_year": Decimal("120.00"),
    "market_rent_m2_year": Decimal("180.00"),
    "commitment_years": 10,
    "accepted_commitments": ALL_COMMITMENTS,
    "commitments_signatory": "Dr Claire Martin, gérante",
}


def _financers(codes: tuple[str, ...] | list[str]) -> list[Financer]:
    found = {
        f.code: f for f in db.session.scalars(select(Financer).where(Financer.code.in_(codes)))
    }
    return [found[code] for code in codes]


def _plan(dossier: Dossier, aid_types: list[str], financers: list[Financer]) -> None:
    position = 0
    for aid_type in aid_types:
        lines = COSTS[aid_type]
        for index, (label, amount) in enumerate(lines):
            dossier.cost_lines.append(
                CostLine(
                    aid_type=aid_type,
                    year=2026 + index,
                    label=label,
                    amount=Decimal(amount),
                    position=index,
                )
            )
        total = sum((Decimal(a) for _l, a in lines), Decimal(0))
        # The real-estate envelope only funds real estate (unless nothing else is requested).
        eligible = [
            f
            for f in financers
            if f.kind != "ars_envelope"
            or aid_type == "investment_real_estate"
            or "investment_real_estate" not in aid_types
        ]
        share = (total / (len(eligible) + 1)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
        for financer in eligible:
            dossier.resource_lines.append(
                ResourceLine(
                    aid_type=aid_type,
                    kind="financer",
                    financer=financer,
                    financer_id=financer.id,
                    amount=share,
                    position=position,
                )
            )
            position += 1
        dossier.resource_lines.append(
            ResourceLine(
                aid_type=aid_type,
                kind="own_funds",
                label="Apport des associés",
                amount=total - share * len(eligible),
                status="self",
                position=position,
            )
        )
        position += 1


def _rows(dossier: Dossier, commune_codes: tuple[str, ...] | list[str]) -> None:
    for position, code in enumerate(commune_codes):
        commune = db.session.get(Commune, code)
        assert commune is not None, code
        dossier.communes.append(DossierCommune(commune=commune, position=position))
    dossier.departement_code = (
        dossier.communes[0].commune.departement_code if dossier.communes else None
    )
    for position, (last, first, profession, status, etp, sector) in enumerate(PROFESSIONALS):
        dossier.professionals.append(
            Professional(
                last_name=last,
                first_name=first,
                profession=profession,
                exercise_mode="liberal",
                status_in_project=status,
                etp=Decimal(etp),
                sector=sector,
                position=position,
            )
        )
    dossier.objectives.append(
        HealthObjective(
            objective="Améliorer le suivi des patients diabétiques",
            indicator="Part des patients diabétiques avec HbA1c annuelle",
            baseline="55 %",
            target="80 %",
            year=2028,
        )
    )
    for year in (1, 2, 3):
        dossier.operating_lines.append(
            OperatingLine(
                year_index=year,
                kind="charge",
                category="coordination",
                label="Coordinateur (0,5 ETP)",
                amount=Decimal("40000.00"),
                position=2 * year,
            )
        )
        dossier.operating_lines.append(
            OperatingLine(
                year_index=year,
                kind="produit",
                category="team_remuneration",
                label="Accord conventionnel interprofessionnel (ACI)",
                amount=Decimal("40000.00"),
                position=2 * year + 1,
            )
        )


def attach_required_pieces(dossier: Dossier, user: User) -> list[Attachment]:
    """One general (all financers) attachment per mandatory piece the dossier needs."""
    try:
        from grants.services.pieces import required_pieces
    except ImportError:
        kinds = list(db.session.scalars(select(PieceKind).order_by(PieceKind.position)))
    else:
        kinds = [p.kind for p in required_pieces(dossier) if p.mandatory]
    attachments = []
    for kind in kinds:
        content = f"contenu de la pièce {kind.code}".encode()
        attachment = Attachment(
            dossier=dossier,
            piece_code=kind.code,
            storage_key=f"test/{uuid.uuid4().hex}",
            original_name=f"{kind.code}.pdf",
            content_type="application/pdf",
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by=user,
        )
        db.session.add(attachment)
        attachments.append(attachment)
    db.session.flush()
    return attachments


def make_complete_dossier(promoter_user: User, **overrides: Any) -> Dossier:
    """A complete, balanced draft dossier of ``promoter_user``'s first organisation (flushed)."""
    aid_types = list(overrides.pop("aid_types", DEFAULT_AID_TYPES))
    financer_codes = overrides.pop("financer_codes", DEFAULT_FINANCERS)
    commune_codes = overrides.pop("commune_codes", DEFAULT_COMMUNES)
    with_pieces = overrides.pop("with_pieces", True)
    organisation = overrides.pop("organisation", None) or promoter_user.memberships[0].organisation
    financers = _financers(financer_codes)
    dossier = Dossier(
        organisation=organisation,
        created_by=promoter_user,
        state="draft",
        title="Maison de santé pluriprofessionnelle de Souppes-sur-Loing",
        aid_types=aid_types,
        **SECTION_VALUES,
    )
    dossier.financers = financers
    db.session.add(dossier)
    _rows(dossier, commune_codes)
    _plan(dossier, aid_types, financers)
    for name, value in overrides.items():
        if not hasattr(Dossier, name):
            raise TypeError(f"make_complete_dossier: unknown override {name!r}")
        setattr(dossier, name, value)
    db.session.flush()
    if with_pieces:
        attach_required_pieces(dossier, promoter_user)
    dossier_id = dossier.id
    db.session.expire_all()
    loaded = load_full(dossier_id)
    assert loaded is not None
    return loaded
