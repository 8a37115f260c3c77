"""The committee pack: one PDF (cover, table of contents, a summary page per agenda dossier),
built by a background job that reports its progress, stores a new file each time and never lets
a failure escape."""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import event, select

from grants.extensions import db
from grants.models import (
    AuditEvent,
    BackgroundJob,
    CommitteeItemAmount,
    CommitteeSession,
    ConflictOfInterest,
    Financer,
)
from grants.services import committee_pack, scoring
from grants.services.committee_pack import PackRefusedError, PackStatus, build_pack, start_pack
from grants.storage import LocalStorage
from tests.helpers.committee_pack import (
    dossiers_of,
    make_agenda,
    pdf_pages,
    pdf_text,
    stored_pack,
)


def _job(job_id: int) -> BackgroundJob:
    db.session.expire_all()
    found = db.session.get(BackgroundJob, job_id)
    assert found is not None
    return found


def _built(count: int = 3, **kwargs):  # type: ignore[no-untyped-def]
    committee, secretary = make_agenda(count, **kwargs)
    job = start_pack(committee, secretary)
    db.session.flush()
    build_pack(job.id)
    return committee, secretary, _job(job.id)


def test_the_pack_has_a_cover_a_table_of_contents_and_a_page_per_dossier(app):
    committee, _secretary, job = _built(3)
    assert job.state == "done" and job.error is None
    assert (job.done, job.total) == (3, 3)
    data = stored_pack(committee)
    assert data.startswith(b"%PDF")
    pages = pdf_pages(data)
    assert len(pages) == 2 + 3  # one page each: the summaries fit
    assert job.result["pages"] == len(pages)
    cover, toc = pages[0], pages[1]
    assert "Dossier de séance" in cover and committee.title in cover
    assert "23 mai 2026" in cover and "Millénaire 2" in cover
    assert "Marie Lefèvre" in cover and "Région Île-de-France" in cover
    assert "Sommaire" in toc
    for number, dossier in enumerate(dossiers_of(committee), start=1):
        # The table of contents names the dossier and the page its summary starts on.
        line = re.search(rf"{number}\. {re.escape(dossier.reference)} — (.+?)\.{{3,}} ?(\d+)", toc)
        assert line, toc
        page = int(line.group(2))
        summary = pages[page - 1]
        assert f"{number}. {dossier.reference} — {dossier.title}" in summary
        assert dossier.organisation.legal_name in summary


def test_each_summary_shows_identity_territory_team_score_plan_and_opinions(app):
    committee, _secretary, _job = _built(2)
    drancy, souppes = dossiers_of(committee)
    pages = pdf_pages(stored_pack(committee))
    page = next(p for p in pages if drancy.reference in p and "Identité" in p)
    # Identity.
    assert "Maison de santé pluriprofessionnelle (MSP) — Création" in page
    assert "SIRET 73282932000074" in page
    # Territory and the zoning recorded at submission (Drancy is a fragile zone in 2015).
    assert "Seine-Saint-Denis (93)" in page
    assert "Drancy (93029)" in page and "Zone fragile" in page and "idf_2015" in page
    # Team.
    assert "5 professionnels de santé, dont 3 médecins (2,8 ETP)" in page
    assert "Martin Claire" in page and "Masseur-kinésithérapeute" in page
    # Score card: each criterion and the total, as the instructors' page computes it.
    card = scoring.current_card(drancy.id)
    total = scoring.effective_total(card)
    assert f"Note : {_number(total)} / 100" in page
    assert f"Total {_number(total)} / 100" in page
    for line in card.lines:
        assert line["label"][:20] in page
    # Financing plan per financer, amounts in French format.
    assert "ARS Île-de-France — aide à l'investissement immobilier (55 M€)" in page
    assert "Région Île-de-France" in page and "Département de la Seine-Saint-Denis" in page
    assert "1 354 567,89 €" in page  # total costs
    assert "308 641,97 €" in page  # a financer's requested share of the real estate
    assert "277 777,77 €" in page  # proposed by its instructors (90 %)
    assert "Fonds propres — Apport des associés" in page
    # Opinions.
    assert "Favorable — Délégation départementale de l'ARS" in page
    assert "Favorable avec réserves — URPS médecins" in page
    assert "confirmer l'engagement du troisième médecin" in page
    other = next(p for p in pages if souppes.reference in p and "Identité" in p)
    assert "Souppes-sur-Loing (77458)" in other and "Département de Seine-et-Marne" in other


def test_committee_amounts_and_conflicts_of_interest_appear_once_recorded(app):
    committee, _secretary = make_agenda(1)
    item = committee.items[0]
    region = db.session.scalar(select(Financer).where(Financer.code == "REGION_IDF"))
    db.session.add(
        CommitteeItemAmount(
            item_id=item.id,
            financer_id=region.id,
            aid_type="investment_real_estate",
            amount=Decimal("250000.00"),
        )
    )
    guest = committee.members[-1]
    db.session.add(ConflictOfInterest(item_id=item.id, member_id=guest.id, note="Élue locale."))
    db.session.flush()
    job = start_pack(committee, None)
    db.session.flush()
    build_pack(job.id)
    text = pdf_text(stored_pack(committee))
    assert "Proposé par le comité" in text and "250 000,00 €" in text
    assert "Conflits d'intérêts déclarés" in text
    assert "Marie Lefèvre (Région Île-de-France) : Élue locale." in text


def test_user_text_is_shown_as_text(app):
    committee, secretary = make_agenda(1)
    dossier = dossiers_of(committee)[0]
    dossier.title = 'MSP <script>alert("x")</script> & Cie'
    db.session.flush()
    job = start_pack(committee, secretary)
    db.session.flush()
    captured: list[str] = []
    original = committee_pack.html_to_pdf
    committee_pack.html_to_pdf = lambda html: (captured.append(html), original(html))[1]
    try:
        build_pack(job.id)
    finally:
        committee_pack.html_to_pdf = original
    assert "<script>" not in captured[0]
    assert "&lt;script&gt;" in captured[0] and "&amp; Cie" in captured[0]
    assert dossier.title in pdf_text(stored_pack(committee))


def test_the_session_points_at_the_stored_file_and_keeps_its_lock_version(app):
    committee, secretary = make_agenda(2)
    job = start_pack(committee, secretary)
    db.session.flush()
    version = committee.lock_version
    build_pack(job.id)
    db.session.refresh(committee)
    data = stored_pack(committee)
    assert committee.pack_key.startswith(f"committee/{committee.id}/")
    assert committee.pack_sha256 == hashlib.sha256(data).hexdigest()
    assert committee.lock_version == version  # the secretary's open forms stay valid
    finished = _job(job.id)
    assert finished.result["key"] == committee.pack_key
    assert finished.result["sha256"] == committee.pack_sha256
    assert finished.result["size"] == len(data)
    assert finished.started_at and finished.finished_at


def test_loading_takes_the_same_number_of_queries_whatever_the_agenda(app, count_queries):
    def selects(count: int) -> int:
        committee, secretary = make_agenda(count)
        job = start_pack(committee, secretary)
        db.session.flush()
        with count_queries() as counter:
            build_pack(job.id)
        assert _job(job.id).state == "done"
        return sum(1 for s in counter.statements if s.lstrip().upper().startswith("SELECT"))

    small, large = selects(1), selects(4)
    assert small == large, (small, large)
    assert large <= 20  # one per collection, whatever the number of dossiers


def test_progress_is_committed_as_the_summaries_and_pages_are_done(app):
    """Each progress step is its own UPDATE of the job, committed while the work goes on."""
    committee, secretary = make_agenda(4)
    job = start_pack(committee, secretary)
    db.session.flush()
    updates: list[tuple[str, object]] = []

    def watch(_conn, _cursor, statement, parameters, *_args):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("UPDATE BACKGROUND_JOBS"):
            updates.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", watch)
    try:
        build_pack(job.id)
    finally:
        event.remove(db.engine, "before_cursor_execute", watch)
    done = [
        params["done"] if isinstance(params, dict) else params[0]  # type: ignore[index]
        for statement, params in updates
        if re.search(r"SET done\s*=", statement)
    ]
    assert done == [1, 2, 3, 4]  # four summaries: a commit after each
    # The phases (a JSON column: a string on SQLite, psycopg's Json wrapper on PostgreSQL).
    phases = [re.sub(r"[\"']", "", str(params)) for _statement, params in updates]
    for phase in ("summaries", "layout", "storing", "done"):
        assert any(f"phase: {phase}" in p for p in phases), phase
    finished = _job(job.id)
    assert finished.state == "done" and finished.done == 4


def test_weasyprint_progress_records_are_consumed_and_the_logger_restored(app, caplog):
    logger = logging.getLogger("weasyprint.progress")
    level, disabled = logger.level, logger.disabled
    pages: list[int] = []
    with caplog.at_level(logging.INFO), committee_pack.watch_layout(pages.append):
        from grants.documents.pdf import html_to_pdf

        html_to_pdf("<p>Une page</p><p style='page-break-before: always'>Deux</p>")
    assert pages[:2] == [1, 2]
    assert not [r for r in caplog.records if r.name == "weasyprint.progress"]
    assert (logger.level, logger.disabled, logger.filters) == (level, disabled, [])


def test_a_failure_marks_the_job_failed_and_leaves_no_pack(app, tmp_path):
    committee, secretary = make_agenda(1)
    job = start_pack(committee, secretary)
    db.session.flush()
    # A real storage whose root has become a plain file: writing fails.
    root = tmp_path / "store"
    broken = LocalStorage(root)
    shutil.rmtree(root)
    Path(root).write_text("not a directory")
    original = app.extensions["grants_storage"]
    app.extensions["grants_storage"] = broken
    try:
        build_pack(job.id)  # never raises
    finally:
        app.extensions["grants_storage"] = original
    failed = _job(job.id)
    assert failed.state == "failed" and failed.finished_at is not None
    assert failed.error
    db.session.refresh(committee)
    assert committee.pack_key is None and committee.pack_sha256 is None
    status = committee_pack.pack_status(committee, failed)
    assert status.message.startswith("La génération du dossier de séance a échoué")
    assert not status.ready


def test_a_finished_job_is_left_alone(app):
    committee, _secretary, job = _built(1)
    db.session.refresh(committee)
    key = committee.pack_key
    build_pack(job.id)
    db.session.refresh(committee)
    assert committee.pack_key == key and _job(job.id).finished_at == job.finished_at


def test_rebuilding_makes_a_new_file_and_a_superseded_job_gives_way(app):
    committee, secretary, first = _built(1)
    db.session.refresh(committee)
    first_key = committee.pack_key
    stale = start_pack(committee, secretary, reason="regenerate")
    fresh = start_pack(committee, secretary, reason="regenerate")
    db.session.flush()
    assert committee.pack_key is None  # the previous pack is no longer offered
    build_pack(stale.id)
    assert _job(stale.id).state == "failed"
    assert _job(stale.id).error == committee_pack.SUPERSEDED
    build_pack(fresh.id)
    db.session.refresh(committee)
    assert _job(fresh.id).state == "done"
    assert committee.pack_key not in (None, first_key)
    storage = app.extensions["grants_storage"]
    assert storage.exists(first_key) and storage.exists(committee.pack_key)
    requests = db.session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.stream == f"committee:{committee.id}",
            AuditEvent.action == "committee.pack_requested",
        )
        .order_by(AuditEvent.id)
    ).all()
    assert [e.data["reason"] for e in requests] == ["freeze", "regenerate", "regenerate"]
    assert requests[1].data["previous"]["key"] == first_key


def test_a_preparing_agenda_has_no_pack_yet(app):
    committee, secretary = make_agenda(1)
    committee.state, committee.frozen_at = "preparing", None
    db.session.flush()
    with pytest.raises(PackRefusedError) as refused:
        start_pack(committee, secretary)
    assert refused.value.status == 409


def test_after_commit_the_pack_is_built_in_process_without_a_broker(app):
    committee, secretary = make_agenda(1)
    job = start_pack(committee, secretary)
    job_id = job.id
    db.session.commit()  # the after-commit hook builds it here (no broker in the tests)
    assert _job(job_id).state == "done"
    db.session.refresh(committee)
    assert committee.pack_key and committee.pack_job_id == job_id


def test_the_status_line_the_secretary_reads():
    def status(**values: object) -> PackStatus:
        base: dict[str, object] = {
            "state": "running",
            "phase": "summaries",
            "done": 12,
            "total": 40,
            "pages": None,
            "error": None,
            "ready": False,
            "size": None,
            "generated_at": None,
        }
        return PackStatus(**{**base, **values})  # type: ignore[arg-type]

    assert status().message == "Génération du dossier de séance : 12 / 40"
    assert status().bar == (12, 40)
    layout = status(phase="layout", done=40, pages=23)
    assert layout.message == "Génération du dossier de séance : mise en page du PDF (page 23)…"
    assert layout.bar == (23, 1 + 2 + 40)
    assert status(state="queued", phase="queued", done=0).active
    done = status(state="done", phase="done", done=40, pages=42, ready=True)
    assert done.message == "Dossier de séance prêt : 40 dossiers, 42 pages." and not done.active
    assert status(state="none").message == "Le dossier de séance n'a pas encore été généré."


def _number(value: Decimal) -> str:
    from grants.templating import number

    return number(value).replace("\u202f", " ")


def test_the_session_model_still_reads_the_pack_job(app):
    committee, _secretary, job = _built(1)
    found = db.session.get(CommitteeSession, committee.id)
    db.session.refresh(found)
    assert found.pack_job_id == job.id and found.pack_job.kind == committee_pack.PACK_KIND
