"""Hostile and hopeless files: each refused quickly with a reason, never a crash."""

from __future__ import annotations

import io
import os
import time
import zipfile
from pathlib import Path

import pytest
from roll_builders import AS_OF, HEADER, csv_bytes, worker, xlsx

from imports import Limits, RollUnreadable, read_roll


def refuse(data: bytes, match: str, name: str = "roll.xlsx", **kw: object) -> None:
    start = time.perf_counter()
    with pytest.raises(RollUnreadable, match=match) as caught:
        read_roll(data, filename=name, as_of=AS_OF, **kw)  # type: ignore[arg-type]
    assert caught.value.filename == name
    assert str(caught.value).startswith(f"{name}: ")
    assert time.perf_counter() - start < 5


def test_empty_and_whitespace_files() -> None:
    refuse(b"", "the file is empty")
    refuse(b"  \r\n\r\n", "the file is empty")


def test_only_a_header_is_refused() -> None:
    # Issue 15: a header-only file was stored as a roll version with 0 workers.
    refuse(csv_bytes([HEADER]), "the roll has no workers", "roll.csv")
    refuse(csv_bytes([HEADER, [], ["Total", "", "", "", "", "8000"]]), "no workers", "roll.csv")


def test_no_header_at_all() -> None:
    refuse(csv_bytes([["a", "b"], ["1", "2"]]), "no header row in the first 30 rows", "x.csv")


def test_header_below_the_scanned_rows_is_not_found() -> None:
    rows = [[f"note {n}"] for n in range(30)] + [HEADER, worker(1)]
    refuse(xlsx(rows), "no header row")
    assert (
        read_roll(
            xlsx(rows), filename="r.xlsx", as_of=AS_OF, limits=Limits(header_scan_rows=40)
        ).accepted
        == 1
    )


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"%PDF-1.7 whatever", "this is a PDF document"),
        (b"\x89PNG\r\n\x1a\nabc", "a PNG image"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, r"old Excel \(.xls\)"),
        (b"PK\x03\x04 not really a zip", "damaged zip archive"),
        (b"\x00\x01\x02\x03binary\x00\x00", "binary data"),
    ],
)
def test_wrong_type_sniffed_from_content_not_name(data: bytes, match: str) -> None:
    refuse(data, match, "roll.csv")


def test_a_zip_that_is_not_a_workbook() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    refuse(buffer.getvalue(), "not an Excel workbook")


def test_zip_bomb_is_refused_before_inflating() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * 200_000_000)
    assert len(buffer.getvalue()) < 1_000_000
    refuse(buffer.getvalue(), "zip bomb")
    refuse(
        buffer.getvalue(), "inflate to more than", limits=Limits(max_uncompressed_bytes=10_000_000)
    )


def test_too_big_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "junk.csv"
    with path.open("wb") as out:
        out.truncate(50 * 1024 * 1024)  # 50 MB, sparse: stat() says so without writing it
    with pytest.raises(RollUnreadable, match="rolls larger than 50,000,000 bytes are refused"):
        read_roll(path, filename=path.name, as_of=AS_OF)


@pytest.mark.slow
def test_fifty_megabytes_of_random_junk_is_refused_quickly() -> None:
    junk = os.urandom(49_000_000)
    refuse(junk, "neither a spreadsheet nor text|binary data", "junk.csv")


def test_too_many_rows() -> None:
    rows = [HEADER] + [worker(n) for n in range(1, 61)]
    limits = Limits(max_rows=50, header_scan_rows=5)
    refuse(xlsx(rows), "the sheet has 61 rows; the limit is 50", limits=limits)
    refuse(csv_bytes(rows), "more than 50 rows", "roll.csv", limits=limits)


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(RollUnreadable, match="cannot open the file"):
        read_roll(tmp_path / "nope.xlsx", filename="nope.xlsx")
