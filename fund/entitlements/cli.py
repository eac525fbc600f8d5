"""``fund entitlements …``: a stateless what-if preview, and computing an event's entitlements.

Bad input (an unreadable roll, a roll with errors, a broken policy, impossible dates) exits with
status 2 and the problems listed on stderr; nothing is written.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import click
from flask.cli import AppGroup

import imports
from fund.cli_options import calendar_date, event_by_id, named_factory, named_user, write_whole
from fund.entitlements.export import build_table, to_csv, to_json, to_xlsx
from fund.entitlements.policy import PolicyInvalid, load_policy
from fund.entitlements.rules import EntitlementError, EventTerms, compute_all
from imports.records import Problem, RollRow
from ledger.money import format_minor, from_minor

entitlements_cli = AppGroup("entitlements", help="What each worker is owed for an event.")

BAD_INPUT = 2


def _fail(message: str, problems: Sequence[Problem] = ()) -> NoReturn:
    for problem in problems:
        where = ", ".join(
            part
            for part in (
                f"row {problem.row}" if problem.row is not None else "",
                f"column {problem.column}" if problem.column else "",
            )
            if part
        )
        located = f"{where}: " if where else ""
        click.echo(f"  {problem.severity}: {located}{problem.code}: {problem.message}", err=True)
    click.echo(f"error: {message}", err=True)
    sys.exit(BAD_INPUT)


def read_roll_rows(path: Path) -> list[RollRow]:
    """Read a roll file through the importer; refuse (exit 2) one that has errors."""
    try:
        reading = imports.read_roll(path, filename=path.name)
    except imports.RollUnreadable as error:
        _fail(f"{path}: cannot be read as a roll: {error}")
    if reading.has_errors:
        errors = [p for p in reading.problems if p.severity == "error"]
        _fail(
            f"{path}: the roll has {len(errors)} error(s) in {reading.rejected} row(s); "
            "fix them and try again",
            errors,
        )
    warnings = [p for p in reading.problems if p.severity == "warning"]
    if warnings:
        click.echo(f"{path}: {len(warnings)} warning(s), not blocking", err=True)
    rows: list[RollRow] = list(reading.rows)
    return rows


@entitlements_cli.command("preview")
@click.option("--roll", "roll_path", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--kind", required=True, type=click.Choice(["suspension", "closure"]))
@click.option("--start", required=True, help="First day of the event (closure: its date).")
@click.option("--end", help="Last day of a suspension; leave out while it is ongoing.")
@click.option("--through", help="Compute up to this day (needed for an ongoing suspension).")
@click.option("--sections", help="Partial suspension: the affected sections, comma separated.")
@click.option(
    "--policy", "policy_path", required=True, type=click.Path(dir_okay=False, path_type=Path)
)
@click.option(
    "--format", "output_format", type=click.Choice(["csv", "json", "xlsx"]), default="csv"
)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Default: stdout.")
def preview(
    roll_path: Path,
    kind: str,
    start: str,
    end: str | None,
    through: str | None,
    sections: str | None,
    policy_path: Path,
    output_format: str,
    output: Path | None,
) -> None:
    """Compute entitlements from a roll file and a policy file without storing anything."""
    start_date = calendar_date(start, "--start")
    assert start_date is not None
    section_set = None
    if sections is not None:
        section_set = frozenset(part.strip() for part in sections.split(",") if part.strip())
    try:
        policy = load_policy(policy_path)
    except PolicyInvalid as error:
        _fail(f"policy {error}")
    try:
        event = EventTerms(
            kind="closure" if kind == "closure" else "suspension",
            start=start_date,
            end=calendar_date(end, "--end"),
            sections=section_set,
        )
    except EntitlementError as error:
        _fail(str(error))
    rows = read_roll_rows(roll_path)
    try:
        entitlements = compute_all(
            rows, event=event, policy=policy, through=calendar_date(through, "--through")
        )
    except EntitlementError as error:
        _fail(str(error))
    table = build_table(entitlements, policy.currency)
    if output_format == "xlsx":
        if output is None:
            _fail("--format xlsx needs --output FILE")
        write_whole(output, to_xlsx(table))
    else:
        text = (
            to_csv(table)
            if output_format == "csv"
            else to_json(
                table,
                entitlements,
                policy=policy.name,
                policy_sha256=policy.sha256,
                kind=kind,
                start=start,
                end=end,
                through=through,
                sections=sorted(section_set) if section_set is not None else None,
            )
            + "\n"
        )
        if output is None:
            click.echo(text, nl=False)
        else:
            output.write_text(text, encoding="utf-8")
    if output is not None:
        summary = table.summary
        total = format_minor(summary.total_minor, policy.currency)
        click.echo(
            f"{summary.workers} workers, {summary.eligible} eligible, "
            f"total {total} {policy.currency}: written to {output}",
            err=True,
        )


@entitlements_cli.command("compute")
@click.argument("event_id", type=int)
@click.option("--policy", "policy_name", help="Policy name (default: the event's policy).")
@click.option("--through", help="Compute up to this day (needed for an ongoing suspension).")
@click.option("--as", "username", help="The officer doing it (recorded in the audit log).")
@click.option("--json", "as_json", is_flag=True, help="Print the run's summary as JSON.")
def compute(
    event_id: int,
    policy_name: str | None,
    through: str | None,
    username: str | None,
    as_json: bool,
) -> None:
    """Compute and store the entitlements of EVENT from its roll and a policy."""

    from fund.db import unit_of_work
    from fund.entitlements.policy_versions import PolicyNotFound, policy_for
    from fund.entitlements.services import compute, store_computation

    through_date = calendar_date(through, "--through")
    try:
        with unit_of_work() as session:
            actor = named_user(session, username)
            event = event_by_id(session, event_id)
            name = policy_name or event.policy_name
            if name is None:
                _fail("the event names no policy: pass --policy NAME")
            version = policy_for(session, name, event=event)
            workers = event.roll.worker_count if event.roll is not None else 0
            # Synchronous, with a bar on stderr (stdout stays the summary): computed, stored.
            with click.progressbar(
                length=2 * workers, label="computing", file=sys.stderr, hidden=not workers
            ) as bar:
                computed = compute(
                    session, event=event, policy_version=version, through=through_date
                )
                bar.label = "storing"
                bar.update(workers)
                run = store_computation(session, computed, event=event, actor=actor)
                bar.update(workers)
            summary = {
                "run": run.id,
                "event": event.id,
                "roll": run.roll_id,
                "policy": version.label,
                "through": through_date.isoformat() if through_date else None,
                "workers": run.workers,
                "eligible": run.eligible,
                "total": f"{from_minor(run.total_minor, run.currency)}",
                "currency": run.currency,
            }
    except (PolicyNotFound, PolicyInvalid, EntitlementError) as error:
        _fail(str(error))
    if as_json:
        click.echo(json.dumps(summary))
    else:
        click.echo(
            f"run {summary['run']}: {run.workers} workers, {run.eligible} eligible, "
            f"total {format_minor(run.total_minor, run.currency)} {run.currency} "
            f"({summary['policy']})"
        )


@entitlements_cli.command("policy-add")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--as", "username", help="The admin adding it.")
def policy_add(path: Path, username: str | None) -> None:
    """Store a policy file as a new version (the same text again changes nothing)."""

    from fund.db import unit_of_work
    from fund.entitlements.policy_versions import register_policy

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        _fail(f"{path}: cannot read policy ({error})")
    try:
        with unit_of_work() as session:
            actor = named_user(session, username)
            version = register_policy(session, text=text, actor=actor)
            label, digest = version.label, version.sha256
    except PolicyInvalid as error:
        _fail(f"{path}: {error}")
    click.echo(f"{label} ({digest[:12]})")


@entitlements_cli.command("policies")
def policies() -> None:
    """Every stored policy version, newest first within each name."""
    from sqlalchemy import select

    from fund.db import get_session
    from fund.entitlements.models import PolicyVersion

    versions = get_session().scalars(
        select(PolicyVersion).order_by(PolicyVersion.name, PolicyVersion.version.desc())
    )
    for version in versions:
        state = "frozen" if version.frozen else "editable"
        click.echo(f"{version.label:<45} {state:<9} {version.sha256[:12]}")


@entitlements_cli.command("choose-policy")
@click.argument("event_id", type=int)
@click.option(
    "--version",
    "version_number",
    type=int,
    help="Version to use; leave out to go back to the version in force.",
)
@click.option("--reason", required=True, help="Why this version applies (kept in the audit log).")
@click.option("--as", "username", required=True, help="The officer deciding.")
def choose_policy(event_id: int, version_number: int | None, reason: str, username: str) -> None:
    """Make EVENT_ID use another version of its policy than the one in force on its start."""
    from sqlalchemy import select

    from fund.cli_options import acting_user, fail
    from fund.db import unit_of_work
    from fund.entitlements.models import PolicyVersion
    from fund.entitlements.policy_versions import PolicyChoiceRefused, choose_policy_version

    with unit_of_work() as session:
        actor = acting_user(session, username)
        event = event_by_id(session, event_id)
        if event.policy_name is None:
            fail("the event names no policy: create it with --policy first")
        version = None
        if version_number is not None:
            version = session.scalar(
                select(PolicyVersion).where(
                    PolicyVersion.name == event.policy_name,
                    PolicyVersion.version == version_number,
                )
            )
            if version is None:
                fail(f"policy {event.policy_name!r} has no version {version_number}")
        try:
            choose_policy_version(session, event=event, version=version, reason=reason, actor=actor)
        except PolicyChoiceRefused as error:
            fail(str(error))
        click.echo(f"event {event_id} uses {version.label if version else 'the version in force'}")


@entitlements_cli.command("factory-share")
@click.argument("factory_code")
@click.option("--paid", help="Record a payment by the factory of this many BDT.")
@click.option("--on", "paid_on", help="Day of the payment, YYYY-MM-DD.")
@click.option("--reference", default="", help="The bank reference of the payment.")
@click.option("--as", "username", help="The accountant recording a payment.")
@click.option("--json", "as_json", is_flag=True, help="Print the statement as JSON.")
def factory_share(
    factory_code: str,
    paid: str | None,
    paid_on: str | None,
    reference: str,
    username: str | None,
    as_json: bool,
) -> None:
    """What FACTORY_CODE owes for its share of co-paid entitlements: owed, paid, still owed."""
    from decimal import Decimal, InvalidOperation

    from fund.cli_options import acting_user, fail
    from fund.db import unit_of_work
    from fund.entitlements.copayment import (
        FactoryPaymentRefused,
        factory_share_statement,
        record_factory_payment,
    )
    from ledger.money import MoneyError, to_minor

    with unit_of_work() as session:
        factory = named_factory(session, factory_code)
        if paid is not None:
            actor = acting_user(session, username)
            day = calendar_date(paid_on, "--on")
            if day is None:
                fail("say the day of the payment with --on YYYY-MM-DD")
            try:
                amount = to_minor(Decimal(paid.replace(",", "")), "BDT")
            except (InvalidOperation, ValueError, MoneyError) as error:
                fail(f"--paid {paid!r} is not an amount ({error})")
            try:
                record_factory_payment(
                    session, factory=factory, amount_minor=amount, on=day,
                    reference=reference, actor=actor,
                )  # fmt: skip
            except FactoryPaymentRefused as error:
                fail(str(error))
        shown = factory_share_statement(session, factory=factory)
        figures = {
            "factory": factory.code,
            "currency": shown.currency,
            "owed": str(from_minor(shown.owed_minor, shown.currency)),
            "paid": str(from_minor(shown.paid_minor, shown.currency)),
            "still_owed": str(from_minor(shown.still_owed_minor, shown.currency)),
            "owed_to_workers_directly": str(
                from_minor(shown.owed_to_workers_minor, shown.currency)
            ),
        }
        if as_json:
            click.echo(json.dumps(figures))
            return
        for label, key in (("Owed", "owed"), ("Paid", "paid"), ("Still owed", "still_owed")):
            click.echo(f"{label:>12}: {figures[key]} {shown.currency}")
        if shown.owed_to_workers_minor:
            click.echo(
                f"Owed directly to workers (not advanced by the fund): "
                f"{figures['owed_to_workers_directly']} {shown.currency}"
            )
