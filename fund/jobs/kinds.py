"""What a background job can be: most kinds write one file from committed data.

A file kind takes a read-only session, the job's parameters (plain JSON values) and the path
to write (the ``.part`` file), and reports how far it got through ``progress``. A kind that
changes the database instead (a roll import) is in two steps: ``prepare`` does the long
reading on a read-only session and returns the ``store`` step, which runs in one transaction
with the job's own "done", so a job killed mid-way has changed nothing and is run again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

Progress = Callable[[int], None]
#: The second step of a database kind: given the writing session (and progress), it changes
#: the database; the job service commits it together with the job's "done".
Store = Callable[[Session, Progress], None]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


class JobRefused(Exception):
    """The work cannot be done as asked (a roll with errors): the job fails, never retried."""


@dataclass(frozen=True, slots=True)
class JobKind:
    """One kind of background work: how to write its file, and what the file is."""

    write: Callable[[Session, Mapping[str, Any], Path, Progress], None] | None
    suffix: str
    mimetype: str
    #: A database kind (``write`` is None): the reading step, returning the storing step.
    prepare: Callable[[Session, Mapping[str, Any], Progress], Store] | None = None
    #: Where a finished database kind's result is shown (a path in the app), if anywhere.
    link: Callable[[Session, Mapping[str, Any]], str | None] | None = None


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


def _roll_import(session: Session, params: Mapping[str, Any], progress: Progress) -> Store:
    from fund.rolls.background import prepare_import

    return prepare_import(session, params, progress, refused=JobRefused)


def _roll_link(session: Session, params: Mapping[str, Any]) -> str | None:
    from fund.rolls.background import stored_roll_link

    return stored_roll_link(session, params)


KINDS: dict[str, JobKind] = {
    "ledger-export": JobKind(_ledger_export, ".xlsx", XLSX),
    "brand-statement-pdf": JobKind(_brand_statement, ".pdf", PDF),
    "brand-statement-xlsx": JobKind(_brand_statement, ".xlsx", XLSX),
    "batch-sheet-xlsx": JobKind(_batch_file, ".xlsx", XLSX),
    "batch-sheet-pdf": JobKind(_batch_file, ".pdf", PDF),
    "batch-receipts": JobKind(_batch_file, ".pdf", PDF),
    "roll-import": JobKind(None, "", "", prepare=_roll_import, link=_roll_link),
}
