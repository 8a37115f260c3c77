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
    expected_submitted = {p.title for p in PROJECTS if p.stage == "submitted"}
    assert {t for t, s in states.items() if s == "completeness_check"} == expected_submitted
    submitted = [d for d in dossiers if d.state == "completeness_check"]
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
    assert DEMO_PASSWORD in result.output
