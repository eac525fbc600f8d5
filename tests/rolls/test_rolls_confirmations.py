"""A roll without exit dates needs the officer's word (service, CLI, API, web; audited);
checked uploads are private and deleted when the check ends; the SQLite file is private."""

from __future__ import annotations

import io
import stat
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fund.audit.models import AuditEvent
from fund.auth.roles import Role
from fund.db import make_engine
from fund.rolls.models import ColumnMapping, Roll
from fund.rolls.services import ExitDatesUnconfirmed, import_roll

from .roll_files import AS_OF, roll_csv
from .test_rolls_api import bearer
from .test_rolls_cli import Fund, cli_database_url, fund, stored
from .test_rolls_web import signed_in, upload, web

if TYPE_CHECKING:
    from tests.conftest import People

__all__ = ["cli_database_url", "fund", "web"]


def no_exit_column(count: int = 2) -> bytes:
    """``roll_csv`` without its Date of Exit column (the last one)."""
    lines = roll_csv(count).decode("utf-8").split("\r\n")
    return "\r\n".join(line.rsplit(",", 1)[0] if "," in line else line for line in lines).encode()


def rolls(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Roll)) or 0


def test_the_service_refuses_without_the_officers_word(session: Session, users: People) -> None:
    factory, officer = users.factories["DHK-1"], users.by_role[Role.OFFICER]
    data = no_exit_column()
    with pytest.raises(ExitDatesUnconfirmed, match="no exit-date column"):
        import_roll(
            session, factory=factory, source=data, filename="m.csv", as_of=AS_OF, actor=officer
        )
    assert rolls(session) == 0
    roll = import_roll(
        session,
        factory=factory,
        source=data,
        filename="m.csv",
        as_of=AS_OF,
        actor=officer,
        nobody_left=True,
    )
    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "rolls.import", AuditEvent.object_id == str(roll.id)
        )
    ).one()
    assert event.after is not None
    assert event.after["confirmed_nobody_left"] is True
    assert event.actor_id == officer.id
    # A roll with the column needs no confirmation, and none is recorded.
    again = import_roll(
        session, factory=factory, source=roll_csv(3), filename="n.csv", as_of=AS_OF, actor=officer
    )
    after = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "rolls.import", AuditEvent.object_id == str(again.id)
        )
    ).one()
    assert after.after is not None
    assert "confirmed_nobody_left" not in after.after


def test_the_cli_needs_nobody_left(fund: Fund, cli_database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "march.csv"
    path.write_bytes(no_exit_column(3))
    before = stored(cli_database_url)
    checked = fund("rolls", "check", str(path))
    assert "no_exit_date_column" in checked.output
    refused = fund("rolls", "import", "DHK-017", str(path), "--as-of", "2025-03-31", expect=1)
    assert "--nobody-left" in refused.stderr
    assert stored(cli_database_url) == before
    fund("rolls", "import", "DHK-017", str(path), "--as-of", "2025-03-31", "--nobody-left")
    assert stored(cli_database_url)[0] == before[0] + 1


def test_the_api_needs_nobody_left(
    client: object, users: People, api_token: Callable[..., str], session: Session
) -> None:
    officer = bearer(users, api_token, Role.OFFICER)

    def post(extra: dict[str, str]):  # type: ignore[no-untyped-def]
        return client.post(  # type: ignore[attr-defined]
            "/api/v1/factories/DHK-1/rolls",
            headers=officer,
            data={
                "file": (io.BytesIO(no_exit_column()), "m.csv"),
                "as_of": AS_OF.isoformat(),
                **extra,
            },
            content_type="multipart/form-data",
        )

    refused = post({})
    assert refused.status_code == 422
    assert refused.get_json()["errors"][0]["code"] == "no_exit_date_column"
    assert rolls(session) == 0
    assert post({"nobody_left": "true"}).status_code == 201
    assert rolls(session) == 1


def uploads(web: Flask) -> list[Path]:
    return sorted((Path(web.config["UPLOAD_FOLDER"]) / "rolls").glob("*.upload"))


def test_the_web_check_asks_for_the_confirmation_and_keeps_the_upload_private(
    web: Flask, users: People, session: Session
) -> None:
    client = signed_in(web, users, Role.OFFICER)
    status, page = upload(client, no_exit_column())
    assert status == 200
    assert "no exit-date column" in page
    assert 'name="nobody_left"' in page
    (kept,) = uploads(web)
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(kept.parent.stat().st_mode) == 0o700
    form = {"sha256": kept.stem, "filename": "march.csv", "as_of": AS_OF.isoformat()}
    refused = client.post("/factories/DHK-1/rolls/confirm", data=form)
    assert refused.status_code == 422
    assert rolls(session) == 0
    done = client.post("/factories/DHK-1/rolls/confirm", data={**form, "nobody_left": "y"})
    assert done.status_code == 302
    assert rolls(session) == 1
    assert uploads(web) == []  # stored: the upload is gone


def test_a_discarded_or_expired_upload_is_deleted(web: Flask, users: People) -> None:
    client = signed_in(web, users, Role.OFFICER)
    upload(client, roll_csv(2))
    (kept,) = uploads(web)
    response = client.post("/factories/DHK-1/rolls/discard", data={"sha256": kept.stem})
    assert response.status_code == 302
    assert uploads(web) == []
    upload(client, roll_csv(2))
    web.config["UPLOAD_TTL"] = -1  # everything kept is now older than the limit
    upload(client, roll_csv(3))
    assert len(uploads(web)) == 1  # the earlier unconfirmed upload was swept


def test_the_web_check_offers_to_map_an_unused_column(
    web: Flask, users: People, session: Session
) -> None:
    client = signed_in(web, users, Role.OFFICER)
    lines = no_exit_column(2).decode("utf-8").split("\r\n")
    lines[1] += ",Leaving on"
    lines[2] += ",15/03/2025"
    lines[3] += ","
    status, page = upload(client, "\r\n".join(lines).encode())
    assert status == 200
    assert "unused_column" not in page  # codes are not shown; the message is
    assert "column &#39;Leaving on&#39; is not read" in page
    assert "Map and check again" in page
    (kept,) = uploads(web)
    response = client.post(
        "/factories/DHK-1/rolls/mappings",
        data={
            "header": "Leaving on",
            "field": "exit_date",
            "sha256": kept.stem,
            "filename": "march.csv",
            "as_of": AS_OF.isoformat(),
        },
    )
    assert response.status_code == 200  # the same upload, checked again
    again = response.get_data(as_text=True)
    assert "is not read" not in again
    assert "no exit-date column" not in again  # the mapped column gives the exit dates now
    mapping = session.scalars(select(ColumnMapping)).one()
    assert (mapping.header, mapping.field) == ("leaving on", "exit_date")


def test_the_sqlite_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "fund.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    engine.dispose()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.chmod(0o644)  # an older file made before this rule
    make_engine(f"sqlite:///{path}").dispose()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
