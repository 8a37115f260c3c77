"""Committee pack of a 40-dossier agenda through the real background path, against WeasyPrint
rendering the same HTML directly (issue 5).

Seeds 40 filed dossiers (a team of professionals, a commune with the zoning recorded at filing,
cost lines and resource lines for three financers plus own funds, a score card, proposed amounts,
DD ARS / URPS / Région opinions) on the frozen agenda of a selection committee, then times
``build_pack(job_id)`` — the Celery task's body: loading, the HTML of every summary, the PDF, the
file stored, the progress committed as it goes — and, in the same run, WeasyPrint rendering the
very HTML string that run produced (``HTML(string=...).write_pdf`` with the same stylesheet and
font configuration). Prints both medians and their ratio. Target: ratio <= 1.5.

    python bench/committee_pack.py            # 40 dossiers
    python bench/committee_pack.py --small    # 8 dossiers, under a minute
GRANTS_DATABASE_URL=postgresql+psycopg://127.0.0.1:5432/test selects PostgreSQL (a throwaway
database is created and dropped); otherwise a temporary SQLite file is used.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402

from bench._common import build_app, result_line, throwaway_database  # noqa: E402

TARGET = 1.5
REAL_ESTATE_AID = "investment_real_estate"
# (commune, INSEE code, département): places of DOMAIN §6.7.
COMMUNES = [
    ("Drancy", "93029", "93"), ("Souppes-sur-Loing", "77458", "77"), ("Égreville", "77168", "77"),
    ("Viry-Châtillon", "91687", "91"), ("Grigny", "91286", "91"), ("Orly", "94054", "94"),
    ("Le Perreux-sur-Marne", "94058", "94"), ("Villiers-le-Bel", "95680", "95"),
    ("Suresnes", "92073", "92"), ("Épinay-sur-Seine", "93031", "93"),
    ("Vigneux-sur-Seine", "91657", "91"), ("Clichy-sous-Bois", "93014", "93"),
    ("Corbeil-Essonnes", "91174", "91"), ("Breuillet", "91105", "91"),
    ("Athis-Mons", "91027", "91"), ("Les Mureaux", "78440", "78"), ("Trappes", "78621", "78"),
    ("Mantes-la-Jolie", "78361", "78"), ("Limay", "78335", "78"),
    ("Vitry-sur-Seine", "94081", "94"), ("Créteil", "94028", "94"),
    ("Crouy-sur-Ourcq", "77148", "77"), ("Coulommiers", "77131", "77"),
    ("Méry-sur-Oise", "95394", "95"), ("Deuil-la-Barre", "95197", "95"),
    ("Garges-lès-Gonesse", "95268", "95"), ("Ermont", "95219", "95"),
    ("Montreuil", "93048", "93"), ("Aulnay-sous-Bois", "93005", "93"),
    ("Saint-Denis", "93066", "93"), ("Villeneuve-la-Garenne", "92078", "92"),
    ("Chilly-Mazarin", "91161", "91"), ("Montgeron", "91421", "91"), ("Nangis", "77327", "77"),
    ("Dammartin-en-Goële", "77153", "77"), ("Freneuse", "78255", "78"),
    ("Forges-les-Bains", "91249", "91"), ("Noisy-le-Sec", "93053", "93"),
    ("Le Pré-Saint-Gervais", "93061", "93"), ("Nanterre", "92050", "92"),
]  # fmt: skip
TEAM = [
    ("Martin", "Claire", "medecin_generaliste", "already_on_site", "1.00"),
    ("Durand", "Paul", "medecin_generaliste", "new_installation", "0.80"),
    ("Nguyen", "Linh", "medecin_generaliste", "new_installation", "1.00"),
    ("Bernard", "Sophie", "infirmier", "already_on_site", "1.00"),
    ("Petit", "Lucas", "masseur_kinesitherapeute", "already_on_site", "0.50"),
    ("Moreau", "Inès", "sage_femme", "new_installation", "0.60"),
    ("Lefebvre", "Hugo", "medecin_specialiste", "already_on_site", "0.40"),
    ("Garcia", "Emma", "orthophoniste", "new_installation", "0.50"),
    ("Roux", "Nathan", "pharmacien", "already_on_site", "1.00"),
]
REAL_ESTATE = [
    ("Acquisition du terrain", "200000.00"),
    ("Travaux de construction", "884567.89"),
    ("Honoraires de maîtrise d'œuvre", "150000.00"),
]
OPERATING = [("Temps de coordination", "40000.00"), ("Système d'information partagé", "12500.00")]


def _people():  # type: ignore[no-untyped-def]
    from grants.extensions import db
    from grants.models import Membership, Organisation, User
    from grants.services.passwords import hash_password

    password = hash_password("x" * 12)
    secretary = User(
        email="secretariat@ars.example", full_name="Secrétariat DOS", password_hash=password,
        role="committee_secretary",
    )  # fmt: skip
    instructor = User(
        email="dd93@ars.example", full_name="Nadia Benali", password_hash=password,
        role="dd_instructor", departement_code="93",
    )  # fmt: skip
    promoter = User(email="porteur@example.org", full_name="Dr Claire Martin", password_hash="x")
    organisations = [
        Organisation(
            legal_name=f"SISA Maison de santé de {name}",
            category="ps_group",
            legal_form="sisa",
            siret="73282932000074",
            representative_name="Dr Claire Martin",
            representative_function="Gérante",
            contact_name="Claire Martin",
            contact_email="contact@example.org",
            contact_phone="01 23 45 67 89",
        )
        for name, _code, _dep in COMMUNES
    ]
    db.session.add_all([secretary, instructor, promoter, *organisations])
    db.session.flush()
    db.session.add(Membership(user_id=promoter.id, organisation_id=organisations[0].id))
    return secretary, instructor, promoter, organisations


def _dossier(index: int, organisation, promoter, financers, now):  # type: ignore[no-untyped-def]
    from grants.models import (
        CostLine,
        Dossier,
        DossierCommune,
        FinancerTrack,
        Professional,
        ResourceLine,
    )

    name, code, dep = COMMUNES[index % len(COMMUNES)]
    targeted = [financers["ARS_IMMO"], financers["REGION_IDF"], financers[f"DEP_{dep}"]]
    dossier = Dossier(
        organisation=organisation, created_by=promoter, state="ready_for_committee",
        reference=f"IDF-2012-{dep}-{index + 1:04d}", submitted_at=now - timedelta(days=60),
        title=f"Maison de santé pluriprofessionnelle de {name}", structure_type="msp",
        nature="creation", project_stage="feasibility_done",
        aid_types=["investment_real_estate", "operating"], departement_code=dep,
        address=f"{index + 1} place de la Mairie", district="Centre-ville",
        bassin_population=8000 + 731 * index, flag_qpv=index % 3 == 0, cls_signed=index % 4 == 0,
        diagnosis_reference=f"DTP-{dep}-2011-{index:03d}", needs_analysis="Densité faible.",
        coordinator_named=index % 2 == 0, feasibility_conclusion="feasible",
        planned_rent_m2_year=Decimal("120"), market_rent_m2_year=Decimal("180"),
        commitment_years=10, accepted_commitments=["maintain_activity", "moderate_rent"],
    )  # fmt: skip
    dossier.financers = targeted
    dossier.communes.append(DossierCommune(insee_code=code, position=0))
    for position, (last, first, profession, status, etp) in enumerate(TEAM[: 5 + index % 5]):
        dossier.professionals.append(
            Professional(
                last_name=last, first_name=first, profession=profession, exercise_mode="liberal",
                status_in_project=status, etp=Decimal(etp), sector="secteur_1", position=position,
            )
        )  # fmt: skip
    plans = (("investment_real_estate", REAL_ESTATE), ("operating", OPERATING))
    position = 0
    for aid_type, lines in plans:
        total = Decimal(0)
        for year, (label, amount) in enumerate(lines):
            value = Decimal(amount) + index * 1000
            total += value
            dossier.cost_lines.append(
                CostLine(aid_type=aid_type, year=2012 + year, label=label, amount=value)
            )
        eligible = [f for f in targeted if f.kind != "ars_envelope" or aid_type == REAL_ESTATE_AID]
        share = (total * Decimal("0.25")).quantize(Decimal("0.01"))
        for financer in eligible:
            dossier.resource_lines.append(
                ResourceLine(
                    aid_type=aid_type, kind="financer", financer_id=financer.id, amount=share,
                    status="requested", position=position,
                )
            )  # fmt: skip
            position += 1
        dossier.resource_lines.append(
            ResourceLine(
                aid_type=aid_type, kind="own_funds", label="Apport des associés",
                amount=total - share * len(eligible), status="self", position=position,
            )
        )  # fmt: skip
        position += 1
    for financer in targeted:
        dossier.tracks.append(
            FinancerTrack(financer=financer, state="awaiting_decision", checklist_completed_at=now)
        )
    return dossier


def seed(count: int) -> tuple[int, int]:
    """The agenda; returns (committee session id, secretary id)."""
    from flask_migrate import upgrade

    from grants.extensions import db
    from grants.models import (
        CommitteeItem,
        CommitteeMember,
        CommitteeSession,
        ConflictOfInterest,
        Financer,
        Opinion,
        ProposedAmount,
    )
    from grants.services import scoring
    from grants.services.reference import load_all
    from grants.services.zoning import record_dossier_zoning

    upgrade()
    load_all()
    db.session.commit()
    financers = {f.code: f for f in db.session.scalars(select(Financer))}
    secretary, instructor, promoter, organisations = _people()
    filed_at = datetime(2012, 3, 15, 9, 0, tzinfo=UTC)
    dossiers = [
        _dossier(i, organisations[i % len(organisations)], promoter, financers, filed_at)
        for i in range(count)
    ]
    db.session.add_all(dossiers)
    db.session.flush()
    for dossier in dossiers:
        record_dossier_zoning(dossier, datetime.now(UTC))
    scoring.score_dossiers([d.id for d in dossiers], trigger="submit")
    for i, dossier in enumerate(dossiers):
        for track in dossier.tracks:
            for aid_type in dossier.aid_types:
                asked = sum(
                    (
                        r.amount
                        for r in dossier.resource_lines
                        if r.financer_id == track.financer_id and r.aid_type == aid_type
                    ),
                    Decimal(0),
                )
                if asked:
                    ratio = Decimal("0.9") if i % 3 else Decimal("1")
                    db.session.add(
                        ProposedAmount(
                            track_id=track.id, aid_type=aid_type, updated_by_id=instructor.id,
                            amount=(asked * ratio).quantize(Decimal("0.01")),
                        )
                    )  # fmt: skip
        opinions = [
            (
                "dd_ars",
                None,
                "favourable",
                "Projet porté par une équipe constituée ; besoin avéré.",
            ),
            ("urps", None, "favourable_with_reservations", "Confirmer l'arrivée des médecins."),
            ("cofinancer", financers["REGION_IDF"].id, "favourable", "Éligible au dispositif."),
        ]
        for source, financer_id, recommendation, text in opinions[: 2 + i % 2]:
            db.session.add(
                Opinion(
                    dossier_id=dossier.id, financer_id=financer_id, author_id=instructor.id,
                    source=source, recommendation=recommendation, text=text,
                )
            )  # fmt: skip
    committee = CommitteeSession(
        title="Commission de sélection du 23 mai 2012", kind="selection",
        meets_at=datetime(2012, 5, 23, 7, 30, tzinfo=UTC),
        place="ARS Île-de-France, 35 rue de la Gare, Paris 19e", state="frozen",
        frozen_at=datetime(2012, 5, 9, 14, 0, tzinfo=UTC), created_by_id=secretary.id,
    )  # fmt: skip
    for full_name, institution, role in [
        ("Secrétariat DOS", "ARS Île-de-France", "secretary"),
        ("Dr Jean Dupont", "ARS Île-de-France — direction de l'offre de soins", "chair"),
        ("Dr Anne Leroy", "URPS médecins Île-de-France", "member"),
        ("Dr Marc Fontaine", "URPS médecins Île-de-France", "member"),
        ("Nadia Benali", "ARS — délégation départementale 93", "member"),
        ("Marie Lefèvre", "Région Île-de-France", "guest"),
    ]:
        committee.members.append(
            CommitteeMember(full_name=full_name, institution=institution, role=role)
        )
    db.session.add(committee)
    db.session.flush()
    cards = {c.dossier_id: c for c in map(scoring.current_card, [d.id for d in dossiers]) if c}
    ranked = sorted(dossiers, key=lambda d: -cards[d.id].total)
    for position, dossier in enumerate(ranked, start=1):
        item = CommitteeItem(
            dossier_id=dossier.id, position=position, score_card_id=cards[dossier.id].id,
            score_total=cards[dossier.id].total,
        )  # fmt: skip
        committee.items.append(item)
        if position % 10 == 3:
            item.conflicts.append(
                ConflictOfInterest(member=committee.members[3], note="Associé du porteur.")
            )
    db.session.commit()
    return committee.id, secretary.id


def measure(count: int, repeat: int) -> tuple[float, float, int]:
    from weasyprint import HTML

    from grants.documents import pdf
    from grants.extensions import db
    from grants.models import BackgroundJob, CommitteeSession, User
    from grants.services import committee_pack

    start = time.perf_counter()
    session_id, secretary_id = seed(count)
    print(f"seeded {count} dossiers in {time.perf_counter() - start:.1f} s")
    captured: list[str] = []
    product_pdf = committee_pack.html_to_pdf

    def capturing(html: str) -> bytes:  # records the HTML the product renders, nothing else
        captured.append(html)
        return product_pdf(html)

    committee_pack.html_to_pdf = capturing  # type: ignore[assignment]

    def product() -> None:
        committee = db.session.get(CommitteeSession, session_id)
        job = committee_pack.start_pack(committee, db.session.get(User, secretary_id))
        db.session.info.pop(committee_pack.PENDING_KEY, None)  # timed below, not after commit
        job_id = job.id
        db.session.commit()
        begin, cpu = time.perf_counter(), time.process_time()
        committee_pack.build_pack(job_id)
        product_times.append(time.perf_counter() - begin)
        product_cpu.append(time.process_time() - cpu)
        finished = db.session.get(BackgroundJob, job_id)
        assert finished.state == "done", (finished.state, finished.error)
        db.session.commit()

    def baseline() -> None:
        html = captured[-1]
        begin, cpu = time.perf_counter(), time.process_time()
        HTML(string=html, url_fetcher=pdf.url_fetcher()).write_pdf(
            stylesheets=[pdf.stylesheet()], font_config=pdf.font_config()
        )
        baseline_times.append(time.perf_counter() - begin)
        baseline_cpu.append(time.process_time() - cpu)

    product_times: list[float] = []
    baseline_times: list[float] = []
    product_cpu: list[float] = []
    baseline_cpu: list[float] = []
    product()  # warm-up: fonts, templates and stylesheet, which both sides share
    for samples in (product_times, baseline_times, product_cpu, baseline_cpu):
        samples.clear()
    for _ in range(repeat):  # interleaved, so that machine noise hits both alike
        product()
        baseline()
    job = db.session.scalars(select(BackgroundJob).order_by(BackgroundJob.id.desc())).first()
    pages = int(job.result.get("pages") or 0)
    print(f"product runs:  {', '.join(f'{t:.2f}' for t in product_times)} s")
    print(f"baseline runs: {', '.join(f'{t:.2f}' for t in baseline_times)} s")
    # CPU time of this process, for reading a run on a busy machine (the ratio uses wall time).
    cpu_product, cpu_baseline = statistics.median(product_cpu), statistics.median(baseline_cpu)
    print(f"process CPU medians: {cpu_product:.2f} s and {cpu_baseline:.2f} s")
    return statistics.median(product_times), statistics.median(baseline_times), pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="8 dossiers")
    args = parser.parse_args()
    count = 8 if args.small else 40
    repeat = 3 if args.small else 5
    with throwaway_database() as url, tempfile.TemporaryDirectory() as instance:
        app = build_app(url, Path(instance))
        with app.app_context():
            print(f"database: {url.split('://')[0]}")
            product, baseline, pages = measure(count, repeat)
            from grants.extensions import db

            db.session.remove()
            db.engine.dispose()
    ratio = product / baseline
    print(f"committee pack ({count} dossiers, {pages} pages): median {product:.2f} s")
    print(f"WeasyPrint on the same HTML:                 median {baseline:.2f} s")
    print(f"ratio {ratio:.2f}")
    print(result_line("committee_pack", ratio, TARGET))


if __name__ == "__main__":
    main()
