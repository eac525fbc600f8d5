"""An XLSX whose XML declares a DTD or entities is refused as a whole, naming the part."""

from __future__ import annotations

import io
import zipfile

import pytest
from roll_builders import AS_OF, HEADER, worker, xlsx

from imports import RollUnreadable, read_roll

LAUGHS = b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'


def with_member_changed(data: bytes, name: str, change: object) -> bytes:
    """A copy of the workbook ``data`` with member ``name`` passed through ``change``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            content = source.read(member)
            if member.filename == name:
                content = change(content)  # type: ignore[operator]
            target.writestr(member, content)
    return buffer.getvalue()


def after_declaration(extra: bytes) -> object:
    def change(xml: bytes) -> bytes:
        head, mark, rest = xml.partition(b"?>")
        return head + mark + extra + rest if mark else extra + xml

    return change


GOOD = xlsx([HEADER, worker(1), worker(2)])


def test_a_plain_workbook_still_reads() -> None:
    assert len(read_roll(GOOD, filename="roll.xlsx", as_of=AS_OF).rows) == 2


@pytest.mark.parametrize(
    ("member", "extra"),
    [
        ("xl/worksheets/sheet1.xml", LAUGHS),
        ("xl/workbook.xml", b'<!DOCTYPE x SYSTEM "file:///etc/passwd">'),
        ("[Content_Types].xml", b"<!doctype x>"),
        ("xl/_rels/workbook.xml.rels", b'<! ENTITY  x "y">'),
    ],
)
def test_a_dtd_or_entity_declaration_anywhere_is_refused(member: str, extra: bytes) -> None:
    hostile = with_member_changed(GOOD, member, after_declaration(extra))
    with pytest.raises(RollUnreadable, match="declares entities or a DTD") as caught:
        read_roll(hostile, filename="roll.xlsx", as_of=AS_OF)
    assert member in str(caught.value)


def test_utf16_does_not_hide_a_declaration() -> None:
    def to_utf16(xml: bytes) -> bytes:
        text = xml.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
        head, mark, rest = text.partition("?>")
        return (head + mark + LAUGHS.decode() + rest).encode("utf-16")

    hostile = with_member_changed(GOOD, "xl/worksheets/sheet1.xml", to_utf16)
    with pytest.raises(RollUnreadable, match="declares entities or a DTD"):
        read_roll(hostile, filename="roll.xlsx", as_of=AS_OF)
