"""``fund rolls check`` and ``fund rolls import`` against a fresh database (SQLite or PG)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fund.cli import main
from fund.db import make_engine
from fund.rolls.models import Roll, RollWorker
from tests.cli.test_cli_commands import cli_database_url

from .roll_files import roll_csv

Fund = Callable[..., Result]
__all__ = ["cli_database_url"]


@pytest.fixture
def fund(cli_database_url: str) -> Fund:
    runner = CliRunner()
    env = {"DATABASE_URL": cli_database_url, "SECRET_KEY": "t", "FUND_ENV": "production"}

    def run(*args: str, expect: int = 0) -> Result:
        result = runner.invoke(main, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == expect, (args, result.output, result.stderr)
        return result

    run("init-db")
    run("demo")
    return run


def stored(url: str) -> tuple[int, int]:
    engine = make_engine(url)
    with Session(engine) as session:
        found = (
            session.scalar(select(func.count()).select_from(Roll)) or 0,
            session.scalar(select(func.count()).select_from(RollWorker)) or 0,
        )
    engine.dispose()
    return found


def test_check_exit_codes_and_json(fund: Fund, tmp_path: Path) -> None:
    good, bad, junk = tmp_path / "good.csv", tmp_path / "bad.csv", tmp_path / "junk.xlsx"
    good.write_bytes(roll_csv(3))
    bad.write_bytes(roll_csv(3, bad_nid_row=2))
    junk.write_bytes(b"PK\x03\x04 broken")
    assert "3 rows read: 3 accepted, 0 rejected" in fund("rolls", "check", str(good)).output
    body = json.loads(fund("rolls", "check", str(bad), "--json", expect=1).output)
    assert body == {
        "rows": 3,
        "accepted": 2,
        "rejected": 1,
        "problems": [
            {
                "row": 4,
                "column": "NID",
                "severity": "error",
                "code": "bad_national_id",
                "message": body["problems"][0]["message"],
            }
        ],
    }
    table = fund("rolls", "check", str(bad), expect=1).output
    assert "bad_national_id" in table
    assert "     4  NID" in table
    result = fund("rolls", "check", str(junk), expect=2)
    assert "junk.xlsx: the file starts like an XLSX but is a damaged zip archive" in result.stderr


def test_check_writes_an_error_report(fund: Fund, tmp_path: Path) -> None:
    bad, report = tmp_path / "bad.csv", tmp_path / "errors.xlsx"
    bad.write_bytes(roll_csv(3, bad_nid_row=2))
    fund("rolls", "check", str(bad), "--report", str(report), expect=1)
    book = openpyxl.load_workbook(io.BytesIO(report.read_bytes()))
    assert book["Problems"]["D2"].value == "bad_national_id"
    assert book["Roll"]["C4"].value == "12345"


def test_import_all_or_nothing(fund: Fund, cli_database_url: str, tmp_path: Path) -> None:
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_bytes(roll_csv(4, nid_base=1880000000000))
    bad.write_bytes(roll_csv(3, bad_nid_row=2, nid_base=1880000000000))
    before = stored(cli_database_url)
    result = fund("rolls", "import", "DHK-017", str(bad), "--as-of", "2025-03-31", expect=1)
    assert "nothing was stored" in result.stderr
    assert stored(cli_database_url) == before
    result = fund(
        "rolls", "import", "DHK-017", str(good), "--as-of", "2025-03-31", "--as", "officer"
    )
    assert "4 workers" in result.output
    rolls, workers = stored(cli_database_url)
    assert (rolls, workers) == (before[0] + 1, before[1] + 4)
    fund("rolls", "import", "NOPE", str(good), "--as-of", "2025-03-31", expect=2)
    fund("rolls", "import", "DHK-017", str(good), "--as-of", "31/03/2025", expect=2)
    fund(
        "rolls", "import", "DHK-017", str(good), "--as-of", "2025-03-31", "--as", "nobody", expect=2
    )


def test_map_a_header_then_import(fund: Fund, tmp_path: Path) -> None:
    roll = tmp_path / "token.csv"
    roll.write_bytes(roll_csv(2, nid_base=1770000000000).replace(b"Card No", b"Token Number"))
    fund("rolls", "import", "GZP-042", str(roll), "--as-of", "2025-03-31", expect=2)
    fund("rolls", "map", "GZP-042", "Token Number", "worker_id", "--as", "officer")
    assert (
        "2 workers" in fund("rolls", "import", "GZP-042", str(roll), "--as-of", "2025-03-31").output
    )


@pytest.mark.parametrize(
    "args",
    [
        ("rolls", "import", "NOPE", "{file}", "--as-of", "2025-03-31", "--as", "officer"),
        ("rolls", "map", "NOPE", "Token Number", "worker_id", "--as", "officer"),
    ],
)
def test_an_unknown_factory_is_a_plain_error(
    fund: Fund, cli_database_url: str, tmp_path: Path, args: tuple[str, ...]
) -> None:
    roll = tmp_path / "roll.csv"
    roll.write_bytes(roll_csv(2, nid_base=1660000000000))
    before = stored(cli_database_url)
    result = fund(*(arg.format(file=roll) for arg in args), expect=2)
    # said as every command says an unknown thing (named_factory), not as a misused command
    assert result.stderr == "error: no factory 'NOPE'\n"
    assert "Usage:" not in result.output
    assert stored(cli_database_url) == before
