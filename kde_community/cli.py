"""Command-line interface: `flask --app kde_community data|users|tokens …`. Calls services only."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from .accounts import services as accounts
from .accounts.models import ROLES
from .errors import ValidationError
from .extensions import db

data_cli = AppGroup("data", help="Reference and demo data.")
users_cli = AppGroup("users", help="Member accounts.")
tokens_cli = AppGroup("tokens", help="API tokens.")
search_cli = AppGroup("search", help="The full-text search index.")
notifications_cli = AppGroup("notifications", help="Notification mail and digests.")


@search_cli.command("reindex")
def search_reindex_command():
    """Rebuild the index from the database, with a progress bar."""
    from .search import services

    total = services.count_documents()
    with click.progressbar(length=total, label="Indexing", show_pos=True, show_percent=True,
                           file=sys.stderr) as bar:
        n = services.reindex(progress=bar.update)
    click.echo(f"Indexed {n} documents.")


@search_cli.command("check")
def search_check_command():
    """Compare the index with the database; exit 1 and list differences when they disagree."""
    from .search import services

    queued = services.pending()
    differences = services.check()
    for label, keys in (("missing", differences.missing), ("extra", differences.extra),
                        ("stale", differences.stale)):
        for key in keys:
            click.echo(f"{label}: {key}")
    if queued:
        click.echo(f"queued: {queued} events not yet handled by the indexer")
    if not differences.ok:
        click.echo("The index and the database disagree: run `search reindex`, or a worker "
                   "(`flask --app kde_community worker`), which handles queued events and "
                   "reconciles what changed.", err=True)
        sys.exit(1)
    click.echo("The index agrees with the database.")


@click.command("worker")
@click.option("--once", is_flag=True,
              help="Handle what is pending and reconcile once, then exit.")
@click.option("--poll", type=click.FloatRange(0.05, 60), default=None,
              help="Seconds between polls when idle (default 0.25).")
@click.option("--batch", type=click.IntRange(1, 10_000), default=200, show_default=True,
              help="Events a consumer takes (and commits) at a time.")
@with_appcontext
def worker_command(once, poll, batch):
    """Run the background consumers (search indexing …) until SIGTERM or Ctrl-C."""
    from flask import current_app

    from .worker import run_until_signalled

    run_until_signalled(current_app._get_current_object(), once=once, poll=poll, batch=batch)


@notifications_cli.command("send-digests")
@click.option("--at", "at", type=click.DateTime(formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z",
                                                         "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"]),
              default=None, help="Act as if it were this moment (ISO 8601; without an offset, "
                                 "Dutch time). For replays and tests.")
def send_digests_command(at):
    """Queue the daily and weekly digests that are due and send all waiting mail.

    Safe to run at any time, from cron and beside workers, on several hosts at once: each
    member gets at most one digest per period. Cron: `5 7 * * * flask --app kde_community
    notifications send-digests`."""
    from . import events
    from .dbtypes import utcnow
    from .notifications import mailer, notifier

    if at is not None and at.tzinfo is None:
        at = at.replace(tzinfo=mailer.LOCAL)
    # Events the worker has not turned into notifications yet belong in this digest too.
    while events.deliver(events.consumer(notifier.CONSUMER)):
        pass
    report = mailer.run(at or utcnow())
    click.echo(f"{report['digests']} digests queued; {report['sent']} mails sent, "
               f"{report['retrying']} to retry, {report['failed']} failed.")
    sys.exit(1 if report["failed"] else 0)


def _fail(exc: ValidationError) -> None:
    for field, reason in exc.fields.items():
        click.echo(f"Error: {field}: {reason}", err=True)
    sys.exit(2)


@data_cli.command("load-reference")
def load_reference_command():
    """Laws, obligations, themes, organisations and networks (idempotent)."""
    from .reference import ReferenceDataError, load_reference

    try:
        report = load_reference()
    except ReferenceDataError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    click.echo(report.summary())


@data_cli.command("load-demo")
def load_demo_command():
    """Demo members and contributions (idempotent)."""
    from .demo import load_demo

    click.echo(load_demo())


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--organisation", required=True, help="Organisation slug")
@click.option("--role", type=click.Choice(ROLES), default="member", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input")
def create_user_command(email, name, organisation, role, password_stdin):
    """Create an active, verified account and print its id."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = accounts.create_user(email, name, organisation, role, password)
        db.session.commit()
    except ValidationError as exc:
        _fail(exc)
    click.echo(user.id)


@tokens_cli.command("create")
@click.argument("email")
@click.option("--label", default="", help="What the token is for")
def create_token_command(email, label):
    """Print a new API token once."""
    user = accounts.find_user_by_email(email.strip().lower())
    if user is None:
        click.echo(f"Error: no account with e-mail {email}", err=True)
        sys.exit(2)
    try:
        _, secret = accounts.create_token(user, label)
        db.session.commit()
    except ValidationError as exc:
        _fail(exc)
    click.echo(secret)


def register_cli(app: Flask) -> None:
    app.cli.add_command(data_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(tokens_cli)
    app.cli.add_command(search_cli)
    app.cli.add_command(notifications_cli)
    app.cli.add_command(worker_command)
