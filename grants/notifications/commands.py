"""Commands: ``grants worker`` and ``grants beat`` (Celery), and the periodic jobs run by hand
(``grants notifications sweep|digest``) for installations without a broker."""

from __future__ import annotations

from datetime import date

import click
from flask import current_app
from flask.cli import with_appcontext


def _celery():  # type: ignore[no-untyped-def]
    celery = current_app.extensions.get("celery")
    if celery is None:
        raise click.ClickException(
            "Aucun broker configuré (GRANTS_BROKER_URL) : les notifications partent déjà "
            "dans le processus web."
        )
    return celery


@click.command("worker", context_settings={"ignore_unknown_options": True})
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
@with_appcontext
def worker(celery_args: tuple[str, ...]) -> None:
    """Run a Celery worker on the configured broker and queue (extra options go to Celery)."""
    _celery().worker_main(["worker", "--loglevel=INFO", *celery_args])


@click.command("beat", context_settings={"ignore_unknown_options": True})
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
@with_appcontext
def beat(celery_args: tuple[str, ...]) -> None:
    """Run Celery beat: outbox sweep every minute, daily digest at 07:00 Europe/Paris."""
    _celery().start(["beat", "--loglevel=INFO", *celery_args])


@click.group("notifications")
def notifications() -> None:
    """Outbox maintenance when no broker runs the schedule."""


@notifications.command("sweep")
@with_appcontext
def sweep() -> None:
    """Deliver (or re-dispatch) every row left pending."""
    from grants.notifications.dispatch import dispatch
    from grants.notifications.periodic import stale_pending_ids

    ids = stale_pending_ids(current_app.extensions["grants_settings"].outbox_sweep_after_seconds)
    dispatch(ids)
    click.echo(f"{len(ids)} notification(s) relancée(s)")


@notifications.command("digest")
@click.option("--day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None)
@with_appcontext
def digest(day) -> None:  # type: ignore[no-untyped-def]
    """Build and send today's digests (one email per user with waiting notifications)."""
    from grants.notifications.dispatch import dispatch
    from grants.notifications.periodic import build_digests

    ids = build_digests(day.date() if day else date.today())
    dispatch(ids)
    click.echo(f"{len(ids)} récapitulatif(s) envoyé(s)")


def init_app(app) -> None:  # type: ignore[no-untyped-def]
    app.cli.add_command(worker)
    app.cli.add_command(beat)
    app.cli.add_command(notifications)
