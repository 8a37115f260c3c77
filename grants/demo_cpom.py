"""Demo data: CPOMs in force for two years (DOMAIN §6.7 — the MSP-Universitaire de Coulommiers,
open and followed; the MSP de Crouy-sur-Ourcq and the MSP de Corbeil-Essonnes, in execution).

Each dossier is filed and instructed as grants.demo does, goes before a selection committee that
proposes the ARS real-estate aid, is granted by the ARS decider, then its CPOM — drafted by the
workflow — is negotiated by the ARS instructor (it runs from 1 January two years ago), signed by
the promoter in the product (typed name), countersigned by the ARS (tranches and reporting periods
are scheduled), its advance requested, checked, approved and paid (a movement on the 55 M€
envelope), and every reporting period already over filed by the promoter (register arrivals and
departures, rent, objectives) and validated by the délégation départementale. At Coulommiers a
physician left in the second year and the rent went above the ceiling: critical alerts, the CPOM
at risk on the monitor's dashboard.

Everything goes through the services and the workflow engine, with explicit past dates where a
service takes one (committee, decision act, contract period, register, opening). Idempotent:
nothing is added once the first of these dossiers exists.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field, replace
from datetime import date, time
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from grants.demo import DemoOrganisation, DemoProject, _organisation
from grants.demo_committee import _accounts, _file, _name, _score
from grants.demo_decisions import _close_instruction
from grants.extensions import db
from grants.models import Agreement, Dossier, Financer, RegisterEntry, ReportingPeriod, User
from grants.services import agreement_signature, decisions, payments, reporting
from grants.services import committee as committee_service
from grants.services import committee_agenda as agenda
from grants.services import committee_minutes as minutes
from grants.services import committee_recording as recording
from grants.services.agreement_terms import agreement_terms, latest_end
from grants.services.agreement_versions import render_version
from grants.services.agreements import (
    agreements_of,
    default_indicator,
    record_opening,
    update_terms,
)
from grants.services.committee_recording import ItemRecord
from grants.services.document_requests import paris_today
from grants.services.reporting_register import add_arrival, record_departure
from grants.services.reporting_reports import ReportInput, submit_report, typed_indicators
from grants.services.reporting_reports import validate_report as validate_period
from grants.services.uploads import Upload
from grants.templating import french_date
from grants.workflow import engine

PROMOTER = "promoteur@demo.grants.fr"
SECRETARY = "comite@demo.grants.fr"
INSTRUCTOR = "ars.siege@demo.grants.fr"
DECIDER = "decision.ars@demo.grants.fr"
ENVELOPE_FINANCER = "ARS_IMMO"
REAL_ESTATE = "investment_real_estate"
SIGNED_FROM_IP = "192.0.2.10"  # documentation range: the promoter's office in the story
PLACE = "ARS Île-de-France, 13 rue du Landy, 93200 Saint-Denis — salle du conseil"
SIGNATORY = "Mme Sylvie Carpentier, directrice générale adjointe"
CONDITIONS = (
    "Signature du contrat pluriannuel d'objectifs et de moyens (CPOM) avant tout versement ; "
    "maintien de l'activité médicale et d'un loyer modéré pendant toute la durée d'engagement."
)


@dataclass(frozen=True)
class Change:
    """A change in the team, declared in the first report whose period covers it.

    ``year`` counts from the CPOM's first year (0 or 1); a departure takes the last professional
    of that profession still present in the register."""

    year: int
    month: int
    day: int
    kind: str  # "arrival" | "departure"
    profession: str
    first_name: str = ""
    last_name: str = ""
    etp: Decimal = Decimal("1.00")
    newly_installed: bool = True


@dataclass(frozen=True)
class Story:
    project: DemoProject
    proposed: Decimal  # what the committee proposes and the ARS grants (real estate)
    rents: tuple[Decimal, Decimal]  # rent charged (€/m²/year) in the first and second year
    objectives: tuple[tuple[int, int], tuple[int, int]]  # (due, met) per year
    comments: tuple[str, str]
    changes: tuple[Change, ...]
    clauses: str = ""
    extra_indicators: tuple[str, ...] = ()
    typed: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)
    opened: tuple[int, int] | None = None  # (month, day) of the opening in the first year


ORGANISATIONS = (
    DemoOrganisation(
        "coulommiers",
        "SISA Maison de santé universitaire de Coulommiers",
        "ps_group",
        "sisa",
        "84123658110001",
        ("Dr Mathieu Lenoir", "Gérant"),
        PROMOTER,
    ),
    DemoOrganisation(
        "crouy",
        "Commune de Crouy-sur-Ourcq",
        "collectivite",
        "commune",
        "21770148110003",
        ("Maire de Crouy-sur-Ourcq", "Maire"),
        PROMOTER,
    ),
    DemoOrganisation(
        "corbeil",
        "Commune de Corbeil-Essonnes",
        "collectivite",
        "commune",
        "21910174810007",
        ("Maire de Corbeil-Essonnes", "Maire"),
        PROMOTER,
    ),
)

COULOMMIERS = Story(
    DemoProject(
        "coulommiers",
        "Maison de santé pluriprofessionnelle universitaire de Coulommiers",
        "msp",
        ("77131",),
        "Centre-ville",
        "submitted",
        physicians=6,
        others=5,
        aid_types=(REAL_ESTATE,),
        financers=(ENVELOPE_FINANCER,),
        works_cost=Decimal("2100000"),
        notes="MSP universitaire financée par l'ARS ; ouverte le 2 mai.",
        instruction="under_instruction",
    ),
    proposed=Decimal("520000.00"),
    rents=(Decimal("118"), Decimal("142")),
    objectives=((2, 2), (2, 2)),
    comments=(
        "Première année d'activité : accueil de trois internes en médecine générale, protocole "
        "de suivi des patients diabétiques en place.",
        "Départ d'un médecin généraliste au 30 septembre, non remplacé à ce jour ; le bailleur a "
        "révisé le loyer à la hausse après la livraison de l'extension.",
    ),
    changes=(
        Change(0, 3, 4, "arrival", "infirmier", "Julie", "Marchand"),
        Change(1, 2, 3, "arrival", "masseur_kinesitherapeute", "Romain", "Faure"),
        Change(1, 9, 30, "departure", "medecin_generaliste"),
    ),
    clauses=(
        "La structure accueille chaque année au moins deux internes en médecine générale "
        "(maison de santé universitaire)."
    ),
    extra_indicators=("K6",),
    typed={"K6": (Decimal("3"), Decimal("2"))},
    opened=(5, 2),
)
CROUY = Story(
    DemoProject(
        "crouy",
        "Maison de santé pluriprofessionnelle de Crouy-sur-Ourcq",
        "msp",
        ("77148",),
        "Centre-bourg",
        "submitted",
        physicians=5,
        others=4,
        aid_types=(REAL_ESTATE,),
        financers=(ENVELOPE_FINANCER,),
        works_cost=Decimal("1500000"),
        notes="Financée par l'ARS ; l'équipe exerce en locaux provisoires pendant les travaux.",
        instruction="under_instruction",
    ),
    proposed=Decimal("360000.00"),
    rents=(Decimal("105"), Decimal("108")),
    objectives=((2, 1), (2, 2)),
    comments=(
        "Équipe constituée dans les locaux provisoires ; l'objectif de soins non programmés est "
        "reporté à l'an prochain, faute de locaux adaptés pendant les travaux.",
        "Les deux objectifs du projet de santé sont atteints ; une infirmière est partie et un "
        "jeune médecin s'est installé.",
    ),
    changes=(
        Change(0, 9, 2, "arrival", "medecin_generaliste", "Lucie", "Perret", Decimal("0.80")),
        Change(1, 6, 30, "departure", "infirmier"),
        Change(1, 11, 3, "arrival", "medecin_generaliste", "Nicolas", "Blanc"),
    ),
)
CORBEIL = Story(
    DemoProject(
        "corbeil",
        "Maison de santé pluriprofessionnelle de Corbeil-Essonnes",
        "msp",
        ("91174",),
        "Quartier des Tarterêts",
        "submitted",
        physicians=6,
        others=5,
        aid_types=(REAL_ESTATE,),
        financers=(ENVELOPE_FINANCER,),
        works_cost=Decimal("1900000"),
        notes="Livraison du bâtiment prévue ; financée par l'ARS.",
        instruction="under_instruction",
    ),
    proposed=Decimal("450000.00"),
    rents=(Decimal("95"), Decimal("98")),
    objectives=((2, 2), (3, 3)),
    comments=(
        "Montée en charge conforme au projet de santé ; coordination assurée par une "
        "infirmière coordinatrice à mi-temps.",
        "Un troisième objectif (prévention de l'obésité infantile avec les écoles du quartier) "
        "a été ajouté et atteint.",
    ),
    changes=(
        Change(0, 4, 15, "arrival", "sage_femme", "Aïcha", "Diallo", Decimal("0.50")),
        Change(1, 1, 6, "arrival", "medecin_generaliste", "Pierre", "Lemoine"),
    ),
)
STORIES = (COULOMMIERS, CROUY, CORBEIL)
AT_RISK = COULOMMIERS


def first_year(today: date | None = None) -> int:
    """The CPOMs start on 1 January two years ago: both earlier years are fully reported."""
    return (today or paris_today()).year - 2


def seed_cpom_demo(users: dict[str, User]) -> None:
    """File, decide, contract, pay and report each story's dossier (after the committee and
    decisions demos, whose accounts it uses)."""
    if db.session.scalar(select(Dossier.id).where(Dossier.title == STORIES[0].project.title)):
        return
    people = {**users, **_accounts()}
    financers = {f.code: f for f in db.session.scalars(select(Financer))}
    dossiers = []
    for story in STORIES:
        spec = next(o for o in ORGANISATIONS if o.key == story.project.organisation)
        organisation = _organisation(spec, people[spec.owner])
        _file(story.project, organisation, people[spec.owner], people, financers)
        dossiers.append(_dossier(story.project.title))
    today = paris_today()
    start = date(first_year(today), 1, 1)
    _committee(dossiers, people, start)
    for story, dossier in zip(STORIES, dossiers, strict=True):
        _decide(story, dossier, people, date(start.year - 1, 11, 20))
        agreement = _contract(story, dossier, people, start)
        _pay_advance(agreement, people)
        _report(story, agreement, people, today)
        if story.opened is not None:
            dd = people[f"dd{dossier.departement_code}@demo.grants.fr"]
            record_opening(dossier, date(start.year, *story.opened), dd)
    db.session.flush()


def _dossier(title: str) -> Dossier:
    found = db.session.scalar(select(Dossier).where(Dossier.title == title))
    if found is None:
        raise LookupError(f"demo dossier missing: {title}")
    return found


# --- committee and decision --------------------------------------------------------------------


def _committee(dossiers: list[Dossier], people: dict[str, User], start: date) -> None:
    """A selection committee in the autumn before the CPOMs start, favourable to each dossier,
    with the ARS real-estate aid proposed (reserved on the envelope) and approved minutes."""
    secretary = people[SECRETARY]
    day = date(start.year - 1, 10, 12)
    session = committee_service.create_session(
        actor=secretary,
        title=f"Commission de sélection du {french_date(day)}",
        kind="selection",
        meets_at=committee_service.paris_to_utc(day, time(14, 0)),
        place=PLACE,
    )
    _name(session, secretary, people, "dd77@demo.grants.fr")
    committee_service.add_member(
        session,
        actor=secretary,
        expected_version=None,
        role="member",
        user=people["dd91@demo.grants.fr"],
        institution="ARS Île-de-France — délégation départementale de l'Essonne",
    )
    for dossier in dossiers:
        _score(dossier)
        agenda.add_item(session, dossier, actor=secretary, expected_version=None)
    agenda.freeze(session, actor=secretary, expected_version=None)
    recording.record_attendance(
        session,
        {m.id: "present" for m in session.members},
        actor=secretary,
        expected_version=None,
    )
    for item, story in zip(session.items, STORIES, strict=True):
        financer = next(f for f in item.dossier.financers if f.code == ENVELOPE_FINANCER)
        recording.record_item(
            item,
            ItemRecord(
                opinion="favourable",
                discussion=(
                    "Projet appuyé sur le diagnostic territorial partagé ; le comité retient "
                    "l'aide de l'ARS à l'investissement immobilier et rappelle les engagements "
                    "de maintien de l'activité médicale et de loyer modéré."
                ),
                amounts={(financer.id, REAL_ESTATE): story.proposed},
            ),
            actor=secretary,
            expected_version=None,
        )
    draft = minutes.generate(session, actor=secretary, expected_version=None)
    minutes.approve(draft, actor=secretary, expected_version=None)


def _decide(story: Story, dossier: Dossier, people: dict[str, User], act_date: date) -> None:
    """The ARS instructor closes the instruction; the ARS decider grants what was proposed: the
    dossier is decided and its CPOM drafted by the workflow."""
    _close_instruction(dossier, people)
    track = next(t for t in dossier.tracks if t.financer.code == ENVELOPE_FINANCER)
    decisions.decide(
        track,
        people[DECIDER],
        "granted",
        {REAL_ESTATE: str(story.proposed)},
        CONDITIONS,
        "",
        f"DG-ARS-IDF-{act_date:%Y}-DOS-{track.id:04d}",
        act_date,
        SIGNATORY,
        track.lock_version,
    )


# --- the contract ------------------------------------------------------------------------------


def _contract(story: Story, dossier: Dossier, people: dict[str, User], start: date) -> Agreement:
    """Negotiate the draft (five years from ``start``), send it, sign it, countersign it."""
    agreement = next(a for a in agreements_of(dossier.id) if a.kind == "cpom")
    instructor, owner = people[INSTRUCTOR], people[PROMOTER]
    terms = agreement_terms(agreement)
    # The tranches' dates follow the new period (an empty schedule: the default dates).
    terms = replace(
        terms,
        starts_on=start,
        ends_on=latest_end(start),
        specific_clauses=story.clauses,
        schedule=[],
    )
    years = [str(y) for y in terms.years]
    terms.indicators = [
        replace(i, targets={y: next(iter(i.targets.values()), None) for y in years})
        for i in terms.indicators
    ]
    terms.indicators += [default_indicator(code, dossier, terms) for code in story.extra_indicators]
    version = update_terms(agreement, terms, instructor, agreement.lock_version)
    render_version(version.id)  # the promoter is sent a document that exists
    engine.fire(agreement, "send", instructor)
    settings = current_app.extensions["grants_settings"]
    agreement_signature.sign(
        agreement,
        owner,
        method="typed",
        typed_name=owner.full_name,
        confirmed=True,
        ip=SIGNED_FROM_IP,
        storage=current_app.extensions["grants_storage"],
        max_bytes=settings.max_upload_mb * 1024 * 1024,
    )
    agreement_signature.countersign(agreement, people[DECIDER])
    return agreement


def _pay_advance(agreement: Agreement, people: dict[str, User]) -> None:
    """The promoter requests the advance with its evidence; checked, approved and paid."""
    from grants.documents.sample_pdf import sample_pdf
    from grants.services.payments_amounts import tranches_of
    from grants.services.payments_evidence import required

    tranche = min(tranches_of(agreement), key=lambda t: t.position)
    settings = current_app.extensions["grants_settings"]
    files = {
        e.code: Upload(
            filename=f"{e.code}.pdf",
            stream=io.BytesIO(sample_pdf(f"{e.label} - {agreement.reference}")),
        )
        for e in required(tranche, agreement)
        if e.held is None
    }
    request = payments.request_payment(
        tranche,
        people[PROMOTER],
        actual_eligible_cost=None,
        files=files,
        storage=current_app.extensions["grants_storage"],
        max_bytes=settings.max_upload_mb * 1024 * 1024,
    )
    payments.check_request(request, people[INSTRUCTOR])
    payments.approve_request(request, people[DECIDER])
    payments.pay_request(request, people[DECIDER])


# --- reports -----------------------------------------------------------------------------------


def _report(story: Story, agreement: Agreement, people: dict[str, User], today: date) -> None:
    """Every period already over: the team's changes it covers declared, the report filed by the
    promoter and validated by the délégation départementale."""
    owner = people[PROMOTER]
    dd = people[f"dd{agreement.dossier.departement_code}@demo.grants.fr"]
    start = agreement.starts_on.year
    pending = list(story.changes)
    for period in reporting.periods_of(agreement.id):
        if period.ends_on >= today:
            continue
        for change in [c for c in pending if _day(c, start) <= period.ends_on]:
            _declare(period, change, owner, start, today)
            pending.remove(change)
        submit_report(period, _input(story, period, start), actor=owner, expected_lock_version=None)
        validate_period(period, actor=dd, expected_lock_version=None)


def _day(change: Change, first: int) -> date:
    return date(first + change.year, change.month, change.day)


def _declare(period: ReportingPeriod, change: Change, owner: User, first: int, today: date) -> None:
    day = _day(change, first)
    if change.kind == "arrival":
        add_arrival(
            period,
            actor=owner,
            last_name=change.last_name,
            first_name=change.first_name,
            profession=change.profession,
            etp=change.etp,
            arrived_on=day,
            newly_installed=change.newly_installed,
            today=today,
        )
        return
    leaving = db.session.scalars(
        select(RegisterEntry)
        .where(
            RegisterEntry.agreement_id == period.agreement_id,
            RegisterEntry.profession == change.profession,
            RegisterEntry.left_on.is_(None),
        )
        .order_by(RegisterEntry.id.desc())
    ).first()
    if leaving is None:
        raise LookupError(f"nobody to leave: {change.profession}")
    record_departure(period, leaving, actor=owner, left_on=day, today=today)


def _input(story: Story, period: ReportingPeriod, first: int) -> ReportInput:
    if period.kind != "annual":
        return ReportInput(comments="Point semestriel transmis à la délégation départementale.")
    year = min(int(period.label) - first, 1)
    due, met = story.objectives[year]
    values = {
        indicator.code: story.typed[indicator.code][year]
        for indicator in typed_indicators(period)
        if indicator.code in story.typed
    }
    return ReportInput(
        rent_m2_year=story.rents[year],
        objectives_due=due,
        objectives_met=met,
        comments=story.comments[year],
        values=values,
    )
