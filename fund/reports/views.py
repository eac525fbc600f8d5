"""The books on the web: trial balance, charts, Excel downloads, closing and reopening months."""

from __future__ import annotations

import tempfile
from datetime import date
from decimal import Decimal

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from fund.arguments import DateFilters, date_argument, date_filters, id_argument, page_number
from fund.auth.access import allow, allowed_user
from fund.brands.forms import ConversionForm
from fund.brands.services import CASH_RECORDERS, BrandRecordRefused, convert_usd_to_bdt
from fund.db import get_session, utcnow
from fund.display import display_date, page_count
from fund.jobs.large_files import LargeFile, date_fields, offer, posted_choice, prepare
from fund.reports.forms import CloseForm, ReopenForm
from fund.reports.screens import (
    ENTRIES_PER_PAGE,
    DimensionNames,
    account_postings,
    entry_on_screen,
    journal_page,
)
from fund.reports.services import (
    BOOK_READERS,
    CLOSERS,
    EXPORT_KINDS,
    REOPENERS,
    CloseRefused,
    ExportKind,
    ExportRefused,
    close_month,
    export_books,
    fund_charts,
    postings_between,
    previous_month_end,
    reopen_month,
)
from ledger import closed_through
from ledger.models import Account, JournalEntry
from ledger.money import MoneyError, to_minor
from ledger.queries import trial_balance

bp = Blueprint("reports", __name__, url_prefix="/ledger")

#: The exports that can grow to millions of rows, written in the background over a size (asked
#: for by a POST from the page a GET over that size answers: see ``fund.jobs.large_files``).
BACKGROUND_KINDS = ("journal", "general-ledger")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/")
@allow(*BOOK_READERS)
def index() -> str | tuple[str, int]:
    """The books; an ``as_of`` not understood is named beside its input (400), the latest
    trial balance shown meanwhile."""
    as_of = date_filters("as_of")
    page = _books_page(as_of=as_of)
    return (page, 400) if as_of.refused else page


def _books_page(
    *,
    close_form: CloseForm | None = None,
    reopen_form: ReopenForm | None = None,
    conversion_form: ConversionForm | None = None,
    export_dates: DateFilters | None = None,
    as_of: DateFilters | None = None,
) -> str:
    """The books page; a form given here was refused and is shown again as the user filled it."""
    session = get_session()
    trial_date = as_of or date_filters("as_of")
    day = trial_date.get("as_of")
    user = allowed_user()
    if close_form is None and user.role_enum in CLOSERS:
        close_form = CloseForm(formdata=None)
        close_form.through.data = previous_month_end(utcnow().date())
    if reopen_form is None and user.role_enum in REOPENERS:
        reopen_form = ReopenForm(formdata=None)
    if conversion_form is None and user.role_enum in CASH_RECORDERS:
        conversion_form = ConversionForm(formdata=None)
    return render_template(
        "reports/index.html",
        report=trial_balance(session, as_of=day),
        names=_account_names(session),
        as_of=day,
        as_of_refused=trial_date.refused.get("as_of"),
        closed=closed_through(session),
        charts=fund_charts(session, end=day),
        kinds=[kind for kind in EXPORT_KINDS if kind != "account-statement"],
        close_form=close_form,
        reopen_form=reopen_form,
        conversion_form=conversion_form,
        export_dates=export_dates or DateFilters(),
        export_kind=request.args.get("kind", ""),
    )


def _account_names(session: Session) -> dict[int, str]:
    """Every account's dimensions in words, for the trial balance."""
    names = DimensionNames(session)
    return {a.id: names.of(a) for a in session.scalars(select(Account))}


@bp.route("/export/<kind>.xlsx")
@allow(*BOOK_READERS)
def export(kind: str) -> Response | str:
    return _offer_background(kind) or _send_asked_export(kind)


@bp.route("/export.xlsx")
@allow(*BOOK_READERS)
def export_chosen() -> Response | str | tuple[str, int]:
    """The export form's target: ``?kind=journal&from=…&to=…``; a date not understood shows
    the books page again with the form as filled and the message beside that date."""
    kind = request.args.get("kind", "")
    dates = date_filters("from", "to")
    if dates.refused:
        return _books_page(export_dates=dates), 400
    return _offer_background(kind) or _send_asked_export(kind)


def _send_asked_export(kind: str) -> Response:
    """The export for the page's ``?from=&to=`` (or ``as_of``) and ``account``."""
    return send_export(
        kind,
        start=date_argument("from"),
        end=date_argument("to") or date_argument("as_of"),
        account_id=id_argument("account"),
    )


def _offer_background(kind: str) -> str | None:
    """A journal or general ledger over ``BACKGROUND_POSTINGS``: the page whose button asks
    for it in the background (this GET starts nothing); None for a file sent at once."""
    if kind not in BACKGROUND_KINDS:
        return None
    start, end = date_argument("from"), date_argument("to") or date_argument("as_of")
    if start is not None and end is not None and start > end:
        return None  # send_export refuses it with its message
    file = _ledger_file(kind, start=start, end=end)
    if file.total <= current_app.config["BACKGROUND_POSTINGS"]:
        return None
    return offer(
        file,
        size=ngettext(
            "%(count)s posting", "%(count)s postings", file.total, count=f"{file.total:,}"
        ),
        action=url_for("reports.prepare_export"),
        fields={"kind": kind} | date_fields({"from": start, "to": end}),
    )


@bp.route("/export/prepare", methods=["POST"])
@allow(*BOOK_READERS)
def prepare_export() -> Response:
    """The large export page's button: the journal or general ledger written by a job."""
    kind = posted_choice("kind", BACKGROUND_KINDS)
    start, end = date_argument("from", posted=True), date_argument("to", posted=True)
    if start is not None and end is not None and start > end:
        abort(400, description=f"the period starts ({start}) after it ends ({end})")
    return prepare(_ledger_file(kind, start=start, end=end))


def _ledger_file(kind: str, *, start: date | None, end: date | None) -> LargeFile:
    """The journal or general ledger of the period as a job writes it, counted in postings."""
    size = postings_between(get_session(), start=start, end=end)
    period = f"{start or '…'} to {end or '…'}"
    return LargeFile(
        kind="ledger-export",
        params={
            "kind": kind,
            "start": start.isoformat() if start else None,
            "end": end.isoformat() if end else None,
        },
        title=_("%(kind)s, %(period)s", kind=kind.replace("-", " ").capitalize(), period=period),
        result_name=f"{kind}.xlsx",
        total=size,
    )


def send_export(
    kind: str,
    *,
    start: date | None,
    end: date | None,
    account_id: int | None,
    backwards: int = 400,
) -> Response:
    """The ``kind`` workbook for the period and, for a statement, the account (web and API).

    A period that starts after it ends answers ``backwards`` (the API says 409).
    """
    if kind not in EXPORT_KINDS:
        abort(404)
    chosen: ExportKind = kind
    # Spooled: small books stay in memory, a long journal goes to disk, never all in RAM.
    spool = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115
    try:
        export_books(
            get_session(),
            kind=chosen,
            target=spool,
            start=start,
            end=end,
            account_id=account_id,
        )
    except ExportRefused as refused:
        spool.close()
        abort(404 if kind == "account-statement" else backwards, description=str(refused))
    spool.seek(0)
    return send_file(spool, mimetype=XLSX, as_attachment=True, download_name=f"{kind}.xlsx")


@bp.route("/close", methods=["POST"])
@allow(*CLOSERS)
def close() -> Response | tuple[str, int]:
    form = CloseForm()
    if not form.validate_on_submit() or form.through.data is None:
        return _books_page(close_form=form), 400
    try:
        close_month(get_session(), through=form.through.data, actor=allowed_user())
    except CloseRefused as refused:
        form.through.errors = [*form.through.errors, _("Not closed: %(reason)s", reason=refused)]
        return _books_page(close_form=form), 400
    flash(
        _("Books closed through %(through)s.", through=display_date(form.through.data)), "success"
    )
    return redirect(url_for("reports.index"))


@bp.route("/reopen", methods=["POST"])
@allow(*REOPENERS)
def reopen() -> Response | tuple[str, int]:
    form = ReopenForm()
    if not form.validate_on_submit():
        return _books_page(reopen_form=form), 400
    try:
        reopen_month(
            get_session(),
            through=form.through.data,
            reason=form.reason.data or "",
            actor=allowed_user(),
        )
    except CloseRefused as refused:
        form.through.errors = [*form.through.errors, _("Not reopened: %(reason)s", reason=refused)]
        return _books_page(reopen_form=form), 400
    flash(_("Period reopened; the reason is in the audit log."), "success")
    return redirect(url_for("reports.index"))


@bp.route("/conversions", methods=["POST"])
@allow(*CASH_RECORDERS)
def add_conversion() -> Response | tuple[str, int]:
    form = ConversionForm()
    if not form.validate_on_submit() or form.effective_date.data is None:
        return _books_page(conversion_form=form), 400
    try:
        conversion = convert_usd_to_bdt(
            get_session(),
            amount=to_minor(str(form.amount.data), "USD"),
            rate=form.rate.data or Decimal(0),
            effective_date=form.effective_date.data,
            reference=form.reference.data or "",
            actor=allowed_user(),
        )
    except (BrandRecordRefused, MoneyError) as refused:
        form.amount.errors = [
            *form.amount.errors,
            _("Conversion not recorded: %(reason)s", reason=refused),
        ]
        return _books_page(conversion_form=form), 400
    flash(
        _(
            "Conversion %(conversion)s recorded at %(rate)s.",
            conversion=conversion.reference,
            rate=conversion.rate,
        ),
        "success",
    )
    return redirect(url_for("reports.index"))


@bp.route("/journal")
@allow(*BOOK_READERS)
def journal_screen() -> str | tuple[str, int]:
    """The journal on screen: entries in chain order, filtered by dates and words; a date not
    understood is named beside its input (400), left out of the filter meanwhile."""
    dates = date_filters("from", "to")
    start, end = dates.get("from"), dates.get("to")
    text = request.args.get("q", "").strip()[:100]
    page = page_number()
    entries, total = journal_page(get_session(), start=start, end=end, text=text, page=page)
    shown = render_template(
        "reports/journal.html",
        entries=entries,
        total=total,
        start=start,
        end=end,
        refused=dates.refused,
        text=text,
        page=page,
        pages=page_count(total, ENTRIES_PER_PAGE),
    )
    return (shown, 400) if dates.refused else shown


@bp.route("/accounts/<int:account_id>")
@allow(*BOOK_READERS)
def account_screen(account_id: int) -> str:
    """One account's general ledger: opening, each posting with its running balance, closing."""
    session = get_session()
    chosen = session.get(Account, account_id) or abort(404)
    start, end = date_argument("from"), date_argument("to")
    if start is not None and end is not None and start > end:
        abort(400, description=f"the period starts ({start}) after it ends ({end})")
    names = DimensionNames(session)
    return render_template(
        "reports/account.html",
        account=chosen,
        account_words=names.account(chosen),
        report=account_postings(session, chosen, start=start, end=end),
        start=start,
        end=end,
    )


@bp.route("/entries/<int:entry_id>")
@allow(*BOOK_READERS)
def entry_screen(entry_id: int) -> str:
    """One journal entry: its facts, every posting with its account in words, and its source."""
    session = get_session()
    entry = session.get(JournalEntry, entry_id)
    if entry is None or entry.status != "posted":
        abort(404)
    return render_template(
        "reports/entry.html", shown=entry_on_screen(session, entry, DimensionNames(session))
    )
