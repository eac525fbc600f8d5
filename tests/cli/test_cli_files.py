"""Files the commands write: whole or not at all, and no part left behind by a killed writer."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fund.cli_options import write_whole


def a_finished_pid() -> int:
    """The pid of a process that has exited (as a SIGKILLed command's has)."""
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=True,
                          capture_output=True, text=True)  # fmt: skip
    return int(done.stdout)


def test_the_file_is_whole_and_a_killed_writers_part_is_removed(tmp_path: Path) -> None:
    target = tmp_path / "receipts [batch 7].pdf"  # glob characters in the name
    dead = tmp_path / f".{target.name}.{a_finished_pid()}.part"
    dead.write_bytes(b"%PDF cut in the middle")
    running = tmp_path / f".{target.name}.{os.getppid()}.part"  # a writer still at work
    running.write_bytes(b"%PDF being written")
    other = tmp_path / ".sheet.pdf.1.part"  # another file's part: not ours to judge
    other.write_bytes(b"x")
    write_whole(target, b"%PDF whole")
    assert target.read_bytes() == b"%PDF whole"
    assert not dead.exists()
    assert running.exists()
    assert other.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [target.name, running.name, other.name]
    )


def test_a_failed_write_leaves_the_old_file_and_no_part(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "sheet.xlsx"
    target.write_bytes(b"the old sheet")

    def no_rename(*_args: object) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", no_rename)
    with pytest.raises(OSError, match="disk gone"):
        write_whole(target, b"the new sheet")
    assert target.read_bytes() == b"the old sheet"
    assert [p.name for p in tmp_path.iterdir()] == ["sheet.xlsx"]
