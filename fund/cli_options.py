"""Option parsing and output files shared by the area commands of ``fund``."""

from __future__ import annotations

import glob
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import NoReturn

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from fund.auth.models import User
from fund.events.models import Event
from fund.factories.models import Factory

#: The exit status of a step the rules refuse (a wrong second-factor code among them).
REFUSED = 1

#: The exit status of a command given input it cannot use (a refused step exits 1).
BAD_INPUT = 2


def fail(message: str, status: int = BAD_INPUT) -> NoReturn:
    """Say what is wrong on stderr and stop with ``status``."""
    click.echo(f"error: {message}", err=True)
    sys.exit(status)


def named_user(session: Session, username: str | None) -> User | None:
    """The active user ``--as`` names (None when not given); an unknown one stops the command."""
    if username is None:
        return None
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        fail(f"no active user {username!r}")
    return user


def acting_user(session: Session, username: str | None) -> User:
    """The active user a step is done as: ``--as USER`` is required."""
    if not username:
        fail("say who is acting with --as USER")
    user = named_user(session, username)
    assert user is not None
    return user


code_option = click.option(
    "--code",
    help="The acting user's second-factor code (asked for on a terminal when not given).",
)


def confirm_step_up(username: str | None, code: str | None) -> None:
    """Ask the ``--as`` user's second factor before a step that moves money or grants access.

    Only users whose role must have one are asked (``REQUIRE_SECOND_FACTOR``). The check runs
    and commits in a unit of work of its own, so a wrong code counts against the allowance
    even though the step is then refused (exit 1) and nothing of it is written.
    """
    from flask import current_app

    from fund.auth.errors import SecondFactorRefused
    from fund.auth.second_factor import required_for, step_up_with_code
    from fund.db import unit_of_work

    required = bool(current_app.config.get("REQUIRE_SECOND_FACTOR"))
    officers = bool(current_app.config.get("SECOND_FACTOR_FOR_OFFICERS"))
    refusal: SecondFactorRefused | None = None
    with unit_of_work() as session:
        user = acting_user(session, username)
        asked = required and required_for(user, officers=officers)
        if code is None and asked and sys.stdin.isatty():
            code = click.prompt(f"Second-factor code for {user.username}", hide_input=True)
        try:
            step_up_with_code(session, user=user, code=code, required=required, officers=officers)
        except SecondFactorRefused as error:
            refusal = error
    if refusal is not None:
        fail(f"refused: {refusal}", REFUSED)


@contextmanager
def step_work(
    *,
    refused: tuple[type[Exception], ...] = (),
    invalid: tuple[type[Exception], ...] = (),
) -> Iterator[Session]:
    """A command's unit of work: an ``invalid`` error exits 2, a ``refused`` one 1, keeping nothing.

    The error is raised inside the unit of work, so it is rolled back before the command stops.
    """
    from fund.db import unit_of_work

    try:
        with unit_of_work() as session:
            yield session
    except invalid as error:
        fail(str(error))
    except refused as error:
        fail(str(error), REFUSED)


def event_by_id(session: Session, event_id: int) -> Event:
    """The event an EVENT argument names; an unknown one stops the command."""
    event = session.get(Event, event_id)
    if event is None:
        fail(f"no event {event_id}")
    return event


def named_factory(session: Session, code: str) -> Factory:
    """The factory a FACTORY argument names by its code; an unknown one stops the command."""
    factory = session.scalar(select(Factory).where(Factory.code == code))
    if factory is None:
        fail(f"no factory {code!r}")
    return factory


def say_verdict(
    facts: dict[str, object], *, ok: bool, intact: str, broken: str, as_json: bool
) -> None:
    """Print a chain check's verdict (``facts`` as JSON with ``--json``); a broken one exits 1."""
    if as_json:
        click.echo(json.dumps(facts))
    elif ok:
        click.echo(intact)
    else:
        click.echo(broken, err=True)
    if not ok:
        raise SystemExit(REFUSED)


def calendar_date(value: str | None, option: str) -> date | None:
    """``"2026-03-01"`` → a date; anything else is a usage error naming ``option``."""
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()  # noqa: DTZ007  (a calendar date)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date like 2024-03-01", param_hint=option
        ) from None


def write_whole(path: Path, data: bytes) -> None:
    """Write ``path`` whole or not at all: a killed command never leaves a cut file there.

    The bytes go to a hidden ``.NAME.PID.part`` file beside it (same file system, the usual
    permissions), then replace it in one rename; parts left by killed writers go then too.
    """
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        with partial.open("wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    _remove_leftovers(path)


def _remove_leftovers(path: Path) -> None:
    # A SIGKILLed writer cannot clean up after itself; its part is of no use once the file is
    # whole. Parts of writers still running are theirs to rename.
    for leftover in path.parent.glob(f".{glob.escape(path.name)}.*.part"):
        pid = leftover.name[len(path.name) + 2 : -len(".part")]
        if pid.isdecimal() and not _running(int(pid)):
            leftover.unlink(missing_ok=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: running
        return True
    return True
