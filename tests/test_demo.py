"""Demo data: the `grants demo` command prepares a working product with the DOMAIN §6.7 projects."""

from __future__ import annotations

from sqlalchemy import func, select

from grants.demo import ACCOUNTS, DEMO_PASSWORD, PROJECTS, seed_demo
from grants.extensions import db
from grants.models import Dossier, DossierVersion, User
from tests.conftest import login


def test_seed_demo_builds_dossiers_at_various_stages_and_is_idempotent(app):
    seed_demo()
    seed_demo()
    titles = {p.title for p in PROJECTS}
    dossiers = db.session.scalars(select(Dossier).where(Dossier.title.in_(titles))).all()
    assert len(dossiers) == len(PROJECTS)
    states = {d.title: d.state for d in dossiers}
    # Filed dossiers stand where the instructors took them, through the workflow engine.
    after_filing = {
        "": "completeness_check",
        "region_checked": "completeness_check",
        "under_instruction": "under_instruction",
        "on_hold": "on_hold",
    }
    for project in PROJECTS:
        wanted = after_filing[project.instruction] if project.stage == "submitted" else "draft"
        assert states[project.title] == wanted, project.title
    submitted = [d for d in dossiers if d.state != "draft"]
    assert len(submitted) == sum(p.stage == "submitted" for p in PROJECTS)
    assert all(d.reference and d.reference.startswith("IDF-") for d in submitted)
    versions = db.session.scalar(
        select(func.count(DossierVersion.id)).where(
            DossierVersion.dossier_id.in_([d.id for d in submitted])
        )
    )
    assert versions == len(submitted)


def test_demo_accounts_can_log_in_and_see_their_dossiers(client):
    seed_demo()
    email = ACCOUNTS[0][0]
    login(client, email, DEMO_PASSWORD)
    html = client.get("/espace/").get_data(as_text=True)
    assert "Souppes-sur-Loing" in html
    athis = db.session.scalar(select(User).where(User.email == "athis@demo.grants.fr"))
    assert athis is not None
    assert "Noyer Renard" not in html  # another promoter's dossier


def test_demo_command_without_serving(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    assert "promoteur@demo.grants.fr" in result.output
    assert "dd77@demo.grants.fr" in result.output
    assert DEMO_PASSWORD in result.output


def test_demo_instruction_goes_through_the_engine(app):
    from grants.demo_instruction import HOLD_REASON, STAFF_PROFILES
    from grants.models import AuditEvent, Opinion

    seed_demo()
    by_stage = {
        p.instruction: db.session.scalar(select(Dossier).where(Dossier.title == p.title))
        for p in PROJECTS
        if p.instruction
    }
    region = next(t for t in by_stage["region_checked"].tracks if t.financer.code == "REGION_IDF")
    assert region.state == "instructing" and region.checklist_completed_at is not None
    assert {t.state for t in by_stage["region_checked"].tracks} == {"instructing", "checking"}

    instructed = by_stage["under_instruction"]
    assert instructed.admissible_at is not None
    assert {t.state for t in instructed.tracks} == {"instructing"}
    opinions = db.session.scalars(select(Opinion).where(Opinion.dossier_id == instructed.id))
    assert [o.source for o in opinions] == ["dd_ars"]

    held = by_stage["on_hold"]
    assert (held.held_from_state, held.hold_reason) == ("completeness_check", HOLD_REASON)
    actions = set(
        db.session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.dossier_id.in_([d.id for d in by_stage.values()])
            )
        )
    )
    assert {
        "track.complete_checklist",
        "dossier.declare_admissible",
        "dossier.start_instruction",
        "dossier.hold",
    } <= actions

    staff = {
        u.email: u for u in db.session.scalars(select(User).where(User.email.in_(STAFF_PROFILES)))
    }
    for email, (role, codes, departement) in STAFF_PROFILES.items():
        assert staff[email].role == role
        assert staff[email].departement_code == departement
        assert {f.code for f in staff[email].financers} == set(codes)
    assert set(STAFF_PROFILES) <= {email for email, _, _ in ACCOUNTS}


def test_demo_instructor_sees_only_their_scope(client):
    seed_demo()
    login(client, "dd91@demo.grants.fr", DEMO_PASSWORD)
    held = db.session.scalar(
        select(Dossier).where(Dossier.title == "Maison de santé des Coteaux de l'Orge")
    )
    souppes = db.session.scalar(
        select(Dossier).where(
            Dossier.title == "Maison de santé pluriprofessionnelle de Souppes-sur-Loing"
        )
    )
    assert client.get(f"/instruction/dossiers/{held.id}").status_code == 200
    assert client.get(f"/instruction/dossiers/{souppes.id}").status_code == 404
