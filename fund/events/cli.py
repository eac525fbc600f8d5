"""``fund events …``: record suspensions and closures, change a suspension's end, list them.

Bad input exits with status 2 and says why; nothing is stored.
"""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from fund.cli_options import (
    calendar_date,
    event_by_id,
    fail,
    named_factory,
    named_user,
    step_work,
)
from fund.db import get_session
from fund.events.models import Event
from fund.events.services import (
    EventInvalid,
    change_end,
    create_event,
    resolve_duplicate,
    set_roll,
)
from fund.factories.models import Factory
from fund.rolls.models import Roll

events_cli = AppGroup("events", help="Suspensions and closures the fund pays for.")


def _roll(session: Session, factory: Factory, version: int | None) -> Roll | None:
    query = select(Roll).where(Roll.factory_id == factory.id)
    if version is not None:
        query = query.where(Roll.version == version)
    roll = session.scalar(query.order_by(Roll.version.desc()).limit(1))
    if roll is None and version is not None:
        fail(f"{factory.code} has no roll version {version}")
    return roll


@events_cli.command("create")
@click.argument("factory_code")
@click.option("--kind", required=True, type=click.Choice(["suspension", "closure"]))
@click.option("--start", required=True, help="First day (closure: its date), YYYY-MM-DD.")
@click.option("--end", help="Last day of a suspension; leave out while it is ongoing.")
@click.option("--sections", help="Partial suspension: the affected sections, comma separated.")
@click.option("--reference", default="", help="Inspection or panel decision behind it.")
@click.option("--roll-version", type=int, help="Roll version to use (default: the newest).")
@click.option("--policy", "policy_name", help="Policy its entitlements use by default.")
@click.option("--as", "username", help="The officer recording it.")
def create(
    factory_code: str,
    kind: str,
    start: str,
    end: str | None,
    sections: str | None,
    reference: str,
    roll_version: int | None,
    policy_name: str | None,
    username: str | None,
) -> None:
    """Record a suspension or closure of FACTORY_CODE and print its number."""
    start_date = calendar_date(start, "--start")
    assert start_date is not None
    with step_work(invalid=(EventInvalid,)) as session:
        factory = named_factory(session, factory_code)
        event = create_event(
            session,
            factory=factory,
            kind=kind,
            start=start_date,
            end=calendar_date(end, "--end"),
            sections=sections.split(",") if sections is not None else None,
            reference=reference,
            roll=_roll(session, factory, roll_version),
            policy_name=policy_name,
            actor=named_user(session, username),
        )
        title, number = event.title, event.id
    click.echo(f"event {number}: {title}")


@events_cli.command("change-end")
@click.argument("event_id", type=int)
@click.option("--end", help="The new last day; leave out to reopen (ongoing).")
@click.option("--reason", required=True, help="Why the end changes (kept in the history).")
@click.option("--as", "username", help="The officer recording it.")
def change_end_command(event_id: int, end: str | None, reason: str, username: str | None) -> None:
    """Extend, shorten, end or reopen a suspension; the change is kept as history."""
    new_end = calendar_date(end, "--end")
    with step_work(invalid=(EventInvalid,)) as session:
        event = event_by_id(session, event_id)
        change_end(
            session,
            event=event,
            new_end=new_end,
            reason=reason,
            actor=named_user(session, username),
        )
        title = event.title
    click.echo(f"event {event_id}: {title}")


@events_cli.command("use-roll")
@click.argument("event_id", type=int)
@click.option("--roll-version", type=int, help="Default: the factory's newest roll.")
@click.option("--as", "username", help="The officer recording it.")
def use_roll(event_id: int, roll_version: int | None, username: str | None) -> None:
    """Compute the event's entitlements from another roll version of its factory."""
    with step_work(invalid=(EventInvalid,)) as session:
        event = event_by_id(session, event_id)
        roll = _roll(session, event.factory, roll_version)
        if roll is None:
            fail(f"{event.factory.code} has no roll yet")
        set_roll(session, event=event, roll=roll, actor=named_user(session, username))
        version = roll.version
    click.echo(f"event {event_id} uses roll version {version}")


@events_cli.command("list")
@click.option("--json", "as_json", is_flag=True)
def list_events(as_json: bool) -> None:
    """The events, newest first."""
    events = (
        get_session()
        .scalars(
            select(Event)
            .options(selectinload(Event.factory), selectinload(Event.roll))
            .order_by(Event.start_date.desc(), Event.id.desc())
        )
        .all()
    )
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "id": event.id,
                        "factory": event.factory.code,
                        "kind": event.kind,
                        "scope": event.scope,
                        "sections": event.sections,
                        "start": event.start_date.isoformat(),
                        "end": event.end_date.isoformat() if event.end_date else None,
                        "reference": event.reference,
                        "roll_version": event.roll.version if event.roll else None,
                        "policy": event.policy_name,
                    }
                    for event in events
                ]
            )
        )
        return
    for event in events:
        click.echo(f"{event.id:>5}  {event.title}  {event.reference}")


@events_cli.command("resolve-duplicate")
@click.argument("event_id", type=int)
@click.argument("national_id")
@click.option("--pay", "worker_id", required=True, help="The roll's worker ID to pay.")
@click.option("--note", required=True, help="How it was checked (kept in the audit log).")
@click.option("--as", "username", help="The officer resolving it.")
def resolve_duplicate_command(
    event_id: int, national_id: str, worker_id: str, note: str, username: str | None
) -> None:
    """Workers sharing NATIONAL_ID are one person: pay them once, as --pay WORKER_ID."""
    with step_work(invalid=(EventInvalid,)) as session:
        event = event_by_id(session, event_id)
        resolve_duplicate(
            session,
            event=event,
            national_id=national_id,
            paid_worker_id=worker_id,
            note=note,
            actor=named_user(session, username),
        )
    click.echo(
        f"event {event_id}: national ID {national_id} is paid once, as {worker_id}; "
        f"compute again to apply it"
    )
