"""The ``grants`` command: database, reference data, demo data, web server."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext


def _create_app() -> Flask:
    from grants import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=True)
def main() -> None:
    """Dossier unique de financement: administration commands."""


def init_app(app: Flask) -> None:
    app.cli.add_command(reference)
    app.cli.add_command(zoning)
    app.cli.add_command(demo)
    app.cli.add_command(serve)
    app.cli.add_command(reminders)
    from grants.notifications import commands as notification_commands

    notification_commands.init_app(app)
    app.cli.add_command(workflow_diagram)


def _serve(host: str, port: int) -> None:
    """Werkzeug's server: Flask's ``app.run`` refuses to start from a ``grants`` command."""
    from werkzeug.serving import run_simple

    run_simple(host, port, current_app._get_current_object(), threaded=True)  # type: ignore[attr-defined]


def upgrade_database() -> None:
    from flask_migrate import upgrade

    upgrade()


@click.group()
def reference() -> None:
    """Reference data shipped with the product (communes, financers, pieces)."""


@reference.command("load")
@with_appcontext
def reference_load() -> None:
    """Load or refresh every reference table from the copies shipped in grants/data."""
    from grants.extensions import db
    from grants.services.reference import load_all

    for name, report in load_all().items():
        click.echo(f"{name}: {report.inserted} ajoutés, {report.updated} mis à jour")
    db.session.commit()


@reference.command("import-communes")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def reference_import_communes(path: Path) -> None:
    """Import a newer official commune file (columns of the Etalab découpage administratif)."""
    from grants.extensions import db
    from grants.services.reference import ReferenceImportError, load_communes

    try:
        report = load_communes(path)
    except ReferenceImportError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(
        f"communes: {report.inserted} ajoutées, {report.updated} mises à jour, "
        f"{report.unchanged} inchangées"
    )


@click.command("demo")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@click.option("--no-serve", is_flag=True, help="Prepare the database and demo data only.")
@with_appcontext
def demo(host: str, port: int, no_serve: bool) -> None:
    """Create the schema, load reference and demo data, print the demo accounts, serve."""
    from grants.demo import DEMO_PASSWORD, seed_demo
    from grants.extensions import db
    from grants.services.reference import load_all

    # The demo is served over plain http on loopback: the session cookie cannot be "Secure".
    current_app.config["SESSION_COOKIE_SECURE"] = False
    current_app.config["REMEMBER_COOKIE_SECURE"] = False
    upgrade_database()
    load_all()
    accounts = seed_demo()
    db.session.commit()
    click.echo(f"\nComptes de démonstration (mot de passe : {DEMO_PASSWORD})")
    for email, description in accounts:
        click.echo(f"  {email:40} {description}")
    if not no_serve:
        click.echo(f"\nOuvrez http://{host}:{port}/\n")
        _serve(host, port)


@click.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@with_appcontext
def serve(host: str, port: int) -> None:
    """Apply migrations and serve the application (use gunicorn in production)."""
    upgrade_database()
    _serve(host, port)


@click.command("workflow-diagram")
@click.option("--check", is_flag=True, help="Fail if docs/workflow.md is stale; write nothing.")
def workflow_diagram(check: bool) -> None:
    """Rewrite docs/workflow.md (Mermaid diagrams) from the workflow's transition table."""
    from grants.workflow import mermaid

    if check:
        current = mermaid.DOC_PATH.read_text(encoding="utf-8") if mermaid.DOC_PATH.exists() else ""
        if current != mermaid.render():
            raise click.ClickException(
                f"{mermaid.DOC_PATH} est périmé : lancez `grants workflow-diagram`."
            )
        click.echo(f"{mermaid.DOC_PATH} est à jour.")
        return
    click.echo(f"{mermaid.write()} régénéré.")


@click.command("reminders")
@with_appcontext
def reminders() -> None:
    """Send the reminders due now (the periodic jobs, by hand or from cron without a broker):
    requests for documents, then CPOM reports (reminders and overdue flags)."""
    from grants.extensions import db
    from grants.models.base import utcnow
    from grants.services import reporting_reminders
    from grants.services.reminders import send_due_reminders

    now = utcnow()
    count = send_due_reminders(now)
    db.session.commit()
    reports = reporting_reminders.send_due_reminders(now)
    db.session.commit()
    click.echo(f"rappels envoyés : {count} ; rapports de suivi : {reports}")


@click.group()
def zoning() -> None:
    """Zoning versions (ARS orders): seed the shipped lists, import a new version from CSV."""


@zoning.command("seed")
@click.option("--no-report", is_flag=True, help="Do not rewrite docs/zoning-unmatched.md.")
@with_appcontext
def zoning_seed(no_report: bool) -> None:
    """Create the shipped zoning schemes that are missing; print the names left unmatched."""
    from grants.extensions import db
    from grants.services.zoning_seed import render_report, seed_zoning, write_report

    report = seed_zoning()
    db.session.commit()
    click.echo(f"zonages créés : {', '.join(report.created) or 'aucun'} ({report.units} unités)")
    click.echo(render_report(report))
    if not no_report:
        click.echo(f"Rapport écrit dans {write_report(report)}")


@zoning.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--code", required=True, help="Stable code, e.g. idf_2022.")
@click.option("--name", required=True)
@click.option("--legal-reference", required=True)
@click.option("--valid-from", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--valid-to", type=click.DateTime(["%Y-%m-%d"]))
@click.option("--profession", default="physician", show_default=True)
@with_appcontext
def zoning_import(
    path: Path,
    code: str,
    name: str,
    legal_reference: str,
    valid_from: datetime,
    valid_to: datetime | None,
    profession: str,
) -> None:
    """Import a zoning version from CSV (code_insee;categorie[;unite]); all or nothing."""
    from grants.extensions import db
    from grants.services.zoning_import import SchemeData, ZoningImportError, import_zoning

    data = SchemeData(
        code=code,
        name=name,
        legal_reference=legal_reference,
        valid_from=valid_from.date(),
        valid_to=valid_to.date() if valid_to else None,
        profession=profession,
    )
    try:
        scheme = import_zoning(data, path.read_bytes(), actor=None)
    except ZoningImportError as exc:
        db.session.rollback()
        raise click.ClickException(
            "rien n'a été importé :\n" + "\n".join(f"  {e}" for e in exc.errors)
        ) from exc
    db.session.commit()
    click.echo(f"zonage {scheme.code} importé : {len(scheme.units)} unités")
