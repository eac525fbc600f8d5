"""Date inputs accept the one display format (``2 Dec 2026``) and ISO, show the former, hint it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict
from wtforms import Form
from wtforms.validators import DataRequired, Optional

from fund.date_input import DisplayDateField
from fund.display import DateNotUnderstood, display_date, parse_display_date

if TYPE_CHECKING:
    from tests.conftest import People


class EventDates(Form):
    """As the event form has them: a required start, an optional end."""

    start = DisplayDateField("Start", validators=[DataRequired()])
    end = DisplayDateField("End", validators=[Optional()])


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("2 Dec 2026", date(2026, 12, 2)),
        ("02 dec 2026", date(2026, 12, 2)),
        ("2 December 2026", date(2026, 12, 2)),
        ("  29  Feb  2028 ", date(2028, 2, 29)),
        ("1 Sept 2026", date(2026, 9, 1)),
        ("2026-12-02", date(2026, 12, 2)),
    ],
)
def test_the_display_format_and_iso_are_read(typed: str, day: date) -> None:
    assert parse_display_date(typed) == day


@pytest.mark.parametrize("typed", ["02/12/2026", "12/02/2026", "31 Feb 2026", "2 Dex 2026", ""])
def test_an_ambiguous_or_impossible_date_is_refused_not_guessed(typed: str) -> None:
    with pytest.raises(DateNotUnderstood):
        parse_display_date(typed)


def test_every_displayed_date_reads_back() -> None:
    day = date(2026, 1, 1)
    while day.year == 2026:
        assert parse_display_date(display_date(day)) == day
        day = date.fromordinal(day.toordinal() + 1)


def test_the_field_shows_the_display_format_with_a_hint_and_refuses_others(app: Flask) -> None:
    with app.test_request_context():
        form = EventDates(MultiDict({"start": "1 May 2025", "end": "2025-05-30"}))
        assert form.validate()
        assert form.start.data == date(2025, 5, 1)
        assert form.end.data == date(2025, 5, 30)
        html = str(form.start())
        assert 'type="text"' in html
        assert 'value="1 May 2025"' in html
        assert 'placeholder="2 Dec 2026"' in html
        assert "2 Dec 2026" in str(form.start.description)
        typed = EventDates(MultiDict({"start": "05/01/2025"}))
        assert not typed.validate()
        assert typed.start.errors == ["Write the date as 2 Dec 2026."]  # not also "required"
        assert 'value="05/01/2025"' in str(typed.start())  # kept, to correct


def test_a_refused_form_opens_with_a_summary_linking_each_field(
    client: FlaskClient,
    login: Callable[..., Any],
    form_token: Callable[[FlaskClient, str], str],
    users: People,
) -> None:
    login(client, "officer")
    page = client.post(
        "/events/new",
        data={
            "csrf_token": form_token(client, "/events/new"),
            "factory": "DHK-1",
            "kind": "suspension",
            "start": "03/01/2024",  # 3 January or 1 March: refused, not guessed
            "end": "30 March 2024",
            "reference": "Panel 2024/17",
            "policy": "alliance-wage-replacement",
        },
    ).get_data(as_text=True)
    summary = page[
        page.index('class="error-summary') : page.index(
            "</div>", page.index('class="error-summary')
        )
    ]
    assert '<a class="alert-link" href="#start">' in summary
    assert "Write the date as 2 Dec 2026." in summary
    assert 'href="#end"' not in summary  # the end was understood
    assert 'value="30 Mar 2024"' in page  # shown back in the display format
    assert 'value="03/01/2024"' in page  # what was typed, to correct
    assert 'aria-describedby="start-error start-hint"' in page


def test_list_filters_take_the_display_format_too(
    client: FlaskClient, login: Callable[..., Any], users: People
) -> None:
    login(client, "admin")
    page = client.get("/audit/?since=1+Dec+2026&until=2026-12-31").get_data(as_text=True)
    assert 'value="1 Dec 2026"' in page
    assert 'value="31 Dec 2026"' in page  # ISO read, shown as the pages show dates
    assert 'type="date"' not in page
    assert client.get("/audit/?since=12/01/2026").status_code == 400
    journal = client.get("/ledger/journal?from=1+Jan+2026&to=31+Jan+2026")
    assert journal.status_code == 200
    assert 'value="1 Jan 2026"' in journal.get_data(as_text=True)
