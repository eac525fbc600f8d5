"""Brand pages: the statement (web, PDF, XLSX), all brands side by side, recording money.

A brand user sees its own brand only: any other code answers 404, like a brand that does not
exist, on the page and on every download.
"""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse
from wtforms import Field
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]

from fund.arguments import DateFilters, date_argument, date_filters
from fund.auth.access import allow, allowed_user
from fund.auth.roles import STAFF, STAFF_AND_BRANDS
from fund.brands.forms import NO_PLEDGE, ContributionForm, PledgeForm
from fund.brands.fund_use_events import country_name, helped
from fund.brands.models import Brand, Pledge
from fund.brands.services import (
    CASH_RECORDERS,
    PLEDGE_RECORDERS,
    BrandNotFound,
    BrandRecordRefused,
    PeriodInvalid,
    brand_for,
    first_entry_date,
    record_contribution,
    record_pledge,
    statement_months,
    statement_pdf_file,
    statement_period,
    statement_xlsx_file,
    visible_brands,
)
from fund.brands.statement import BrandStatement, brand_statement
from fund.db import get_session, utcnow
from fund.jobs.large_files import LargeFile, date_fields, offer, posted_choice, prepare
from fund.reports.services import fund_charts
from ledger.money import MoneyError, to_minor

bp = Blueprint("brands", __name__, url_prefix="/brands")


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The statement's downloadable formats.
STATEMENT_FORMATS = ("pdf", "xlsx")


def _period(
    filters: DateFilters | None = None, *, posted: bool = False
) -> tuple[date | None, date]:
    """``?from=&to=`` (``posted``: a POST's fields) as dates (no ``to``: today). A download
    answers a bad date with a 400 naming it; a page passes its ``filters``, which leave a bad
    date out for the page to say."""
    start, end = (
        (filters.get("from"), filters.get("to"))
        if filters is not None
        else (date_argument("from", posted=posted), date_argument("to", posted=posted))
    )
    try:
        return statement_period(
            start, end, today=utcnow().date(), first=first_entry_date(get_session())
        )
    except PeriodInvalid as invalid:
        abort(400, description=str(invalid))


def _period_filters() -> DateFilters:
    return date_filters("from", "to")


def _refused(page: str, filters: DateFilters) -> str | tuple[str, int]:
    """A page whose period had a date not understood answers 400, the message beside it."""
    return (page, 400) if filters.refused else page


def _visible(code: str) -> Brand:
    try:
        return brand_for(get_session(), user=allowed_user(), code=code)
    except BrandNotFound:
        abort(404)


def _statement(code: str, filters: DateFilters | None = None) -> BrandStatement:
    brand = _visible(code)
    start, end = _period(filters)
    return brand_statement(get_session(), brand=brand, start=start, end=end)


@bp.route("/")
@allow(STAFF)
def index() -> str | tuple[str, int]:
    session = get_session()
    filters = _period_filters()
    start, end = _period(filters)
    statements = [
        brand_statement(session, brand=brand, start=start, end=end)
        for brand in visible_brands(session, user=allowed_user())
    ]
    charts = [c for c in fund_charts(session, end=end) if "by brand" in c.title]
    page = render_template(
        "brands/index.html",
        statements=statements,
        start=start,
        end=end,
        refused=filters.refused,
        charts=charts,
    )
    return _refused(page, filters)


@bp.route("/<code>")
@allow(STAFF_AND_BRANDS)
def detail(code: str) -> str | tuple[str, int]:
    filters = _period_filters()
    return _refused(_detail_page(code, filters=filters), filters)


def _detail_page(
    code: str,
    *,
    filters: DateFilters | None = None,
    pledge_form: PledgeForm | None = None,
    contribution_form: ContributionForm | None = None,
) -> str:
    """The brand's page; a form given here was refused and is shown again as the user filled it."""
    filters = filters or _period_filters()
    statement = _statement(code, filters)
    user = allowed_user()
    session = get_session()
    brand = _visible(code)
    if pledge_form is None and user.role_enum in PLEDGE_RECORDERS:
        pledge_form = PledgeForm(formdata=None)
    if contribution_form is None and user.role_enum in CASH_RECORDERS:
        contribution_form = ContributionForm(formdata=None)
        contribution_form.pledge.choices = _pledge_choices(brand)
    charts = fund_charts(session, end=statement.end, with_brands=False)
    reached = helped(session, statement)
    return render_template(
        "brands/detail.html",
        brand=brand,
        country=country_name(brand.country),
        statement=statement,
        events=reached.events,
        workers_helped=reached.workers,
        charts=charts,
        pledge_form=pledge_form,
        contribution_form=contribution_form,
        filters=filters,
        # the downloads carry the dates understood, in ISO (read as the display format is)
        query={name: day.isoformat() for name, day in filters.dates.items() if day},
    )


def _pledge_choices(brand: Brand) -> list[SelectChoice]:
    pledges = get_session().scalars(select(Pledge).where(Pledge.brand_id == brand.id))
    return [NO_PLEDGE] + [SelectChoice(str(p.id), f"{p.reference} ({p.currency})") for p in pledges]


def _statement_file(brand: Brand, file_format: str, start: date | None, end: date) -> LargeFile:
    """The brand's statement of the period as a job writes it (two steps: figures, file)."""
    return LargeFile(
        kind=f"brand-statement-{file_format}",
        params={
            "brand": brand.code,
            "start": start.isoformat() if start else None,
            "end": end.isoformat(),
            "format": file_format,
        },
        title=_("%(brand)s statement to %(end)s", brand=brand.code, end=end),
        result_name=f"{brand.code}-statement.{file_format}",
        total=2,
    )


def _long_statement(code: str, file_format: str) -> str | None:
    """A statement over more than ``BACKGROUND_STATEMENT_MONTHS``: the page whose button asks
    for it in the background (this GET starts nothing); None for a file sent at once."""
    brand = _visible(code)
    start, end = _period()
    months = statement_months(get_session(), start=start, end=end)
    if months <= current_app.config["BACKGROUND_STATEMENT_MONTHS"]:
        return None
    return offer(
        _statement_file(brand, file_format, start, end),
        size=ngettext("%(count)s month", "%(count)s months", months, count=f"{months:,}"),
        action=url_for("brands.prepare_statement", code=brand.code),
        fields={"format": file_format} | date_fields({"from": start, "to": end}),
    )


@bp.route("/<code>/statement/prepare", methods=["POST"])
@allow(STAFF_AND_BRANDS)
def prepare_statement(code: str) -> BaseResponse:
    """The long statement page's button: the statement (PDF or XLSX) written by a job."""
    brand = _visible(code)
    file_format = posted_choice("format", STATEMENT_FORMATS)
    start, end = _period(posted=True)
    return prepare(_statement_file(brand, file_format, start, end))


@bp.route("/<code>/statement.pdf")
@allow(STAFF_AND_BRANDS)
def statement_pdf_download(code: str) -> BaseResponse | str:
    if (later := _long_statement(code, "pdf")) is not None:
        return later
    statement = _statement(code)
    return Response(
        statement_pdf_file(get_session(), statement),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{code}-statement.pdf"'},
    )


@bp.route("/<code>/statement.xlsx")
@allow(STAFF_AND_BRANDS)
def statement_xlsx_download(code: str) -> BaseResponse | str:
    if (later := _long_statement(code, "xlsx")) is not None:
        return later
    statement = _statement(code)
    return Response(
        statement_xlsx_file(get_session(), statement),
        mimetype=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{code}-statement.xlsx"'},
    )


TOO_MANY_DECIMALS = _l("More than two decimal places: give the amount in taka or dollars.")


def _amount(form: PledgeForm | ContributionForm) -> int | None:
    """The form's amount in minor units; None, with the reason on the field, if it has not."""
    try:
        return to_minor(str(form.amount.data), form.currency.data)
    except MoneyError:
        form.amount.errors = [*form.amount.errors, TOO_MANY_DECIMALS]
        return None


def _refused_record(field: Field, message: str) -> None:
    """Show why the service refused the record under the field it is about."""
    field.errors = [*field.errors, message]


@bp.route("/<code>/pledges", methods=["POST"])
@allow(*PLEDGE_RECORDERS)
def add_pledge(code: str) -> BaseResponse | tuple[str, int]:
    brand = _visible(code)
    form = PledgeForm()
    if not form.validate_on_submit():
        return _detail_page(code, pledge_form=form), 400
    amount = _amount(form)
    if amount is None:
        return _detail_page(code, pledge_form=form), 400
    try:
        pledge = record_pledge(
            get_session(),
            brand=brand,
            reference=form.reference.data or "",
            amount=amount,
            currency=form.currency.data,
            pledged_on=_required(form.pledged_on.data),
            due_date=_required(form.due_date.data),
            actor=allowed_user(),
        )
    except BrandRecordRefused as refused:
        _refused_record(form.reference, _("Pledge not recorded: %(reason)s", reason=refused))
        return _detail_page(code, pledge_form=form), 400
    flash(_("Pledge %(pledge)s recorded.", pledge=pledge.reference), "success")
    return redirect(url_for("brands.detail", code=code))


@bp.route("/<code>/contributions", methods=["POST"])
@allow(*CASH_RECORDERS)
def add_contribution(code: str) -> BaseResponse | tuple[str, int]:
    session = get_session()
    brand = _visible(code)
    form = ContributionForm()
    form.pledge.choices = _pledge_choices(brand)
    if not form.validate_on_submit():
        return _detail_page(code, contribution_form=form), 400
    amount = _amount(form)
    if amount is None:
        return _detail_page(code, contribution_form=form), 400
    pledge = session.get(Pledge, int(form.pledge.data)) if form.pledge.data else None
    try:
        contribution = record_contribution(
            session,
            brand=brand,
            bank_reference=form.bank_reference.data or "",
            amount=amount,
            currency=form.currency.data,
            value_date=_required(form.value_date.data),
            pledge=pledge,
            actor=allowed_user(),
        )
    except BrandRecordRefused as refused:
        _refused_record(form.bank_reference, _("Payment not recorded: %(reason)s", reason=refused))
        return _detail_page(code, contribution_form=form), 400
    flash(_("Payment %(payment)s recorded.", payment=contribution.bank_reference), "success")
    return redirect(url_for("brands.detail", code=code))


def _required(day: date | None) -> date:
    assert day is not None  # DataRequired passed
    return day
