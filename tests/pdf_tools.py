"""Reading PDFs back with poppler's own tools (``make pdf-tools`` installs them)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path


def _tool(name: str) -> str:
    found = shutil.which(name)
    # Not a skip: a PDF test that silently did not run would prove nothing.
    assert found, f"{name} is missing: run `make pdf-tools` (Debian poppler-utils)"
    return found


def _run(name: str, data: bytes, *arguments: str) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "file.pdf"
        path.write_bytes(data)
        output = ["-"] if name == "pdftotext" else []  # pdftotext writes to stdout given "-"
        done = subprocess.run(
            [_tool(name), *arguments, str(path), *output],
            capture_output=True,
            check=True,
            text=True,
        )
    return done.stdout


def fonts(data: bytes) -> list[tuple[str, bool]]:
    """``[(font name, embedded?)]`` for every font the PDF uses, as ``pdffonts`` lists them."""
    lines = _run("pdffonts", data).splitlines()[2:]  # two heading lines
    found = []
    for line in lines:
        # name type... encoding emb sub uni object ID: read from the right, names may have spaces
        fields = line.split()
        embedded = fields[-5]
        found.append((fields[0], embedded == "yes"))
    return found


def text(data: bytes) -> str:
    """The PDF's text as ``pdftotext`` extracts it (what search and copy give a reader)."""
    return _run("pdftotext", data, "-enc", "UTF-8")
