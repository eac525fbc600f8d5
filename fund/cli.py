"""The ``fund`` command: a Flask CLI group with one sub-group per area.

Starting is cheap: the app is built only when a command runs (not to list the commands), and
each area's commands are imported when named. ``fund --help`` and every command's start stay
well under half a second; the heavy libraries (reportlab, XlsxWriter, openpyxl, calamine) are
imported by the code that uses them.
"""

from __future__ import annotations

import importlib
import os
import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup

from fund.auth.roles import Role
from fund.text import TEXT

#: Each area's command group: name, (module, attribute), and its one-line help for the list.
AREA_COMMANDS: dict[str, tuple[str, str, str]] = {
    "claims": ("fund.claims.cli", "claims_cli", "Workers' claims: file, decide, tell the worker."),
    "batches": ("fund.disbursements.cli", "batches_cli", "Disbursement batches: prepare, pay."),
    "entitlements": ("fund.entitlements.cli", "entitlements_cli", "What each worker is owed."),
    "events": ("fund.events.cli", "events_cli", "Suspensions and closures the fund pays for."),
    "worker": ("fund.jobs.cli", "worker_cli", "Run background jobs until stopped."),
    "ledger": ("fund.reports.cli", "ledger_cli", "The double-entry books."),
    "rolls": ("fund.rolls.cli", "rolls_cli", "Payroll rolls: check a file, import a version."),
}


def _create_app() -> Flask:
    from fund import create_app

    return create_app()


class FundGroup(FlaskGroup):
    """Flask's CLI group without building the app to list commands; areas load when named."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *AREA_COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.commands:
            return self.commands[name]
        if name not in AREA_COMMANDS:
            return None
        module_name, attribute, _ = AREA_COMMANDS[name]
        command: click.Command = getattr(importlib.import_module(module_name), attribute)
        _text_rule_on_every_option(command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # The list shows each area's line from AREA_COMMANDS, without importing the area.
        rows = [
            (name, self.commands[name].get_short_help_str(60))
            if name in self.commands
            else (name, AREA_COMMANDS[name][2])
            for name in self.list_commands(ctx)
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=FundGroup, create_app=_create_app, add_default_commands=False)
def main() -> None:
    """Worker Fund: suspensions, rolls, entitlements, payouts and the books."""


@main.command("init-db")
def init_db() -> None:
    """Create the schema or upgrade it to the newest migration."""
    from fund.db import get_session
    from fund.migrate import upgrade

    engine = get_session().get_bind().engine
    upgrade(engine)
    click.echo(f"database is at the newest schema ({engine.url.render_as_string()})")


@main.command("demo")
@click.option("--if-empty", is_flag=True, help="Only when nobody has been set up yet.")
def demo(if_empty: bool) -> None:
    """Load the demo data (a second run adds nothing)."""
    from fund.db import unit_of_work
    from fund.demo import database_is_empty, load_demo

    with unit_of_work() as session:
        if if_empty and not database_is_empty(session):
            click.echo("database already has users: demo data not loaded")
            return
        report = load_demo(session)
    click.echo(
        f"demo data: added {len(report.added)} records"
        + (f" ({', '.join(report.added)})" if report.added else "")
    )


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--production", is_flag=True, help="Serve with gunicorn instead of the dev server.")
@click.option("--workers", default=2, show_default=True, type=int)
def serve(host: str, port: int, production: bool, workers: int) -> None:
    """Serve the app over HTTP."""
    if production:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--bind",
            f"{host}:{port}",
            "fund:create_app()",
        ]
        # Become gunicorn (same process id): a stop signal sent to `fund serve` reaches the
        # server itself, and nothing is left running behind a parent that went away.
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(sys.executable, command)  # noqa: S606
    # app.run() refuses to start from inside the flask CLI; werkzeug's server is what it wraps.
    from werkzeug.serving import WSGIRequestHandler, run_simple

    class QuietServer(WSGIRequestHandler):
        def version_string(self) -> str:
            return "Worker Fund"  # no server or Python version for an attacker to look up

    run_simple(
        host,
        port,
        current_app._get_current_object(),  # type: ignore[attr-defined]
        threaded=True,
        request_handler=QuietServer,
    )


users = AppGroup("users", help="People who sign in.")
main.add_command(users)


@users.command("create")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice([role.value for role in Role]))
@click.option("--brand", "brand_code", help="The brand's code (brand users only).")
@click.option("--name", "display_name", help="Full name as shown in the app.")
def users_create(
    username: str, role: str, brand_code: str | None, display_name: str | None
) -> None:
    """Add a user and print a one-time password (changed at first sign-in)."""
    from fund.auth.errors import AuthError
    from fund.auth.services import create_user
    from fund.db import unit_of_work

    try:
        with unit_of_work() as session:
            _, password = create_user(
                session,
                username=username,
                role=Role(role),
                brand_code=brand_code,
                display_name=display_name,
            )
    except AuthError as error:
        raise click.UsageError(str(error)) from error
    click.echo(f"created {username} ({role}); one-time password: {password}")


@users.command("set-role")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice([role.value for role in Role]))
@click.option("--as", "acting", help="The administrator doing it (their second factor is asked).")
@click.option("--code", help="The --as user's second-factor code (asked on a terminal).")
def users_set_role(username: str, role: str, acting: str | None, code: str | None) -> None:
    """Give USERNAME another role; refused between conflicting duties with open work.

    With --as the change is an administrator's, recorded as theirs after their second factor;
    without it, it is the operator's at the server (as ``users create`` is).
    """
    from sqlalchemy import select

    from fund.auth.errors import AuthError
    from fund.auth.models import User
    from fund.auth.services import change_role
    from fund.cli_options import confirm_step_up, named_user
    from fund.db import unit_of_work

    if acting is not None:
        confirm_step_up(acting, code)
    try:
        with unit_of_work() as session:
            actor = named_user(session, acting)
            if actor is not None and actor.role_enum is not Role.ADMIN:
                raise AuthError(f"{actor.username} is no administrator")
            user = session.scalar(select(User).where(User.username == username))
            if user is None:
                raise click.UsageError(f"no user {username!r}")
            change_role(session, user=user, role=Role(role), actor=actor)
    except AuthError as error:
        click.echo(f"refused: {error}", err=True)
        raise SystemExit(1) from error
    click.echo(f"{username} is now {role}")


@users.command("deactivate")
@click.argument("username")
def users_deactivate(username: str) -> None:
    """Close USERNAME's account: every session and API token stops working at once."""
    _set_active(username, active=False)
    click.echo(f"{username} is deactivated; every session and token has ended")


@users.command("activate")
@click.argument("username")
def users_activate(username: str) -> None:
    """Open USERNAME's account again (new sessions only; old tokens stay revoked)."""
    _set_active(username, active=True)
    click.echo(f"{username} is active")


def _set_active(username: str, *, active: bool) -> None:
    from sqlalchemy import select

    from fund.auth.models import User
    from fund.auth.services import set_active
    from fund.db import unit_of_work

    with unit_of_work() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise click.UsageError(f"no user {username!r}")
        set_active(session, user=user, active=active, actor=None)


@users.command("reset-second-factor")
@click.argument("username")
def users_reset_second_factor(username: str) -> None:
    """Take USERNAME's authenticator and recovery codes away (a lost phone); they enrol anew."""
    from sqlalchemy import select

    from fund.auth import second_factor
    from fund.auth.models import User
    from fund.db import unit_of_work

    with unit_of_work() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise click.UsageError(f"no user {username!r}")
        second_factor.remove(session, user=user, actor=None)
    click.echo(f"{username} enrols a new second factor at the next sign-in")


@users.command("token")
@click.argument("username")
@click.option("--name", default="cli", show_default=True, help="What the token is for.")
def users_token(username: str, name: str) -> None:
    """Issue an API token for USERNAME and print it once; it expires after FUND_API_TOKEN_DAYS."""
    from datetime import timedelta

    from sqlalchemy import select

    from fund.auth.models import User
    from fund.auth.services import issue_token
    from fund.db import unit_of_work

    days = int(current_app.config["API_TOKEN_DAYS"])
    with unit_of_work() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise click.UsageError(f"no user {username!r}")
        issued = issue_token(session, user=user, name=name, lifetime=timedelta(days=days))
    click.echo(issued.secret)  # alone on the output: scripts read it


@users.command("revoke-token")
@click.argument("username")
@click.option("--name", help="Only the tokens with this name (default: all of them).")
def users_revoke_token(username: str, name: str | None) -> None:
    """Revoke USERNAME's API tokens: they stop working at once."""
    from sqlalchemy import select

    from fund.auth.models import User
    from fund.auth.services import revoke_tokens
    from fund.db import unit_of_work

    with unit_of_work() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise click.UsageError(f"no user {username!r}")
        count = revoke_tokens(session, user=user, name=name)
    click.echo(f"revoked {count} token(s) of {username}")


@main.command("audit-verify")
@click.option("--json", "as_json", is_flag=True)
def audit_verify(as_json: bool) -> None:
    """Recompute the audit log's hash chain; exit 1 naming the first bad event."""
    from fund.audit.services import verify
    from fund.cli_options import say_verdict
    from fund.db import get_session

    result = verify(get_session())
    say_verdict(
        {
            "events": result.events,
            "ok": result.ok,
            "first_bad_event": result.first_bad_event,
            "reason": result.reason,
        },
        ok=result.ok,
        intact=f"audit log intact: {result.events} events",
        broken=f"audit log broken at event {result.first_bad_event}: {result.reason}",
        as_json=as_json,
    )


def _text_rule_on_every_option(command: click.Command) -> None:
    """Every plain-text option and argument of every command follows the fund's text rule."""
    for param in command.params:
        if param.type is click.STRING:
            param.type = TEXT
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _text_rule_on_every_option(sub)


_text_rule_on_every_option(main)
