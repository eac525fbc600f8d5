"""Turning a file's bytes into a grid of cells, whatever the factory sent.

The file type is sniffed from its first bytes, never from its name. XLSX files are checked as
zip archives (member sizes, compression ratio) before calamine sees them, so a zip bomb is
refused without being inflated. CSV text is decoded from UTF-8 (with or without BOM), UTF-16
(with BOM) or Windows-1252, and the delimiter (comma, semicolon, tab) is counted, not guessed.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

#: Cell values as calamine (or the CSV reader) hands them over.
Cell = Any


class RollUnreadable(Exception):
    """The file cannot be read as a roll at all (wrong type, empty, too big, no header...)."""

    def __init__(self, filename: str, reason: str) -> None:
        super().__init__(f"{filename}: {reason}")
        self.filename = filename
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on what a roll file may cost to read; anything beyond is refused early."""

    max_bytes: int = 50_000_000
    max_rows: int = 200_000
    #: Sum of the XLSX archive's inflated members.
    max_uncompressed_bytes: int = 600_000_000
    #: Inflated/compressed size of one member; real sheets stay well under 100.
    max_compression_ratio: int = 250
    #: Rows scanned from the top for the header row.
    header_scan_rows: int = 30


@dataclass(slots=True)
class Grid:
    """The sheet's cells: ``rows[i]`` is shown to the user as row ``row_numbers[i]``."""

    kind: str  # "xlsx" or "csv"
    rows: list[list[Cell]]
    row_numbers: list[int]
    #: Merged ranges as (first row index, first column, last row index, last column) in ``rows``.
    merged: list[tuple[int, int, int, int]]
    #: Column offset of ``rows[i][0]`` in the sheet (0 = column A), for error reports.
    first_column: int = 0
    encoding: str | None = None
    delimiter: str | None = None


_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls / password-protected .xlsx
_KNOWN_BINARY = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
}


def read_bytes(source: Path | bytes, *, filename: str, limits: Limits) -> bytes:
    """The file's bytes, refusing anything over ``limits.max_bytes`` before reading it."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    else:
        try:
            size = source.stat().st_size
        except OSError as error:
            raise RollUnreadable(filename, f"cannot open the file ({error.strerror})") from None
        if size > limits.max_bytes:
            raise RollUnreadable(filename, _too_big(size, limits))
        data = source.read_bytes()
    if len(data) > limits.max_bytes:
        raise RollUnreadable(filename, _too_big(len(data), limits))
    if not data.strip(b" \t\r\n\x00"):
        raise RollUnreadable(filename, "the file is empty")
    return data


def _too_big(size: int, limits: Limits) -> str:
    return f"the file is {size:,} bytes; rolls larger than {limits.max_bytes:,} bytes are refused"


def load_grid(data: bytes, *, filename: str, limits: Limits) -> Grid:
    """Sniff the type from the first bytes and read the first sheet (or the CSV) into a grid."""
    if data.startswith(_ZIP_MAGIC):
        return _load_xlsx(data, filename=filename, limits=limits)
    if data.startswith(_OLE_MAGIC):
        raise RollUnreadable(
            filename,
            "this is an old Excel (.xls) or password-protected workbook; save it as .xlsx or CSV",
        )
    for magic, what in _KNOWN_BINARY.items():
        if data.startswith(magic):
            raise RollUnreadable(filename, f"this is {what}, not a CSV or XLSX roll")
    return _load_csv(data, filename=filename, limits=limits)


# --- XLSX ---------------------------------------------------------------------------------------


def check_xlsx_archive(data: bytes, *, filename: str, limits: Limits) -> None:
    """Refuse archives that are not workbooks or would inflate beyond the limits."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise RollUnreadable(
            filename, "the file starts like an XLSX but is a damaged zip archive"
        ) from None
    names = {member.filename for member in members}
    if "xl/workbook.xml" not in names:
        raise RollUnreadable(filename, "this zip archive is not an Excel workbook (.xlsx)")
    total = 0
    for member in members:
        total += member.file_size
        if total > limits.max_uncompressed_bytes:
            raise RollUnreadable(
                filename,
                f"the workbook would inflate to more than {limits.max_uncompressed_bytes:,} bytes"
                " (a zip bomb?)",
            )
        if member.file_size > 1_000_000:
            ratio = member.file_size / max(member.compress_size, 1)
            if ratio > limits.max_compression_ratio:
                raise RollUnreadable(
                    filename,
                    f"{member.filename} is compressed {ratio:,.0f} to 1, far beyond any real"
                    " sheet (a zip bomb?)",
                )
    refuse_xml_declarations(data, filename=filename)


_XML_MEMBERS = (".xml", ".rels", ".vml")
_DECLARATIONS = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def refuse_xml_declarations(data: bytes, *, filename: str) -> None:
    """Refuse a workbook whose XML declares a DTD or entities: Excel never writes one.

    Entity expansion (billion laughs) and external entities are how XML parsers get attacked;
    whether or not a reader would expand them, such a file is not a roll the fund accepts.
    Run after the size checks, so reading every XML member is bounded.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in archive.infolist():
            if not member.filename.lower().endswith(_XML_MEMBERS):
                continue
            xml = archive.read(member)
            if xml.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 hides the ASCII bytes
                xml = xml.decode("utf-16", errors="replace").encode()
            if _DECLARATIONS.search(xml):
                raise RollUnreadable(
                    filename,
                    f"{member.filename} declares entities or a DTD, which no Excel workbook"
                    " holds: refused (save it again from Excel, or send a CSV)",
                )


def _load_xlsx(data: bytes, *, filename: str, limits: Limits) -> Grid:
    # Imported here, not at the top: a program that reads no spreadsheet starts faster.
    import python_calamine
    from defusedxml import DefusedXmlException

    check_xlsx_archive(data, filename=filename, limits=limits)
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(0)
        # The dimension calamine knows before parsing cells: the last used row, 0-based.
        last_row = (sheet.end or (0, 0))[0] + 1
        if last_row > limits.max_rows + limits.header_scan_rows:
            raise RollUnreadable(
                filename, f"the sheet has {last_row:,} rows; the limit is {limits.max_rows:,}"
            )
        rows: list[list[Cell]] = sheet.to_python()
        start = sheet.start
        merged_ranges = sheet.merged_cell_ranges or []
    except RollUnreadable:
        raise
    except Exception as error:  # calamine raises its own zoo of errors for damaged XML
        raise RollUnreadable(filename, f"the workbook cannot be read ({error})") from None
    first_row, first_column = start if start else (0, 0)
    try:
        formulas = _formula_cells(data)
    except DefusedXmlException:
        raise RollUnreadable(filename, "the workbook's XML declares entities (refused)") from None
    for (row, column), formula in formulas.items():
        # calamine hands over a formula's cached result; show the formula so it is refused.
        r, c = row - first_row, column - first_column
        if 0 <= r < len(rows) and 0 <= c < len(rows[r]):
            rows[r][c] = f"={formula}"
    merged = [
        (r0 - first_row, c0 - first_column, r1 - first_row, c1 - first_column)
        for (r0, c0), (r1, c1) in merged_ranges
    ]
    return Grid(
        kind="xlsx",
        rows=rows,
        row_numbers=list(range(first_row + 1, first_row + 1 + len(rows))),
        merged=merged,
        first_column=first_column,
    )


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DOC_RELS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
# How a formula element opens, with or without a namespace prefix; plain byte searches are fast.
_FORMULA_TAGS = (b"<f>", b"<f ", b":f>", b":f ")
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")


def _first_sheet_path(archive: zipfile.ZipFile) -> str:
    from defusedxml import ElementTree

    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    sheet = workbook.find(f"{_MAIN}sheets/{_MAIN}sheet")
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    if sheet is not None:
        wanted = sheet.get(f"{_DOC_RELS}id")
        for rel in rels.iter(f"{_RELS}Relationship"):
            if rel.get("Id") == wanted:
                target = rel.get("Target", "")
                return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return "xl/worksheets/sheet1.xml"


def _formula_cells(data: bytes) -> dict[tuple[int, int], str]:
    """Cells of the first sheet that hold a formula, as (row, column) 0-based → formula text."""
    from defusedxml import ElementTree

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            path = _first_sheet_path(archive)
            xml = archive.read(path)
    except (KeyError, ParseError):
        return {}
    if not any(tag in xml for tag in _FORMULA_TAGS):  # the common case: no XML parsing
        return {}
    found: dict[tuple[int, int], str] = {}
    for _event, cell in ElementTree.iterparse(io.BytesIO(xml)):
        if cell.tag != f"{_MAIN}c":
            continue
        formula = cell.find(f"{_MAIN}f")
        ref = _CELL_REF.fullmatch(cell.get("r", ""))
        if formula is not None and ref is not None:
            column = 0
            for letter in ref.group(1):
                column = column * 26 + ord(letter) - ord("A") + 1
            found[(int(ref.group(2)) - 1, column - 1)] = formula.text or "(shared formula)"
        cell.clear()
    return found


# --- CSV ----------------------------------------------------------------------------------------

_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")


def decode_text(data: bytes, *, filename: str) -> tuple[str, str]:
    """Decode CSV bytes: BOMs first, then strict UTF-8, then Windows-1252; refuse binary junk."""
    if data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        try:
            text = data.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            encoding = "cp1252"
        else:
            _refuse_binary(text, filename)
            return text, encoding
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        raise RollUnreadable(
            filename, "the file is neither a spreadsheet nor text in a known encoding"
        ) from None
    _refuse_binary(text, filename)
    return text, encoding


def _refuse_binary(text: str, filename: str) -> None:
    sample = text[:65536]
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\r\n\f")
    if "\x00" in sample or controls > len(sample) // 100:
        raise RollUnreadable(filename, "the file is neither a spreadsheet nor text (binary data)")


def sniff_delimiter(text: str) -> str:
    """The delimiter among comma, semicolon and tab that splits the first lines most evenly."""
    lines = [line for line in text[:65536].splitlines()[:40] if line.strip()]
    best, best_score = ",", -1
    for delimiter in (",", ";", "\t"):
        counts = Counter(line.count(delimiter) for line in lines)
        counts.pop(0, None)
        if not counts:
            continue
        # The commonest non-zero count, weighted by how many lines share it: header and data rows.
        per_line, lines_sharing = max(counts.items(), key=lambda item: (item[1], item[0]))
        score = per_line * lines_sharing
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _load_csv(data: bytes, *, filename: str, limits: Limits) -> Grid:
    text, encoding = decode_text(data, filename=filename)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[Cell]] = []
    row_numbers: list[int] = []
    next_line = 1
    ceiling = limits.max_rows + limits.header_scan_rows
    try:
        for record in reader:
            rows.append(record)
            row_numbers.append(next_line)
            next_line = reader.line_num + 1
            if len(rows) > ceiling:
                raise RollUnreadable(
                    filename, f"the file has more than {limits.max_rows:,} rows, the limit"
                )
    except csv.Error as error:
        raise RollUnreadable(filename, f"line {reader.line_num}: not valid CSV ({error})") from None
    return Grid(
        kind="csv",
        rows=rows,
        row_numbers=row_numbers,
        merged=[],
        encoding=encoding,
        delimiter=delimiter,
    )
