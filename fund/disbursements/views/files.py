"""A batch's files: the payment sheet (XLSX or PDF), the receipts (PDF), the provider's payment
file (CSV); and checking a receipt someone holds against what the fund issued.

Rules: a sheet or receipts of more than ``BACKGROUND_LINES`` lines is made by a background job,
which only the POST of the page shown instead starts (a GET starts nothing); payment files go to
payers and auditors only.
"""

from __future__ import annotations

import io

from flask import Response as FlaskResponse
from flask import abort, current_app, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.wrappers import Response

from fund.auth.access import allow
from fund.auth.roles import STAFF
from fund.db import get_session
from fund.disbursements import outputs
from fund.disbursements.models import DisbursementBatch
from fund.disbursements.receipt_checks import check_receipt
from fund.disbursements.receipts import render_receipts
from fund.disbursements.sheets import build_sheet_pdf, build_sheet_xlsx
from fund.disbursements.views.blueprint import FILE_READERS, batch_or_404, bp
from fund.jobs.large_files import LargeFile, offer, posted_choice, prepare

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _send(data: bytes, mimetype: str, name: str) -> FlaskResponse:
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)


#: A batch file's job kind and download name, by what the page asks for.
_BATCH_FILES = {
    "sheet-xlsx": ("batch-sheet-xlsx", "sheet.xlsx"),
    "sheet-pdf": ("batch-sheet-pdf", "sheet.pdf"),
    "receipts": ("batch-receipts", "receipts.pdf"),
}


def _batch_file(batch: DisbursementBatch, what: str) -> LargeFile:
    """The batch's sheet or receipts as a job writes them, counted in lines."""
    lines = outputs.live_line_count(get_session(), batch)
    kind, name = _BATCH_FILES[what]
    return LargeFile(
        kind=kind,
        params={"batch": batch.id, "file": what},
        title=_("Batch %(batch)s: %(name)s", batch=batch.id, name=name),
        result_name=f"batch-{batch.id}-{name}",
        total=lines,
    )


def _large_batch_file(batch: DisbursementBatch, what: str) -> str | None:
    """A sheet or receipts of more than ``BACKGROUND_LINES`` lines: the page whose button asks
    for it in the background (this GET starts nothing); None for a file sent at once."""
    file = _batch_file(batch, what)
    if file.total <= current_app.config["BACKGROUND_LINES"]:
        return None
    return offer(
        file,
        size=ngettext("%(count)s line", "%(count)s lines", file.total, count=f"{file.total:,}"),
        action=url_for("disbursements.prepare_file", batch_id=batch.id),
        fields={"file": what},
    )


@bp.route("/<int:batch_id>/prepare", methods=["POST"])
@allow(STAFF)
def prepare_file(batch_id: int) -> Response:
    """The large file page's button: the batch's sheet or receipts written by a job."""
    batch = batch_or_404(batch_id)
    what = posted_choice("file", _BATCH_FILES)
    return prepare(_batch_file(batch, what))


@bp.route("/<int:batch_id>/sheet.<file_format>")
@allow(STAFF)
def sheet(batch_id: int, file_format: str) -> Response | str:
    if file_format not in ("xlsx", "pdf"):
        abort(404)
    session = get_session()
    batch = batch_or_404(batch_id)
    if (later := _large_batch_file(batch, f"sheet-{file_format}")) is not None:
        return later
    header, rows = outputs.sheet_header(batch), outputs.sheet_rows(session, batch)
    if file_format == "xlsx":
        return _send(build_sheet_xlsx(header, rows), XLSX, f"batch-{batch.id}-sheet.xlsx")
    return _send(build_sheet_pdf(header, rows), "application/pdf", f"batch-{batch.id}-sheet.pdf")


@bp.route("/<int:batch_id>/receipts.pdf")
@allow(STAFF)
def receipts(batch_id: int) -> Response | str:
    batch = batch_or_404(batch_id)
    if (later := _large_batch_file(batch, "receipts")) is not None:
        return later
    data = render_receipts(outputs.receipts(get_session(), batch))
    return _send(data, "application/pdf", f"batch-{batch.id}-receipts.pdf")


@bp.route("/<int:batch_id>/payment-<file_format>.csv")
@allow(*FILE_READERS)
def payment_file(batch_id: int, file_format: str) -> FlaskResponse:
    if file_format not in ("mobile", "bank"):
        abort(404)
    batch = batch_or_404(batch_id)
    data = outputs.payment_file(
        get_session(),
        batch,
        file_format=file_format,
        bom_formats=current_app.config["PAYMENT_FILE_BOM"],
    )
    return _send(data, "text/csv", f"batch-{batch.id}-{file_format}.csv")


@bp.route("/receipts/check")
@allow(STAFF)
def receipt_check() -> str:
    """A receipt someone holds: its number and code, checked against what the fund issued."""
    number = request.args.get("number", "").strip()[:40]
    code = request.args.get("code", "").strip()[:40]
    verdict = None
    if number and code:
        verdict = check_receipt(
            get_session(),
            receipt_number=number,
            code=code,
            secret_key=current_app.config["SECRET_KEY"],
        )
    return render_template(
        "disbursements/receipt_check.html", number=number, code=code, verdict=verdict
    )
