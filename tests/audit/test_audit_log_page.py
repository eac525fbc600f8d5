"""The audit log page: plain words, filters, pages that never end empty, and the CSV export."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from flask.testing import FlaskClient
from sqlalchemy import func, select

from fund.audit.log import LogFilter, log_page
from fund.audit.models import AuditEvent
from fund.audit.services import record
from fund.db import utcnow
from fund.display import display_date

if TYPE_CHECKING:
    from tests.conftest import People


def test_the_log_reads_in_words_with_money_formatted_and_filters(
    client: FlaskClient, users: People, login: Callable[..., Any]
) -> None:
    s = users.session
    record(
        s,
        actor=users.admin,
        action="brands.contribution_recorded",
        object_type="contribution",
        object_id=7,
        after={"amount": 600_000_000, "currency": "BDT", "brand": "NORD"},
    )
    s.flush()
    login(client, "auditor")
    page = client.get("/audit/").get_data(as_text=True)
    assert "Recorded a brand&#39;s contribution" in page
    assert "amount: 6,000,000.00 BDT" in page
    assert "600000000" not in page
    only = client.get("/audit/?what=brands").get_data(as_text=True)
    assert "Recorded a brand&#39;s contribution" in only
    assert "Signed in" not in only
    by_auditor = client.get("/audit/?who=auditor").get_data(as_text=True)
    assert "Signed in" in by_auditor
    assert "contribution" not in by_auditor.split("<tbody>")[1]
    assert client.get("/audit/?since=31/12/2026").status_code == 400


def rows(page: str) -> str:
    """The log's table body: the events shown."""
    return page.split("<tbody>")[1].split("</tbody>")[0]


def test_the_log_dates_read_the_display_format_as_iso(
    client: FlaskClient, users: People, login: Callable[..., Any]
) -> None:
    login(client, "auditor")
    today = utcnow().date()
    yesterday = today - timedelta(days=1)
    shown = client.get(f"/audit/?since={display_date(today)}&until={display_date(today)}")
    iso = client.get(f"/audit/?since={today.isoformat()}&until={today.isoformat()}")
    assert shown.status_code == iso.status_code == 200
    page = shown.get_data(as_text=True)
    assert rows(page) == rows(iso.get_data(as_text=True))
    assert "Signed in" in rows(page)  # the sign-in just now
    assert f'value="{display_date(today)}"' in page
    # the dates count: nothing of today is shown up to yesterday
    before = client.get(f"/audit/?until={display_date(yesterday)}").get_data(as_text=True)
    assert "No event matches." in rows(before)


def test_a_log_date_not_understood_is_named_on_the_page(
    client: FlaskClient, users: People, login: Callable[..., Any]
) -> None:
    login(client, "auditor")
    tomorrow = utcnow().date() + timedelta(days=1)
    answer = client.get(f"/audit/?since=31/12/2026&until={display_date(tomorrow)}&what=auth")
    assert answer.status_code == 400
    assert answer.mimetype == "text/html"
    page = answer.get_data(as_text=True)
    assert "From: Write the date as 2 Dec 2026." in page
    assert "To: Write the date as 2 Dec 2026." not in page
    assert 'value="31/12/2026"' in page  # what was typed, to correct
    assert f'value="{display_date(tomorrow)}"' in page  # understood, kept
    assert 'aria-invalid="true"' in page
    # the other filters still apply, the date not understood filters nothing
    assert rows(page) == rows(
        client.get(f"/audit/?until={tomorrow.isoformat()}&what=auth").get_data(as_text=True)
    )
    assert "31/12/2026" not in "".join(re.findall(r'href="[^"]*"', page))
    # the CSV is a file for machines: a date it cannot read is a plain 400
    assert client.get("/audit/audit.csv?since=31/12/2026").status_code == 400


def test_older_is_offered_only_when_older_events_exist(users: People) -> None:
    s = users.session
    for n in range(5):
        record(s, actor=None, action="user.create", object_type="user", object_id=100 + n)
    s.flush()
    wanted = LogFilter(what="user.create")
    total = s.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "user.create"))
    assert total is not None
    seen: list[int] = []
    before = None
    while True:
        page = log_page(s, wanted, before=before, size=2)
        assert page.events  # a page reached through "Older" is never empty
        seen += [event.id for event in page.events]
        if page.older_than is None:
            break
        before = page.older_than
    assert len(seen) == len(set(seen)) == total
    assert seen == sorted(seen, reverse=True)


def test_the_csv_export_is_headed_and_neutralised(
    client: FlaskClient, users: People, login: Callable[..., Any]
) -> None:
    s = users.session
    record(
        s,
        actor=users.admin,
        action="claims.file",
        object_type="claim",
        object_id=1,
        after={"=HYPERLINK(1)": "x"},
    )
    s.flush()
    login(client, "admin")
    response = client.get("/audit/audit.csv?what=claims")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["Worker Fund audit log"]
    assert rows[1][0].startswith("Period: ")
    assert rows[2] == ["Filters: what claims"]
    assert rows[3][0].startswith("As of: ")
    header, body = rows[4], rows[5:]
    assert header[:5] == ["id", "when (UTC)", "who", "action", "what"]
    assert [row[3] for row in body] == ["claims.file"]
    assert body[0][6] == "'=HYPERLINK(1): x"  # a formula-like cell is quoted
    login(client, "officer")
    assert client.get("/audit/audit.csv").status_code == 403
