"""Demo data for the shared instruction committee, modelled on the selection committee of 23 May
2012 (DOMAIN §6.7: the MSP de Drancy "went before the selection committee on 23 May 2012 and
received a favourable opinion"): that session held and closed, with its members (the ARS
care-supply directorate in the chair, the URPS médecins, a DD ARS, the Région as permanent guest),
attendance, the opinion with the amounts reserved on the envelopes, and approved minutes; then an
upcoming session being prepared, with Épinay-sur-Seine on its agenda and Souppes-sur-Loing (under
instruction in grants.demo) among the candidates.

Everything goes through the committee services and the workflow engine. Idempotent: nothing is
added once the 2012 session exists.

Accounts added here (demo password): dd93@ (DD ARS Seine-Saint-Denis), urps@ (URPS médecins,
committee member) and dos@ (ARS care-supply directorate, chairs the committee).
"""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from grants import demo
from grants.demo import DemoOrganisation, DemoProject, _organisation, _user
from grants.extensions import db
from grants.models import CommitteeSession, Dossier, Financer, Organisation, User
from grants.models.base import utcnow
from grants.services import committee as committee_service
from grants.services import committee_agenda as agenda
from grants.services import committee_minutes as minutes
from grants.services import committee_recording as recording
from grants.services.committee_recording import ItemRecord

HELD_TITLE = "Commission de sélection du 23 mai 2012"
UPCOMING_TITLE = "Comité d'instruction partagé — prochaine séance"
PLACE_2012 = "ARS Île-de-France, Le Millénaire 2, 35 rue de la Gare, 75019 Paris — salle du conseil"
PLACE_NOW = "ARS Île-de-France, 13 rue du Landy, 93200 Saint-Denis — salle 4.12"

ARS = ("ARS_FIR", "ARS_IMMO")
# email → (name, role, financer codes, département)
ACCOUNTS = {
    "dd93@demo.grants.fr": ("Fatima Ouali", "dd_instructor", ARS, "93"),
    "urps@demo.grants.fr": ("Dr Jean-Luc Perrin", "committee_member", ARS, None),
    "dos@demo.grants.fr": ("Dr Anne-Sophie Bertin", "committee_member", ARS, None),
}
ORGANISATIONS = (
    DemoOrganisation(
        "drancy",
        "SISA Maison de santé de Drancy",
        "ps_group",
        "sisa",
        "82314597600010",
        ("Dr Karine Lemaire", "Gérante"),
        "promoteur@demo.grants.fr",
    ),
    DemoOrganisation(
        "epinay",
        "Commune d'Épinay-sur-Seine",
        "collectivite",
        "commune",
        "51478269300014",
        ("Maire d'Épinay-sur-Seine", "Maire"),
        "promoteur@demo.grants.fr",
    ),
)
DRANCY = DemoProject(
    "drancy",
    "Maison de santé pluriprofessionnelle de Drancy",
    "msp",
    ("93029",),
    "Centre-ville",
    "submitted",
    physicians=6,
    others=5,
    notes="Commission de sélection du 23 mai 2012 : avis favorable.",
    instruction="under_instruction",
)
EPINAY = DemoProject(
    "epinay",
    "Maison de santé pluriprofessionnelle d'Épinay-sur-Seine",
    "msp",
    ("93031",),
    "Quartier d'Orgemont",
    "submitted",
    physicians=5,
    others=4,
    financers=("ARS_IMMO", "REGION_IDF"),
    notes="Projet bien avancé : la ville a acquis le terrain.",
    instruction="under_instruction",
)
SOUPPES = "Maison de santé pluriprofessionnelle de Souppes-sur-Loing"


def seed_committee_demo(users: dict[str, User]) -> None:
    if db.session.scalar(select(CommitteeSession.id).where(CommitteeSession.title == HELD_TITLE)):
        return
    people = {**users, **_accounts()}
    financers = {f.code: f for f in db.session.scalars(select(Financer))}
    for spec in ORGANISATIONS:
        organisation = _organisation(spec, people[spec.owner])
        project = DRANCY if spec.key == "drancy" else EPINAY
        _file(project, organisation, people[spec.owner], people, financers)
    db.session.flush()
    _held_session(people)
    _upcoming_session(people)
    db.session.flush()


def _file(
    spec: DemoProject,
    organisation: Organisation,
    owner: User,
    people: dict[str, User],
    financers: dict[str, Financer],
) -> None:
    """A complete dossier filed and instructed as grants.demo does for its own projects."""
    if db.session.scalar(select(Dossier.id).where(Dossier.title == spec.title)) is not None:
        return
    dossier = Dossier(organisation=organisation, created_by=owner, title=spec.title, state="draft")
    db.session.add(dossier)
    demo._identity(dossier, spec, financers)
    demo._territory(dossier, spec)
    demo._professionals(dossier, spec)
    demo._health_project(dossier)
    demo._real_estate(dossier, spec)
    demo._operating(dossier)
    demo._financing(dossier, spec, financers)
    demo._commitments(dossier, organisation)
    db.session.flush()
    demo._pieces(dossier, owner)
    from grants.services.submission import submit_dossier

    submit_dossier(dossier, actor=owner, expected_lock_version=dossier.lock_version)
    demo.advance(dossier, spec.instruction, people)


def _accounts() -> dict[str, User]:
    financers = {f.code: f for f in db.session.scalars(select(Financer))}
    result = {}
    for email, (name, role, codes, departement) in ACCOUNTS.items():
        user = _user(email, name)
        user.role = role
        user.departement_code = departement
        user.financers = [financers[code] for code in codes]
        result[email] = user
    db.session.flush()
    return result


def _dossier(title: str) -> Dossier:
    found = db.session.scalar(select(Dossier).where(Dossier.title == title))
    if found is None:
        raise LookupError(f"demo dossier missing: {title}")
    return found


def _name(session: CommitteeSession, secretary: User, people: dict[str, User], dd: str) -> None:
    for email, role, institution in (
        ("dos@demo.grants.fr", "chair", "ARS Île-de-France — direction de l'offre de soins"),
        ("urps@demo.grants.fr", "member", "URPS médecins libéraux Île-de-France"),
        (dd, "member", "ARS Île-de-France — délégation départementale"),
        ("region@demo.grants.fr", "guest", "Région Île-de-France (invitée permanente)"),
        ("comite@demo.grants.fr", "secretary", "ARS Île-de-France — direction de l'offre de soins"),
    ):
        committee_service.add_member(
            session,
            actor=secretary,
            expected_version=None,
            role=role,
            user=people[email],
            institution=institution,
        )


def _score(dossier: Dossier) -> None:
    from grants.services.scoring import current_card, score_dossier

    if current_card(dossier.id) is None:
        score_dossier(dossier.id, "demo")


def _held_session(people: dict[str, User]) -> None:
    secretary = people["comite@demo.grants.fr"]
    drancy = _dossier(DRANCY.title)
    _score(drancy)
    session = committee_service.create_session(
        actor=secretary,
        title=HELD_TITLE,
        kind="selection",
        meets_at=committee_service.paris_to_utc(date(2012, 5, 23), time(14, 0)),
        place=PLACE_2012,
    )
    _name(session, secretary, people, "dd93@demo.grants.fr")
    committee_service.add_member(
        session,
        actor=secretary,
        expected_version=None,
        role="guest",
        full_name="Dr Hervé Castel",
        institution="FEMASIF (fédération des maisons et pôles de santé d'Île-de-France)",
    )
    agenda.add_item(session, drancy, actor=secretary, expected_version=None)
    agenda.freeze(session, actor=secretary, expected_version=None)
    recording.record_attendance(
        session,
        {m.id: ("excused" if m.user_id is None else "present") for m in session.members},
        actor=secretary,
        expected_version=None,
    )
    financer = {f.code: f.id for f in drancy.financers}
    recording.record_item(
        session.items[0],
        ItemRecord(
            opinion="favourable",
            discussion=(
                "Projet porté par six médecins généralistes et cinq autres professionnels, "
                "appuyé sur le diagnostic territorial partagé ; le comité souligne la "
                "participation à la permanence des soins et l'accueil d'internes."
            ),
            amounts={
                (financer["ARS_IMMO"], "investment_real_estate"): Decimal("440000.00"),
                (financer["REGION_IDF"], "investment_real_estate"): Decimal("180000.00"),
            },
        ),
        actor=secretary,
        expected_version=None,
    )
    draft = minutes.generate(session, actor=secretary, expected_version=None)
    minutes.approve(draft, actor=secretary, expected_version=None)


def _upcoming_session(people: dict[str, User]) -> None:
    secretary = people["comite@demo.grants.fr"]
    day = (utcnow() + timedelta(days=21)).date()
    session = committee_service.create_session(
        actor=secretary,
        title=UPCOMING_TITLE,
        kind="instruction",
        meets_at=committee_service.paris_to_utc(day, time(14, 30)),
        place=PLACE_NOW,
        video_link="https://visio.demo.grants.fr/comite-instruction-partage",
    )
    _name(session, secretary, people, "dd77@demo.grants.fr")
    epinay = _dossier(EPINAY.title)
    souppes = db.session.scalar(select(Dossier).where(Dossier.title == SOUPPES))
    for dossier in (epinay, souppes):
        if dossier is not None and dossier.state == "under_instruction":
            _score(dossier)
    if epinay.state == "under_instruction":
        agenda.add_item(session, epinay, actor=secretary, expected_version=None)
