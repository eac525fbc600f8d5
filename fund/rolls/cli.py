"""``fund rolls check`` and ``fund rolls import``: exit 0 clean, 1 rows rejected, 2 unreadable
or input it cannot use (an unknown factory or user, a bad date), as every ``fund`` command."""

from __future__ import annotations

import json
from contextlib import ExitStack
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
from flask.cli import AppGroup

from fund.cli_options import calendar_date, named_factory, named_user, write_whole
from fund.db import unit_of_work
from fund.rolls.services import (
    ExitDatesUnconfirmed,
    RollAlreadyImported,
    RollRejected,
    import_roll,
    problems_as_json,
    save_mapping,
)
from imports import (
    FIELD_LABELS,
    Limits,
    Problem,
    RollReading,
    RollUnreadable,
    error_report_xlsx,
    read_roll,
)
from imports.sources import read_bytes

rolls_cli = AppGroup("rolls", help="Payroll rolls: check a file, import it as a new version.")

EXIT_REJECTED = 1
EXIT_UNREADABLE = 2


def _today() -> date:
    return datetime.now().astimezone().date()


def _problem_table(problems: tuple[Problem, ...]) -> str:
    lines = [f"{'row':>6}  {'column':<24} {'severity':<8} {'code':<22} message"]
    for p in problems:
        row = "" if p.row is None else str(p.row)
        lines.append(
            f"{row:>6}  {(p.column or '')[:24]:<24} {p.severity:<8} {p.code:<22} {p.message}"
        )
    return "\n".join(lines)


def _summary(reading: RollReading) -> str:
    return (
        f"{reading.rows_read} rows read: {reading.accepted} accepted, {reading.rejected} rejected,"
        f" {len(reading.warnings)} warning(s)"
    )


@rolls_cli.command("check")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable result (DESIGN §4).")
@click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write an XLSX error report: the cells with the bad ones highlighted.",
)
@click.option("--as-of", "as_of_text", help="The roll's date (YYYY-MM-DD); default today.")
def check(file: Path, as_json: bool, report: Path | None, as_of_text: str | None) -> None:
    """Validate a roll FILE without storing anything."""
    as_of = calendar_date(as_of_text, "--as-of") or _today()
    limits = Limits()
    try:
        data = read_bytes(file, filename=file.name, limits=limits)
        reading = read_roll(data, filename=file.name, as_of=as_of, limits=limits)
    except RollUnreadable as error:
        if as_json:
            click.echo(json.dumps({"error": str(error)}, ensure_ascii=False))
        click.echo(f"cannot read {error}", err=True)
        raise SystemExit(EXIT_UNREADABLE) from None
    if report is not None:
        write_whole(report, error_report_xlsx(data, reading, filename=file.name, limits=limits))
    if as_json:
        click.echo(json.dumps(problems_as_json(reading), ensure_ascii=False))
    else:
        if reading.problems:
            click.echo(_problem_table(reading.problems))
        click.echo(_summary(reading))
        if report is not None:
            click.echo(f"error report written to {report}")
    if reading.has_errors:
        raise SystemExit(EXIT_REJECTED)


@rolls_cli.command("import")
@click.argument("factory_code", metavar="FACTORY")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--as-of", "as_of_text", required=True, help="The roll's date (YYYY-MM-DD).")
@click.option("--as", "username", help="The acting user (recorded in the audit log).")
@click.option(
    "--nobody-left",
    is_flag=True,
    help="The roll has no exit-date column: confirm that nobody on it has left (audited).",
)
def import_command(
    factory_code: str, file: Path, as_of_text: str, username: str | None, nobody_left: bool
) -> None:
    """Store FILE as FACTORY's next roll version: all rows or, on any error, nothing."""
    as_of = calendar_date(as_of_text, "--as-of")
    assert as_of is not None
    try:
        with unit_of_work() as session:
            factory = named_factory(session, factory_code)
            actor = named_user(session, username)
            with ExitStack() as stack:
                bars: list[Any] = []

                def advance(stored: int, total: int) -> None:
                    # The bar appears once the file is accepted and storing begins.
                    if not bars:
                        bars.append(
                            stack.enter_context(
                                click.progressbar(length=total, label="storing workers")
                            )
                        )
                    bars[0].update(stored)

                roll = import_roll(
                    session,
                    factory=factory,
                    source=file,
                    filename=file.name,
                    as_of=as_of,
                    actor=actor,
                    progress=advance,
                    nobody_left=nobody_left,
                )
            summary = (
                f"imported {factory.code} roll version {roll.version} as of {as_of:%d/%m/%Y}:"
                f" {roll.worker_count} workers, {roll.warning_count} warning(s) (roll id {roll.id})"
            )
    except RollUnreadable as error:
        click.echo(f"cannot read {error}", err=True)
        raise SystemExit(EXIT_UNREADABLE) from None
    except RollRejected as rejected:
        click.echo(_problem_table(rejected.problems), err=True)
        click.echo(f"{_summary(rejected.reading)}; nothing was stored", err=True)
        raise SystemExit(EXIT_REJECTED) from None
    except ExitDatesUnconfirmed as unconfirmed:
        click.echo(f"{unconfirmed}; with the CLI: --nobody-left. Nothing was stored.", err=True)
        raise SystemExit(EXIT_REJECTED) from None
    except RollAlreadyImported as already:
        click.echo(str(already), err=True)
        raise SystemExit(EXIT_REJECTED) from None
    click.echo(summary)


@rolls_cli.command("map")
@click.argument("factory_code", metavar="FACTORY")
@click.argument("header")
@click.argument("field", type=click.Choice(list(FIELD_LABELS)))
@click.option("--as", "username", help="The acting user (recorded in the audit log).")
def map_command(factory_code: str, header: str, field: str, username: str | None) -> None:
    """Remember that HEADER in FACTORY's files means FIELD."""
    with unit_of_work() as session:
        factory = named_factory(session, factory_code)
        actor = named_user(session, username)
        save_mapping(session, factory=factory, header=header, field=field, actor=actor)
    click.echo(f"{factory_code}: header {header!r} now means {FIELD_LABELS[field]}")


__all__ = ["rolls_cli"]
