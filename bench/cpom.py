"""CPOM documents in a batch (issue 6): 500 CPOMs generated as PDF and DOCX through the product
path, with memory that stays flat, against rendering the same HTML with WeasyPrint directly.

Seeds decided dossiers (a complete project, the ARS's grant) and lets the workflow engine draft
their CPOMs (T12). Then, for each document: the agreement is loaded, its data built from the
dossier, the decision and the terms (``agreement_versions.document_data``), its outline laid out
as HTML (``documents/cpom.html``) and rendered to PDF with the shared stylesheet and font
configuration (``grants.documents.pdf``), and to DOCX from the same outline; every document is
discarded at once (nothing accumulates: the session is cleared after each one). In the same
loop, the same HTML (base.css inlined) is rendered by WeasyPrint directly — the baseline:
``weasyprint.HTML(string=html).write_pdf(font_config=...)``, with one font configuration for the
whole run (a new one per document leaks about 0.2 MiB a document inside WeasyPrint/Pango, which
would hide the product's own memory behaviour). Prints documents per second, the resident memory
after 100 and 500 documents, and the ratio of the product's PDF path (data + HTML + PDF) to the
baseline. Target: <= 1.3.

    python bench/cpom.py            # 500 documents
    python bench/cpom.py --small    # 30 documents, under a minute
GRANTS_DATABASE_URL=postgresql+psycopg://127.0.0.1:5432/test selects PostgreSQL (a throwaway
database is created and dropped); otherwise a temporary SQLite file is used.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import build_app, result_line, throwaway_database  # noqa: E402

TARGET = 1.3
GRANT = Decimal("617283.94")
COMMUNES = ["77458", "93029", "91687", "95268", "94054", "78621", "92073", "75056"]
PROFESSIONALS = [
    ("Martin", "Claire", "medecin_generaliste", "already_on_site", "1.00"),
    ("Durand", "Paul", "medecin_generaliste", "new_installation", "0.80"),
    ("Nguyen", "Linh", "medecin_generaliste", "new_installation", "1.00"),
    ("Bernard", "Sophie", "infirmier", "already_on_site", "1.00"),
    ("Petit", "Lucas", "masseur_kinesitherapeute", "already_on_site", "0.50"),
    ("Moreau", "Inès", "sage_femme", "new_installation", "0.60"),
    ("Garcia", "Emma", "orthophoniste", "new_installation", "0.50"),
]
COSTS = [
    ("Acquisition du terrain", "200000.00"),
    ("Travaux de construction", "884567.89"),
    ("Honoraires de maîtrise d'œuvre", "150000.00"),
]


def rss_mb() -> float:
    """Resident memory of this process (Linux), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def seed(app, count: int) -> list[int]:  # type: ignore[no-untyped-def]
    """``count`` decided dossiers granted by the ARS; the engine drafts their CPOMs."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from grants.extensions import db
    from grants.models import Agreement, Financer, User
    from grants.services.reference import load_all
    from grants.workflow import engine

    with app.app_context():
        upgrade()
        load_all()
        decider = User(
            email="decideur@ars.example", full_name="Anne Dupont", password_hash="x",
            role="ars_decider",
        )  # fmt: skip
        db.session.add(decider)
        db.session.flush()
        financers = {f.code: f for f in db.session.scalars(select(Financer))}
        for index in range(count):
            dossier = _dossier(index, decider, financers)
            engine.advance(dossier)  # T12: the CPOM is drafted from the decision
            assert dossier.state == "agreements_in_progress", dossier.state
        db.session.commit()
        ids = list(db.session.scalars(select(Agreement.id).order_by(Agreement.id)))
        db.session.remove()
        return ids


def _dossier(index: int, decider, financers):  # type: ignore[no-untyped-def]
    from grants.extensions import db
    from grants.models import (
        CostLine,
        DecisionAmount,
        Dossier,
        DossierCommune,
        FinancerDecision,
        FinancerTrack,
        HealthObjective,
        Organisation,
        Professional,
        ResourceLine,
    )

    now = datetime.now(UTC)
    commune = COMMUNES[index % len(COMMUNES)]
    organisation = Organisation(
        legal_name=f"SISA Maison de santé n° {index}", category="ps_group", legal_form="sisa",
        siret="73282932000074", representative_name="Dr Claire Martin",
        representative_function="Gérante", contact_name="Claire Martin",
        contact_email="contact@example.org", contact_phone="01 23 45 67 89",
        address="1 place de la Mairie",
    )  # fmt: skip
    dossier = Dossier(
        organisation=organisation, created_by=decider, state="decided",
        reference=f"IDF-2026-{commune[:2]}-{index:04d}", submitted_at=now,
        departement_code=commune[:2], title=f"Maison de santé pluriprofessionnelle n° {index}",
        structure_type="msp", nature="creation", aid_types=["investment_real_estate"],
        address="1 place de la Mairie", needs_analysis="Densité médicale très faible.",
        coordinator_named=True, team_meetings_per_year=10, opening_hours="8 h – 20 h",
        operation_type="new_build", land_status="promise_of_sale", surface_m2=Decimal("450"),
        consulting_rooms=8, planned_rent_m2_year=Decimal("120"),
        market_rent_m2_year=Decimal("180"), commitment_years=10,
        accepted_commitments=["maintain_activity", "moderate_rent", "health_project_reporting"],
    )  # fmt: skip
    dossier.financers = [financers["ARS_IMMO"]]
    dossier.communes = [DossierCommune(insee_code=commune, position=0)]
    dossier.professionals = [
        Professional(
            position=k,
            last_name=last,
            first_name=first,
            profession=profession,
            exercise_mode="liberal",
            status_in_project=status,
            etp=Decimal(etp),
        )  # fmt: skip
        for k, (last, first, profession, status, etp) in enumerate(PROFESSIONALS)
    ]
    dossier.objectives = [
        HealthObjective(
            position=k,
            objective=f"Objectif du projet de santé n° {k + 1}",
            indicator="Part des patients suivis",
            baseline="40 %",
            target="70 %",
            year=2027 + k,
        )  # fmt: skip
        for k in range(3)
    ]
    dossier.cost_lines = [
        CostLine(
            position=k,
            aid_type="investment_real_estate",
            year=2026,
            label=label,
            amount=Decimal(amount),
        )  # fmt: skip
        for k, (label, amount) in enumerate(COSTS)
    ]
    dossier.resource_lines = [
        ResourceLine(position=0, aid_type="investment_real_estate", kind="financer",
                     financer_id=financers["ARS_IMMO"].id, amount=Decimal("617283.94")),
        ResourceLine(position=1, aid_type="investment_real_estate", kind="own_funds",
                     label="Apport des associés", amount=Decimal("617283.95"), status="self"),
    ]  # fmt: skip
    track = FinancerTrack(
        financer=financers["ARS_IMMO"], state="granted", opened_at=now,
        checklist_completed_at=now, decided_at=now,
    )  # fmt: skip
    dossier.tracks.append(track)
    db.session.add(dossier)
    db.session.flush()
    db.session.add(
        FinancerDecision(
            track_id=track.id,
            dossier_id=dossier.id,
            financer_id=track.financer_id,
            outcome="granted",
            act_reference=f"DG-ARS-2026-{index:04d}",
            act_date=date.today() - timedelta(days=10),
            signatory="Mme Anne Dupont",
            decided_by_id=decider.id,
            amounts=[DecisionAmount(aid_type="investment_real_estate", amount=GRANT)],
        )  # fmt: skip
    )
    db.session.flush()
    return dossier


def product_pdf(agreement_id: int):  # type: ignore[no-untyped-def]
    """The product's path: data → outline → HTML → PDF. Returns (pdf, html, data, blocks)."""
    from grants.documents import cpom
    from grants.extensions import db
    from grants.models import Agreement
    from grants.services import agreement_versions
    from grants.services.agreement_terms import agreement_terms

    agreement = db.session.get(Agreement, agreement_id)
    data = agreement_versions.document_data(agreement, agreement_terms(agreement), 1)
    blocks = cpom.outline(data)
    html = cpom.render_html(data, blocks)
    return cpom.html_to_pdf(html), html, data, blocks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", action="store_true", help="quick run (30 documents)")
    args = parser.parse_args()
    total = 30 if args.small else 500
    checkpoint = total // 5
    dossiers = 10 if args.small else 25
    with throwaway_database() as database_url, tempfile.TemporaryDirectory() as folder:
        app = build_app(database_url, Path(folder))
        ids = seed(app, dossiers)
        with app.app_context():
            from weasyprint import HTML
            from weasyprint.text.fonts import FontConfiguration

            from grants.documents import cpom
            from grants.documents.pdf import STYLESHEET
            from grants.extensions import db

            style = f"<style>{STYLESHEET.read_text(encoding='utf-8')}</style>"
            baseline_fonts = FontConfiguration()
            for agreement_id in ids[:3]:  # warm-up: templates compiled, fonts loaded
                product_pdf(agreement_id)
                db.session.remove()
            timings = {"pdf": 0.0, "docx": 0.0, "baseline": 0.0}
            sizes = {"pdf": 0, "docx": 0, "pages": 0}
            memory: dict[int, float] = {}
            gc.collect()
            start_rss = rss_mb()
            for done in range(1, total + 1):
                agreement_id = ids[done % len(ids)]
                started = time.perf_counter()
                pdf, html, data, blocks = product_pdf(agreement_id)
                timings["pdf"] += time.perf_counter() - started
                started = time.perf_counter()
                docx = cpom.render_docx(data, blocks)
                timings["docx"] += time.perf_counter() - started
                inline = html.replace("</head>", style + "</head>", 1)
                started = time.perf_counter()
                HTML(string=inline).write_pdf(font_config=baseline_fonts)
                timings["baseline"] += time.perf_counter() - started
                sizes["pdf"] += len(pdf)
                sizes["docx"] += len(docx)
                sizes["pages"] += pdf.count(b"/Type /Page\n") or pdf.count(b"/Type/Page")
                del pdf, docx, html, inline, data, blocks  # discarded: nothing accumulates
                db.session.remove()
                if done in (checkpoint, total):
                    gc.collect()
                    memory[done] = rss_mb()
    backend = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    ratio = timings["pdf"] / timings["baseline"]
    print(f"backend={backend} dossiers={dossiers} documents={total} (PDF and DOCX each)")
    print(
        f"product PDF path (data + HTML + PDF): {total / timings['pdf']:.2f} documents/s, "
        f"{timings['pdf'] / total * 1000:.0f} ms each, {sizes['pdf'] // total // 1024} KiB each"
    )
    print(
        f"product DOCX path (from the same outline): {total / timings['docx']:.2f} documents/s, "
        f"{timings['docx'] / total * 1000:.0f} ms each, {sizes['docx'] // total // 1024} KiB each"
    )
    print(
        f"baseline (same HTML, weasyprint.HTML(...).write_pdf() directly): "
        f"{total / timings['baseline']:.2f} documents/s, "
        f"{timings['baseline'] / total * 1000:.0f} ms each"
    )
    growth = memory[total] - memory[checkpoint]
    print(
        f"resident memory: {start_rss:.0f} MiB at start, {memory[checkpoint]:.0f} MiB after "
        f"{checkpoint} documents, {memory[total]:.0f} MiB after {total} "
        f"(growth {growth:+.1f} MiB)"
    )
    print(f"PDF path / baseline ratio: {ratio:.2f}")
    print(result_line("cpom", ratio, TARGET))


if __name__ == "__main__":
    main()
