"""A frozen committee agenda with realistic dossiers, for the committee pack's tests.

Dossiers are filed through the workflow (reference, frozen version, zoning recorded at
submission), then placed on the agenda directly (test data): scored, with proposed amounts and
opinions, each an item of a frozen session.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from decimal import Decimal

from pypdf import PdfReader
from sqlalchemy import select

from grants.extensions import db
from grants.models import (
    CommitteeItem,
    CommitteeMember,
    CommitteeSession,
    Dossier,
    Opinion,
    ProposedAmount,
    User,
)
from grants.models.base import utcnow
from grants.services import scoring
from grants.services.submission import submit_dossier
from tests import factories
from tests.helpers.complete_dossier import make_complete_dossier

# (title, commune, financers) — named projects of DOMAIN §6.7.
PROJECTS = [
    ("MSP de Drancy", "93029", ("ARS_IMMO", "REGION_IDF", "DEP_93")),
    ("MSP de Souppes-sur-Loing", "77458", ("ARS_IMMO", "REGION_IDF", "DEP_77")),
    ("MSP des Coteaux de l'Orge, Viry-Châtillon", "91687", ("ARS_IMMO", "REGION_IDF", "DEP_91")),
    ("MSP d'Orly", "94054", ("ARS_IMMO", "REGION_IDF", "DEP_94")),
    ("MSP de Villiers-le-Bel", "95680", ("ARS_IMMO", "REGION_IDF", "DEP_95")),
]
MEETS_AT = datetime(2026, 5, 23, 7, 30, tzinfo=UTC)


def agenda_dossier(
    promoter: User, instructor: User, title: str, commune: str, financers: tuple[str, ...]
) -> Dossier:
    dossier = make_complete_dossier(
        promoter, title=title, commune_codes=(commune,), financer_codes=financers
    )
    submit_dossier(dossier, actor=promoter, expected_lock_version=dossier.lock_version)
    db.session.flush()
    now = utcnow()
    dossier.state = "ready_for_committee"
    for track in dossier.tracks:
        track.state, track.checklist_completed_at = "instructing", now
    db.session.flush()
    scoring.score_dossier(dossier.id, "submit")
    for track in dossier.tracks:
        for aid_type in dossier.aid_types:
            requested = sum(
                (
                    line.amount
                    for line in dossier.resource_lines
                    if line.financer_id == track.financer_id and line.aid_type == aid_type
                ),
                Decimal("0"),
            )
            if requested:
                db.session.add(
                    ProposedAmount(
                        track_id=track.id,
                        aid_type=aid_type,
                        amount=(requested * Decimal("0.9")).quantize(Decimal("0.01")),
                        updated_by_id=instructor.id,
                    )
                )
    db.session.add_all(
        [
            Opinion(
                dossier_id=dossier.id,
                author_id=instructor.id,
                source="dd_ars",
                recommendation="favourable",
                text="Projet cohérent avec le diagnostic territorial.",
            ),
            Opinion(
                dossier_id=dossier.id,
                author_id=instructor.id,
                source="urps",
                recommendation="favourable_with_reservations",
                text="Réserve : confirmer l'engagement du troisième médecin.",
            ),
        ]
    )
    db.session.flush()
    return dossier


def frozen_session(
    secretary: User,
    dossiers: list[Dossier],
    members: list[User] = (),  # type: ignore[assignment]
) -> CommitteeSession:
    now = utcnow()
    committee = CommitteeSession(
        title="Comité d'instruction partagé du 23 mai",
        kind="instruction",
        meets_at=MEETS_AT,
        place="ARS Île-de-France, Millénaire 2, Paris",
        state="frozen",
        frozen_at=now,
        created_by_id=secretary.id,
    )
    db.session.add(committee)
    db.session.flush()
    for user in members:
        committee.members.append(
            CommitteeMember(
                user_id=user.id, full_name=user.full_name, institution="URPS médecins IDF"
            )
        )
    committee.members.append(
        CommitteeMember(full_name="Marie Lefèvre", institution="Région Île-de-France", role="guest")
    )
    for position, dossier in enumerate(dossiers, start=1):
        card = scoring.current_card(dossier.id)
        committee.items.append(
            CommitteeItem(
                dossier_id=dossier.id,
                position=position,
                score_card_id=card.id if card else None,
                score_total=card.total if card else None,
            )
        )
    db.session.flush()
    return committee


def make_agenda(count: int = 3, members: list[User] = ()) -> tuple[CommitteeSession, User]:  # type: ignore[assignment]
    """A frozen session of ``count`` dossiers (cycling through PROJECTS) and its secretary."""
    secretary = factories.make_staff("committee_secretary", factories.ARS_FINANCERS)
    instructor = factories.make_staff("ars_instructor", factories.ARS_FINANCERS)
    promoter = factories.UserFactory()
    factories.MembershipFactory(user=promoter, role="owner")
    db.session.flush()
    dossiers = []
    for index in range(count):
        title, commune, financers = PROJECTS[index % len(PROJECTS)]
        suffix = f" ({index + 1})" if index >= len(PROJECTS) else ""
        dossiers.append(agenda_dossier(promoter, instructor, title + suffix, commune, financers))
    return frozen_session(secretary, dossiers, members), secretary


def pdf_pages(data: bytes) -> list[str]:
    """Each page's text, every run of white space (line breaks, narrow no-break spaces of the
    French amounts) read as one space."""
    return [re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


def pdf_text(data: bytes) -> str:
    return " ".join(pdf_pages(data))


def stored_pack(committee: CommitteeSession) -> bytes:
    from flask import current_app

    db.session.refresh(committee)
    assert committee.pack_key, "no pack stored"
    return current_app.extensions["grants_storage"].get(committee.pack_key)


def dossiers_of(committee: CommitteeSession) -> list[Dossier]:
    return list(
        db.session.scalars(
            select(Dossier)
            .join(CommitteeItem, CommitteeItem.dossier_id == Dossier.id)
            .where(CommitteeItem.session_id == committee.id)
            .order_by(CommitteeItem.position)
        )
    )
