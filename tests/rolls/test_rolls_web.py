"""Roll pages: upload, inline problems, error report, confirm; masking; brands kept out."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from fund import create_app
from fund.auth.roles import Role
from fund.rolls.models import Roll, RollWorker
from fund.rolls.services import import_roll

from .roll_files import AS_OF, roll_csv

if TYPE_CHECKING:
    from tests.conftest import People


@pytest.fixture
def web(connection: Connection, tmp_path: Path) -> Flask:
    return create_app(
        {
            "DB_BIND": connection,
            "SECRET_KEY": "t",
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        }
    )


def signed_in(web: Flask, users: People, role: Role) -> FlaskClient:
    client = web.test_client()
    response = client.post(
        "/login", data={"username": users.by_role[role].username, "password": users.password}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def upload(client: FlaskClient, data: bytes, name: str = "march.csv") -> tuple[int, str]:
    response = client.post(
        "/factories/DHK-1/rolls/check",
        data={"file": (io.BytesIO(data), name), "as_of": AS_OF.isoformat()},
        content_type="multipart/form-data",
    )
    return response.status_code, response.get_data(as_text=True)


def test_upload_shows_errors_inline_and_offers_the_report(
    web: Flask, users: People, session: Session
) -> None:
    client = signed_in(web, users, Role.OFFICER)
    status, page = upload(client, roll_csv(3, bad_nid_row=2))
    assert status == 422
    assert "NID &#39;12345&#39; is not a national ID" in page
    assert "Store as the next roll version" not in page
    start = page.index("/factories/DHK-1/rolls/uploads/")
    link = page[start : page.index('"', start)].replace("&amp;", "&")
    report = client.get(link)
    assert report.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(report.data))
    assert book["Problems"]["A2"].value == 4
    assert session.scalar(select(func.count()).select_from(Roll)) == 0


def test_upload_check_confirm_then_see_the_roll(
    web: Flask, users: People, session: Session, tmp_path: Path
) -> None:
    client = signed_in(web, users, Role.OFFICER)
    status, page = upload(client, roll_csv(3))
    assert status == 200
    assert "Store as the next roll version (3 workers)" in page
    assert session.scalar(select(func.count()).select_from(Roll)) == 0  # not before confirming
    digest = page.split('name="sha256" type="hidden" value="')[1][:64]
    assert (tmp_path / "uploads" / "rolls" / f"{digest}.upload").is_file()
    response = client.post(
        "/factories/DHK-1/rolls/confirm",
        data={"sha256": digest, "filename": "march.csv", "as_of": AS_OF.isoformat()},
    )
    assert response.status_code == 302
    roll = session.scalars(select(Roll)).one()
    assert response.headers["Location"].endswith(f"/rolls/{roll.id}")
    assert session.scalar(select(func.count()).where(RollWorker.roll_id == roll.id)) == 3
    page = client.get(f"/rolls/{roll.id}").get_data(as_text=True)
    assert "শ্রমিক 1" in page
    assert "1990000000001" in page
    assert "12,500.00" in page
    listing = client.get("/factories/DHK-1/rolls").get_data(as_text=True)
    assert f'href="/rolls/{roll.id}">1</a> (current)' in listing
    assert "march.csv" in listing


@pytest.mark.parametrize(
    ("role", "sees_full"),
    [
        (Role.ADMIN, True),
        (Role.OFFICER, True),
        (Role.AUDITOR, True),
        (Role.APPROVER, False),
        (Role.ACCOUNTANT, False),
    ],
)
def test_national_ids_are_masked_for_roles_that_do_not_need_them(
    web: Flask, users: People, session: Session, role: Role, sees_full: bool
) -> None:
    roll = import_roll(
        session,
        factory=users.factories["DHK-1"],
        source=roll_csv(1),
        filename="a.csv",
        as_of=AS_OF,
        actor=None,
    )
    page = signed_in(web, users, role).get(f"/rolls/{roll.id}").get_data(as_text=True)
    assert ("1990000000001" in page) is sees_full
    assert "•••••••••0001" in page or sees_full


def test_auditor_reads_but_cannot_upload(web: Flask, users: People) -> None:
    client = signed_in(web, users, Role.AUDITOR)
    page = client.get("/factories/DHK-1/rolls")
    assert page.status_code == 200
    assert "Check the file" not in page.get_data(as_text=True)
    assert upload(client, roll_csv(1))[0] == 403


def test_brand_users_get_403_on_every_roll_page(
    web: Flask, users: People, session: Session
) -> None:
    roll = import_roll(
        session,
        factory=users.factories["DHK-1"],
        source=roll_csv(1),
        filename="a.csv",
        as_of=AS_OF,
        actor=None,
    )
    client = signed_in(web, users, Role.BRAND)
    for path in (
        "/factories/DHK-1/rolls",
        f"/rolls/{roll.id}",
        "/factories/DHK-1/rolls/uploads/" + "0" * 64 + "/report.xlsx",
    ):
        assert client.get(path).status_code == 403, path
    assert upload(client, roll_csv(1))[0] == 403
    assert client.post("/factories/DHK-1/rolls/confirm", data={}).status_code == 403


def test_unknown_header_is_mapped_on_the_web_then_the_file_reads(web: Flask, users: People) -> None:
    client = signed_in(web, users, Role.OFFICER)
    data = roll_csv(2).replace(b"Card No", b"Token Number")
    status, page = upload(client, data)
    assert status == 422
    assert "no column for Worker ID" in page
    response = client.post(
        "/factories/DHK-1/rolls/mappings", data={"header": "Token Number", "field": "worker_id"}
    )
    assert response.status_code == 302
    assert "token number" in client.get("/factories/DHK-1/rolls").get_data(as_text=True)
    status, page = upload(client, data)
    assert status == 200
    assert "Store as the next roll version (2 workers)" in page
