"""Hostile input: the API fuzzed from its own OpenAPI document, random files at every roll
upload, and the attacks a fund must turn away (traversal, oversize, escalation, IDOR).

Every answer is a documented status with the error shape, never a 500 or a traceback, and a
refused request stores nothing.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from fund import create_app
from fund.audit.models import AuditEvent
from fund.auth.models import User
from fund.auth.roles import Role
from fund.brands.models import Pledge
from fund.rolls.models import Roll, RollWorker
from tests.conftest import BrowserLikeClient, csrf_token_from
from tests.imports.roll_builders import xlsx
from tests.rolls.roll_files import roll_csv

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from tests.conftest import People

API = "/api/v1"
FUZZ = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def _count(people: People, model: type) -> int:
    people.session.expire_all()
    return people.session.scalar(select(func.count()).select_from(model)) or 0


# --- schemathesis over /api/v1/openapi.json -------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("role", [Role.ADMIN, Role.BRAND], ids=str)
def test_the_api_answers_every_generated_request_as_documented(
    app: Flask, users: People, api_token: Callable[[User], str], role: Role
) -> None:
    schema = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", app)
    headers = {"Authorization": f"Bearer {api_token(users.by_role[role])}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10  # the whole document, not an empty one

    for operation in operations:

        @given(case=operation.as_strategy())
        @FUZZ
        def answers_as_documented(case: Any) -> None:
            response = case.call(headers=headers)
            assert response.status_code < 500, (case.method, case.formatted_path, response.text)
            # Bytes, not text: a workbook or PDF download is not UTF-8.
            assert b"Traceback" not in response.content
            case.validate_response(response, headers=headers)

        answers_as_documented()


# --- random and broken files at the roll uploads --------------------------------------------


def _broken_xlsx(cut: int) -> bytes:
    good = xlsx(
        [
            ["Card No", "Worker Name", "NID", "DOJ", "Basic Salary"],
            ["W1", "A", "1990000000001", "01/03/2019", "1000"],
        ]
    )
    return good[: max(1, cut % len(good))]


def _zip_of(name: str, payload: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, payload)
    return out.getvalue()


hostile_files = st.one_of(
    st.binary(max_size=2048).map(lambda data: ("roll.xlsx", data)),
    st.binary(max_size=2048).map(lambda data: ("roll.csv", data)),
    st.integers(min_value=1, max_value=10_000).map(lambda cut: ("roll.xlsx", _broken_xlsx(cut))),
    st.tuples(st.integers(0, 400), st.binary(min_size=1, max_size=8)).map(
        lambda edit: ("roll.csv", _flip(roll_csv(4), *edit))
    ),
    st.text(max_size=300).map(lambda text: ("roll.csv", text.encode("utf-8", "surrogatepass"))),
    st.sampled_from(
        [
            ("roll.xlsx", _zip_of("[Content_Types].xml", b"<" * 5000)),
            ("roll.xlsx", _zip_of("xl/workbook.xml", b"\0" * 2_000_000)),  # compresses 1000:1
            ("roll.csv", b'=HYPERLINK("http://x","y"),1,2\r\n' * 20),
            ("../../etc/passwd", roll_csv(2)),
            ("roll.exe", b"MZ\x90\x00"),
        ]
    ),
)


def _flip(data: bytes, position: int, junk: bytes) -> bytes:
    position %= len(data)
    return data[:position] + junk + data[position + len(junk) :]


@pytest.mark.slow
def test_random_files_at_the_api_upload_never_500_and_store_nothing_unless_valid(
    client: FlaskClient, users: People, api_token: Callable[[User], str]
) -> None:
    headers = {"Authorization": f"Bearer {api_token(users.by_role[Role.OFFICER])}"}
    rolls_before = _count(users, Roll)

    @given(upload=hostile_files)
    @FUZZ
    def upload_is_refused_cleanly(upload: tuple[str, bytes]) -> None:
        filename, data = upload
        response = client.post(
            f"{API}/factories/DHK-1/rolls",
            data={"as_of": "2025-03-31", "file": (io.BytesIO(data), filename)},
            headers=headers,
            content_type="multipart/form-data",
        )
        assert response.status_code in (201, 400, 409, 422), response.get_data(as_text=True)
        assert response.json is not None
        if response.status_code != 201:
            assert _count(users, Roll) == rolls_before + stored[0]
        else:
            stored[0] += 1

    stored = [0]
    upload_is_refused_cleanly()
    assert _count(users, Roll) == rolls_before + stored[0]


@pytest.fixture
def web(connection: Connection, tmp_path: Path) -> Flask:
    """The app with CSRF on, and uploads in the test's own folder."""
    app = create_app(
        {
            "DB_BIND": connection,
            "SECRET_KEY": "t",
            "TESTING": True,
            "SERVER_NAME": "localhost",
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        }
    )
    app.test_client_class = BrowserLikeClient
    return app


def _signed_in(web: Flask, users: People, login: Callable[..., Any], username: str) -> FlaskClient:
    client = web.test_client()
    response = login(client, username)
    assert response.status_code == 302
    return client


@pytest.mark.slow
def test_random_files_at_the_web_upload_never_500_and_store_nothing(
    web: Flask, users: People, login: Callable[..., Any]
) -> None:
    client = _signed_in(web, users, login, "officer")
    page = client.get("/factories/DHK-1/rolls")
    token = csrf_token_from(page.get_data(as_text=True))
    rolls_before = _count(users, Roll)

    @given(upload=hostile_files, as_of=st.sampled_from(["2025-03-31", "", "31/31/2025", "x" * 300]))
    @FUZZ
    def check_page_is_clean(upload: tuple[str, bytes], as_of: str) -> None:
        filename, data = upload
        response = client.post(
            "/factories/DHK-1/rolls/check",
            data={"csrf_token": token, "as_of": as_of, "file": (io.BytesIO(data), filename)},
            content_type="multipart/form-data",
        )
        assert response.status_code in (200, 400, 422), response.status_code
        assert "Traceback" not in response.get_data(as_text=True)

    check_page_is_clean()
    assert _count(users, Roll) == rolls_before


def test_a_confirm_with_an_impossible_date_is_refused_not_a_500(
    web: Flask, users: People, login: Callable[..., Any]
) -> None:
    client = _signed_in(web, users, login, "officer")
    token = csrf_token_from(client.get("/factories/DHK-1/rolls").get_data(as_text=True))
    checked = client.post(
        "/factories/DHK-1/rolls/check",
        data={
            "csrf_token": token,
            "as_of": "2025-03-31",
            "file": (io.BytesIO(roll_csv(3)), "roll.csv"),
        },
        content_type="multipart/form-data",
    )
    assert checked.status_code == 200
    digest = hashlib.sha256(roll_csv(3)).hexdigest()  # uploads are named by their SHA-256
    for as_of in ("2025-13-45", "0000-00-00"):
        response = client.post(
            "/factories/DHK-1/rolls/confirm",
            data={"csrf_token": token, "sha256": digest, "filename": "roll.csv", "as_of": as_of},
        )
        assert response.status_code == 400, as_of
    assert _count(users, Roll) == 0
    assert _count(users, RollWorker) == 0


# --- traversal, oversize, escalation, IDOR -------------------------------------------------


TRAVERSALS = [
    "/factories/DHK-1/rolls/uploads/..%2F..%2Fsecret_key/report.xlsx?as_of=2025-03-31",
    "/factories/DHK-1/rolls/uploads/../../secret_key/report.xlsx?as_of=2025-03-31",
    "/factories/DHK-1/rolls/uploads/%2E%2E/report.xlsx?as_of=2025-03-31",
    "/factories/DHK-1/rolls/uploads/" + "0" * 63 + "%2F/report.xlsx?as_of=2025-03-31",
    "/factories/..%2F..%2Finstance/rolls/uploads/" + "0" * 64 + "/report.xlsx?as_of=2025-03-31",
    "/events/1/entitlements.%2E%2E%2Fsecret_key",
    "/events/1/entitlements.csv%00.xlsx",
    "/ledger/export/..%2F..%2Fsecret_key.xlsx",
    "/ledger/export.xlsx?kind=../../secret_key",
    "/brands/..%2FHAVEN/statement.xlsx",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_download_routes_refuse_paths_outside_their_files(
    web: Flask, users: People, login: Callable[..., Any], path: str, tmp_path: Path
) -> None:
    secret = "do-not-serve-this"
    (tmp_path / "secret_key").write_text(secret)
    (tmp_path / "uploads" / "rolls").mkdir(parents=True)
    client = _signed_in(web, users, login, "admin")
    response = client.get(path, follow_redirects=True)  # merged slashes redirect within the site
    assert response.status_code in (400, 404, 405), (path, response.status_code)
    assert secret.encode() not in response.data


def test_the_error_report_download_names_its_file_safely(
    web: Flask, users: People, login: Callable[..., Any]
) -> None:
    client = _signed_in(web, users, login, "officer")
    token = csrf_token_from(client.get("/factories/DHK-1/rolls").get_data(as_text=True))
    checked = client.post(
        "/factories/DHK-1/rolls/check",
        data={
            "csrf_token": token,
            "as_of": "2025-03-31",
            "file": (io.BytesIO(roll_csv(3, bad_nid_row=2)), "r.csv"),
        },
        content_type="multipart/form-data",
    )
    assert checked.status_code == 422
    digest = hashlib.sha256(roll_csv(3, bad_nid_row=2)).hexdigest()
    response = client.get(
        f"/factories/DHK-1/rolls/uploads/{digest}/report.xlsx",
        query_string={"as_of": "2025-03-31", "filename": "../../../etc/passwd\r\nX-Evil: 1.csv"},
    )
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert ".." not in disposition
    assert "/" not in disposition
    assert "\n" not in disposition
    assert "X-Evil" not in response.headers


def test_an_oversized_request_is_a_clear_413_that_stores_nothing(
    web: Flask,
    client: FlaskClient,
    users: People,
    login: Callable[..., Any],
    api_token: Callable[[User], str],
) -> None:
    limit = web.config["MAX_CONTENT_LENGTH"]
    body = b"0" * (limit + 1)
    headers = {"Authorization": f"Bearer {api_token(users.by_role[Role.OFFICER])}"}
    api = client.post(
        f"{API}/factories/DHK-1/rolls",
        data={"as_of": "2025-03-31", "file": (io.BytesIO(body), "big.csv")},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert api.status_code == 413
    assert api.json is not None
    assert "MB" in api.json["errors"][0]["message"]
    officer = _signed_in(web, users, login, "officer")
    page = officer.post(
        "/factories/DHK-1/rolls/check",
        data={"csrf_token": "x", "as_of": "2025-03-31", "file": (io.BytesIO(body), "big.csv")},
        content_type="multipart/form-data",
    )
    assert page.status_code == 413
    text = page.get_data(as_text=True)
    assert "MB" in text
    assert "Traceback" not in text
    assert _count(users, Roll) == 0


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN], ids=str)
def test_no_one_but_an_admin_can_add_a_user_even_with_a_valid_form(
    web: Flask, users: People, login: Callable[..., Any], role: Role
) -> None:
    client = _signed_in(web, users, login, users.by_role[role].username)
    token = csrf_token_from(client.get("/account/password").get_data(as_text=True))
    users_before = _count(users, User)
    events_before = _count(users, AuditEvent)
    response = client.post(
        "/users",
        data={"csrf_token": token, "username": "mallory", "role": "admin", "display_name": "M"},
    )
    assert response.status_code == 403
    assert _count(users, User) == users_before
    assert _count(users, AuditEvent) == events_before


def test_a_brand_token_reaches_no_other_brand_by_code_or_id(
    client: FlaskClient, users: People, api_token: Callable[[User], str]
) -> None:
    nord = {"Authorization": f"Bearer {api_token(users.nord)}"}
    for path in (f"{API}/brands/HAVEN", f"{API}/brands/HAVEN/statement", f"{API}/brands/haven"):
        response = client.get(path, headers=nord)
        assert response.status_code in (403, 404), path
        assert b"Haven" not in response.data
    listed = client.get(f"{API}/brands", headers=nord).json
    assert listed is not None
    assert [item["code"] for item in listed["items"]] == ["NORD"]
    pledge = {
        "reference": "P-X",
        "amount": "10.00",
        "currency": "USD",
        "pledged_on": "2026-01-05",
        "due_date": "2026-06-30",
    }
    for path in (f"{API}/brands/HAVEN/pledges", f"{API}/brands/NORD/pledges"):
        assert client.post(path, json=pledge, headers=nord).status_code == 403
    assert _count(users, Pledge) == 0
    # Ids of staff objects (rolls, entitlements, factories) are closed to brand tokens.
    for path in (
        f"{API}/rolls/1",
        f"{API}/entitlements/1",
        f"{API}/factories/DHK-1",
        f"{API}/events/1/entitlements",
    ):
        assert client.get(path, headers=nord).status_code == 403, path


HUGE = str(10**20)
BEYOND_INT4 = str(2**31)  # SQLAlchemy binds integer ids as ::INTEGER on PostgreSQL
NUMBER_ARGUMENTS = [
    f"/audit/?before={BEYOND_INT4}",
    f"/rolls/{BEYOND_INT4}",
    f"{API}/rolls/{BEYOND_INT4}",
    f"{API}/entitlements/{BEYOND_INT4}",
    f"/audit/?before={HUGE}",
    f"/rolls/1?page={HUGE}",
    f"/events/1?page={HUGE}",
    f"/events/1?run={HUGE}",
    f"/events/1/entitlements.csv?run={HUGE}",
    f"/rolls/{HUGE}",
    f"/events/{HUGE}",
    f"{API}/rolls/{HUGE}",
    f"{API}/factories?page={HUGE}",
    # "²".isdigit() is true but int("²") fails: these were 500s.
    "/batches/?event=²",
    f"{API}/batches?event_id=²",
    "/ledger/export/account-statement.xlsx?account=²",
    f"/ledger/export/account-statement.xlsx?account={HUGE}",
]


@pytest.mark.parametrize("path", NUMBER_ARGUMENTS)
def test_numbers_beyond_any_id_are_refused_not_a_500(
    web: Flask,
    users: People,
    login: Callable[..., Any],
    api_token: Callable[[User], str],
    path: str,
) -> None:
    client = _signed_in(web, users, login, "admin")
    headers = {"Authorization": f"Bearer {api_token(users.admin)}"}
    response = client.get(path, headers=headers if path.startswith(API) else {})
    assert response.status_code in (400, 404, 422), (path, response.status_code)
    assert "Traceback" not in response.get_data(as_text=True)
