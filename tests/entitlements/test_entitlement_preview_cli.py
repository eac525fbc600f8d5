"""``fund entitlements preview``: the what-if from a roll file and a policy file."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import openpyxl
import pytest
from click.testing import Result
from flask import Flask

import imports
from fund.entitlements.cli import entitlements_cli
from imports.records import Problem

from .helpers import POLICIES, grade5

ALLIANCE = str(POLICIES / "alliance-wage-replacement.toml")
LABOUR_ACT = str(POLICIES / "bangladesh-labour-act-layoff.toml")

HEADER = (
    "worker_id,name,national_id,section,join_date,exit_date,"
    "basic,house_rent,medical,transport,food\n"
)
ROLL = HEADER + (
    "W-0007,Rahima Begum,1990123456789,Sewing-3,2019-08-01,,6700,3350,750,450,1250\n"
    "W-0008,Karim Mia,1985765432109,Cutting,2024-02-15,,8000,4000,750,450,1250\n"
    "W-0009,Shirin Akter,1992111122223,Sewing-3,2018-01-10,2024-02-29,6700,3350,750,450,1250\n"
)


def run(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(entitlements_cli, ["preview", *args])


def write_roll(tmp_path: Path, text: str = ROLL) -> str:
    path = tmp_path / "roll.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_csv_preview_of_a_sixty_day_suspension(app: Flask, tmp_path: Path) -> None:
    roll = write_roll(tmp_path)
    result = run(
        app,
        *("--roll", roll, "--kind", "suspension", "--start", "2024-03-01"),
        *("--end", "2024-04-29", "--policy", LABOUR_ACT),
    )
    assert result.exit_code == 0, result.stderr
    body, _, summary = result.stdout.partition("\n\n")
    rows = list(csv.DictReader(io.StringIO(body)))
    # W-0007: 11,055.00 worked by hand in test_entitlement_rules; W-0008 joined 15 Feb 2024,
    # short of 365 days' service; W-0009 left on 29 Feb 2024, the day before the start.
    assert [(r["worker_id"], r["eligible"], r["reason"], r["amount"]) for r in rows] == [
        ("W-0007", "yes", "", "11055.00"),
        ("W-0008", "no", "service_too_short", "0.00"),
        ("W-0009", "no", "exited_before_start", "0.00"),
    ]
    assert rows[0]["days_paid"] == "51"
    assert rows[0]["years_of_service"] == ""
    assert rows[0]["suspension tier 1: basic"] == "5025.00"
    assert rows[0]["suspension tier 2: house_rent"] == "670.00"
    assert "eligible,1" in summary
    assert "total,11055.00" in summary


def test_json_preview_of_a_closure(app: Flask, tmp_path: Path) -> None:
    roll = write_roll(tmp_path)
    result = run(
        app,
        *("--roll", roll, "--kind", "closure", "--start", "2024-03-01"),
        *("--policy", ALLIANCE, "--format", "json"),
    )
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    first = document["workers"][0]
    # 4 years 7 months → 5 years; 120 days' gross 50,000 + 150 days' basic 33,500
    assert first["amount"] == "83500.00"
    assert first["days_paid"] is None
    assert first["years_of_service"] == 5
    assert [line["rule"] for line in first["breakdown"]] == ["notice pay", "service pay"]
    assert first["breakdown"][0]["daily_rate"] == "416.666667…"
    # W-0008 (gross 8,000 + 4,000 + 750 + 450 + 1,250 = 14,450) joined 15 Feb 2024: 0 whole
    # months, so notice pay only (alliance has no minimum service): 120 × 14,450 / 30 = 57,800;
    # W-0009 left before the closure
    assert document["workers"][1]["amount"] == "57800.00"
    assert document["workers"][2]["reason"] == "exited_before_start"
    assert document["summary"]["eligible"] == 2
    assert document["summary"]["total"] == "141300.00"  # 83,500 + 57,800
    assert document["summary"]["policy"] == "alliance-wage-replacement"


def test_xlsx_preview_neutralises_formulas(app: Flask, tmp_path: Path) -> None:
    roll = write_roll(tmp_path, HEADER + "=1+2,Evil,1990123456789,,2019-08-01,,6700,,,,\n")
    output = tmp_path / "preview.xlsx"
    result = run(
        app,
        *("--roll", roll, "--kind", "suspension", "--start", "2024-03-01", "--end", "2024-03-30"),
        *("--policy", ALLIANCE, "--format", "xlsx", "--output", str(output)),
    )
    if result.exit_code == 2:  # the reader may itself refuse a formula-like worker ID
        assert "=1+2" in result.stderr or "formula" in result.stderr.lower()
        return
    assert result.exit_code == 0, result.stderr
    sheet = openpyxl.load_workbook(output)["Entitlements"]
    assert sheet["A2"].value == "'=1+2"
    assert sheet["A2"].data_type == "s"


def test_a_roll_with_errors_is_refused(app: Flask, tmp_path: Path) -> None:
    roll = write_roll(tmp_path, HEADER + "W-1,No Join Date,1990123456789,,,,6700,,,,\n")
    result = run(
        app,
        *("--roll", roll, "--kind", "closure", "--start", "2024-03-01", "--policy", ALLIANCE),
    )
    assert result.exit_code == 2
    assert "error" in result.stderr
    assert result.stdout == ""


# --- the CLI's own handling, with a stand-in reader ----------------------------------------


class Unreadable(Exception):
    pass


@pytest.fixture
def fake_reader(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Replace ``imports.read_roll`` with one that returns whatever the test puts in."""
    state: dict[str, Any] = {"rows": [grade5()], "problems": [], "unreadable": None}

    def read_roll(path: Path, *, filename: str) -> SimpleNamespace:
        state["filename"] = filename
        if state["unreadable"]:
            raise Unreadable(state["unreadable"])
        errors = [p for p in state["problems"] if p.severity == "error"]
        return SimpleNamespace(
            rows=state["rows"],
            problems=state["problems"],
            rows_read=len(state["rows"]),
            rejected=len(errors),
            has_errors=bool(errors),
        )

    monkeypatch.setattr(imports, "read_roll", read_roll, raising=False)
    monkeypatch.setattr(imports, "RollUnreadable", Unreadable, raising=False)
    return state


SUSPENSION = ("--kind", "suspension", "--start", "2024-03-01", "--end", "2024-04-29")


def test_preview_with_the_stand_in_reader(
    app: Flask, tmp_path: Path, fake_reader: dict[str, Any]
) -> None:
    result = run(app, "--roll", str(tmp_path / "x.csv"), *SUSPENSION, "--policy", ALLIANCE)
    assert result.exit_code == 0, result.stderr
    assert fake_reader["filename"] == "x.csv"
    # 60 days × 12,500 / 30 = 25,000
    assert "W-0007,yes,,60,,25000.00,25000.00" in result.stdout


def test_roll_errors_are_listed_and_exit_2(
    app: Flask, tmp_path: Path, fake_reader: dict[str, Any]
) -> None:
    fake_reader["problems"] = [
        Problem(7, "join_date", "error", "bad_date", "'31/02/2019' is not a date"),
        Problem(9, "gross", "warning", "gross_mismatch", "gross differs from the components"),
    ]
    result = run(app, "--roll", "roll.csv", *SUSPENSION, "--policy", ALLIANCE)
    assert result.exit_code == 2
    assert "row 7, column join_date: bad_date: '31/02/2019' is not a date" in result.stderr
    assert "gross_mismatch" not in result.stderr
    assert result.stdout == ""


def test_warnings_do_not_block(app: Flask, fake_reader: dict[str, Any]) -> None:
    fake_reader["problems"] = [Problem(9, "gross", "warning", "gross_mismatch", "differs")]
    result = run(app, "--roll", "roll.csv", *SUSPENSION, "--policy", ALLIANCE)
    assert result.exit_code == 0
    assert "1 warning(s)" in result.stderr


def test_unreadable_roll_exits_2(app: Flask, fake_reader: dict[str, Any]) -> None:
    fake_reader["unreadable"] = "not a spreadsheet"
    result = run(app, "--roll", "roll.csv", *SUSPENSION, "--policy", ALLIANCE)
    assert result.exit_code == 2
    assert "cannot be read as a roll: not a spreadsheet" in result.stderr


def test_bad_policy_exits_2(app: Flask, tmp_path: Path, fake_reader: dict[str, Any]) -> None:
    policy = tmp_path / "p.toml"
    policy.write_text(
        Path(ALLIANCE).read_text(encoding="utf-8").replace('gross = "1.00"', "gross = 1.0", 1),
        encoding="utf-8",
    )
    result = run(app, "--roll", "roll.csv", *SUSPENSION, "--policy", str(policy))
    assert result.exit_code == 2
    assert "suspension.tiers[1].pay.gross" in result.stderr
    assert "as a string" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--kind", "suspension", "--start", "2024-03-01"), "through"),
        (("--kind", "suspension", "--start", "2024-03-05", "--end", "2024-03-01"), "before"),
        (("--kind", "closure", "--start", "2024-03-01", "--sections", "A"), "whole factory"),
        (("--kind", "suspension", "--start", "01/03/2024"), "not a date"),
        (("--kind", "strike", "--start", "2024-03-01"), "strike"),
    ],
)
def test_bad_event_terms_exit_2(
    app: Flask, fake_reader: dict[str, Any], args: tuple[str, ...], message: str
) -> None:
    result = run(app, "--roll", "roll.csv", *args, "--policy", ALLIANCE)
    assert result.exit_code == 2
    assert message in result.stderr


def test_partial_suspension_and_through(app: Flask, fake_reader: dict[str, Any]) -> None:
    fake_reader["rows"] = [
        grade5(),
        grade5(worker_id="W-2", national_id="1234567890", section="Cutting"),
    ]
    result = run(
        app,
        *("--roll", "roll.csv", "--kind", "suspension", "--start", "2024-03-01"),
        *("--through", "2024-03-10", "--sections", "Sewing-3, Finishing"),
        *("--policy", ALLIANCE, "--format", "json"),
    )
    assert result.exit_code == 0, result.stderr
    workers = json.loads(result.stdout)["workers"]
    # 10 days × 12,500 / 30 = 4,166.67 → 4,167
    assert [(w["worker_id"], w["amount"], w["reason"]) for w in workers] == [
        ("W-0007", "4167.00", None),
        ("W-2", "0.00", "section_not_affected"),
    ]


def test_xlsx_needs_output(app: Flask, fake_reader: dict[str, Any]) -> None:
    result = run(app, "--roll", "r.csv", *SUSPENSION, "--policy", ALLIANCE, "--format", "xlsx")
    assert result.exit_code == 2
    assert "--output" in result.stderr


def test_xlsx_cells(app: Flask, tmp_path: Path, fake_reader: dict[str, Any]) -> None:
    fake_reader["rows"] = [grade5(worker_id="@SUM(A1)"), grade5(worker_id="-5", national_id="1")]
    output = tmp_path / "out.xlsx"
    result = run(
        app,
        *("--roll", "r.csv", *SUSPENSION, "--policy", ALLIANCE),
        *("--format", "xlsx", "--output", str(output)),
    )
    assert result.exit_code == 0, result.stderr
    assert f"written to {output}" in result.stderr
    workbook = openpyxl.load_workbook(output)
    sheet = workbook["Entitlements"]
    assert [cell.value for cell in sheet[1]][:6] == [
        "worker_id",
        "eligible",
        "reason",
        "days_paid",
        "years_of_service",
        "amount",
    ]
    assert sheet["A2"].value == "'@SUM(A1)"
    assert sheet["A3"].value == "'-5"
    assert sheet["F3"].value == 25000  # a number, not text
    summary = {row[0].value: row[1].value for row in workbook["Summary"].iter_rows()}
    assert summary["eligible"] == "2"
    assert summary["total"] == "50000.00"
