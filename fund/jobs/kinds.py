"""What a background job can be: a file written from committed data, or work stored.

A file kind takes a read-only session, the job's parameters (plain JSON values) and the path to
write (the ``.part`` file), and reports how far it got through ``progress``. A storing kind
(``store``: an entitlement computation, a roll import) does its long part with the read-only
session, reporting progress, and hands back the write: the consumer runs that in one
transaction together with marking the job done, so a consumer killed half-way has stored
nothing and the retry starts from nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

Progress = Callable[[int], None]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


#: A storing kind's write: given the writing session, the job's owner id and progress, it
#: stores and returns what to add to the job's parameters (e.g. the id of what it made).
Store = Callable[[Session, int, Progress], dict[str, Any]]


class JobRefused(Exception):
    """The work cannot be done as asked (a roll with errors): the job fails, never retried."""


@dataclass(frozen=True, slots=True)
class JobKind:
    """One kind of background work: how to write its file, and what the file is."""

    write: Callable[[Session, Mapping[str, Any], Path, Progress], None] | None
    suffix: str
    mimetype: str
    #: Instead of ``write``: the long read (progress reported), giving back the write.
    store: Callable[[Session, Mapping[str, Any], Progress], Store] | None = None
    #: For a storing kind: the address of the page showing what it stored, once done.
    result_page: Callable[[Session, Mapping[str, Any]], str | None] | None = None


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def _ledger_export(
    session: Session, params: Mapping[str, Any], path: Path, progress: Progress
) -> None:
    from fund.reports.services import export_books

    export_books(
        session,
        kind=params["kind"],
        target=str(path),
        start=_day(params.get("start")),
        end=_day(params.get("end")),
        progress=progress,
    )


def _brand_statement(
    session: Session, params: Mapping[str, Any], path: Path, progress: Progress
) -> None:
    from sqlalchemy import select

    from fund.brands.models import Brand
    from fund.brands.services import statement_pdf_file
    from fund.brands.statement import brand_statement
    from fund.brands.statement_files import statement_xlsx

    brand = session.scalars(select(Brand).where(Brand.code == params["brand"])).one()
    statement = brand_statement(
        session, brand=brand, start=_day(params.get("start")), end=date.fromisoformat(params["end"])
    )
    progress(1)
    data = (
        statement_pdf_file(session, statement)
        if params["format"] == "pdf"
        else statement_xlsx(statement)
    )
    path.write_bytes(data)
    progress(2)


def _batch_file(
    session: Session, params: Mapping[str, Any], path: Path, progress: Progress
) -> None:
    from fund.disbursements import outputs
    from fund.disbursements.models import DisbursementBatch
    from fund.reports.services import counted

    batch = session.get(DisbursementBatch, params["batch"])
    if batch is None:
        raise LookupError(f"batch {params['batch']} is gone")
    what = params["file"]
    if what == "receipts":
        from fund.disbursements.receipts import render_receipts

        data = render_receipts(counted(outputs.receipts(session, batch), progress))
    else:
        from fund.disbursements.sheets import build_sheet_pdf, build_sheet_xlsx

        header = outputs.sheet_header(batch)
        rows = list(counted(outputs.sheet_rows(session, batch), progress))
        data = (
            build_sheet_xlsx(header, rows)
            if what == "sheet-xlsx"
            else build_sheet_pdf(header, rows)
        )
    path.write_bytes(data)


def _compute_entitlements(session: Session, params: Mapping[str, Any], progress: Progress) -> Store:
    """Compute an event's entitlements (read-only, long); the store step writes the run."""
    from fund.entitlements.models import PolicyVersion
    from fund.entitlements.services import compute
    from fund.events.models import Event

    event = session.get_one(Event, params["event"])
    progress(0)
    computed = compute(
        session,
        event=event,
        policy_version=session.get_one(PolicyVersion, params["policy_version"]),
        through=_day(params.get("through")),
    )
    progress(len(computed.results))

    def store(writing: Session, owner_id: int, _progress: Progress) -> dict[str, Any]:
        from fund.auth.models import User
        from fund.entitlements.services import store_computation

        run = store_computation(
            writing,
            computed,
            event=writing.get_one(Event, computed.event_id),
            actor=writing.get(User, owner_id),
        )
        return {"run": run.id}

    return store


def _event_run_page(_session: Session, params: Mapping[str, Any]) -> str | None:
    from flask import url_for

    return url_for("events.detail", event_id=params["event"], run=params.get("run"))


def _roll_import(session: Session, params: Mapping[str, Any], progress: Progress) -> Store:
    """Read and check a kept upload (read-only, long); the store step imports it."""
    from fund.rolls.background import prepare_import

    store_roll = prepare_import(session, params, progress, refused=JobRefused)

    def store(writing: Session, _owner_id: int, stored: Progress) -> dict[str, Any]:
        return {"roll": store_roll(writing, stored)}

    return store


def _roll_page(session: Session, params: Mapping[str, Any]) -> str | None:
    from fund.rolls.background import stored_roll_link

    return stored_roll_link(session, params)


KINDS: dict[str, JobKind] = {
    "entitlements-compute": JobKind(
        None, "", "", store=_compute_entitlements, result_page=_event_run_page
    ),
    "ledger-export": JobKind(_ledger_export, ".xlsx", XLSX),
    "brand-statement-pdf": JobKind(_brand_statement, ".pdf", PDF),
    "brand-statement-xlsx": JobKind(_brand_statement, ".xlsx", XLSX),
    "batch-sheet-xlsx": JobKind(_batch_file, ".xlsx", XLSX),
    "batch-sheet-pdf": JobKind(_batch_file, ".pdf", PDF),
    "batch-receipts": JobKind(_batch_file, ".pdf", PDF),
    "roll-import": JobKind(None, "", "", store=_roll_import, result_page=_roll_page),
}
