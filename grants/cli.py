"""The ``grants`` command: database, reference data, demo data, web server."""

from __future__ import annotations

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
    app.cli.add_command(demo)
    app.cli.add_command(serve)


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
        current_app.run(host=host, port=port, debug=False, use_reloader=False)


@click.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@with_appcontext
def serve(host: str, port: int) -> None:
    """Apply migrations and serve the application (use gunicorn in production)."""
    upgrade_database()
    current_app.run(host=host, port=port, debug=False, use_reloader=False)
