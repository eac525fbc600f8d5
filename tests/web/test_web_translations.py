"""English first, every string ready for translation: marked, collected, served when translated."""

from __future__ import annotations

import functools
import importlib.util
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask.testing import FlaskClient
from sqlalchemy import Connection

from fund import create_app

ROOT = Path(__file__).resolve().parent.parent.parent
PYBABEL = str(Path(sys.executable).parent / "pybabel")
POT = ROOT / "fund" / "translations" / "messages.pot"


@functools.cache
def translatable() -> ModuleType:
    """``scripts/translatable.py``, the scan ``make messages`` runs."""
    spec = importlib.util.spec_from_file_location("translatable", ROOT / "scripts/translatable.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks itself up there
    spec.loader.exec_module(module)
    return module


def test_every_template_sentence_is_marked_for_translation() -> None:
    scan = translatable()
    missing = {
        str(path.relative_to(ROOT)): scan.unmarked(path.read_text(encoding="utf-8"))
        for path in (ROOT / "templates").rglob("*.html")
    }
    assert {path: texts for path, texts in missing.items() if texts} == {}


def test_the_scan_finds_and_marks_plain_english() -> None:
    scan = translatable()
    source = '<p>Page {{ page }} of {{ pages }}</p><code>raw id</code><input placeholder="Find it">'
    assert scan.unmarked(source) == ["Page {{ page }} of {{ pages }}", "Find it"]
    marked = scan.mark(source)
    assert marked == (
        '<p>{{ _("Page %(page)s of %(pages)s", page=page, pages=pages) }}</p>'
        "<code>raw id</code><input placeholder=\"{{ _('Find it') }}\">"
    )
    assert scan.unmarked(marked) == []


@pytest.mark.slow
def test_the_message_template_is_up_to_date(tmp_path: Path) -> None:
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [
            str(Path(sys.executable).parent / "pybabel"),
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-o",
            str(fresh),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with POT.open("rb") as committed, fresh.open("rb") as extracted:
        old = {m.id for m in read_po(committed) if m.id}
        new = {m.id for m in read_po(extracted) if m.id}
    assert new - old == set(), "new strings: run `make messages` and commit the template"
    assert old - new == set(), "strings gone: run `make messages` and commit the template"
    assert "Sign in" in new
    assert "Close the books" in new


def test_a_translated_catalogue_is_served_to_who_asks_for_it(
    connection: Connection, tmp_path: Path, login: Callable[..., object]
) -> None:
    catalog = Catalog(locale="bn")
    catalog.add("Sign in", "সাইন ইন")
    catalog.add("Page %(page)s of %(pages)s (%(total)s workers)", "পৃষ্ঠা %(page)s / %(pages)s")
    folder = tmp_path / "bn" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "messages.mo").open("wb") as mo:
        write_mo(mo, catalog)
    app = create_app(
        {
            "DB_BIND": connection,
            "SECRET_KEY": "test",
            "TESTING": True,
            "BABEL_TRANSLATION_DIRECTORIES": str(tmp_path),
        }
    )
    client: FlaskClient = app.test_client()
    bengali = client.get("/login", headers={"Accept-Language": "bn-BD,bn;q=0.9,en;q=0.5"})
    page = bengali.get_data(as_text=True)
    assert "সাইন ইন" in page
    assert '<html lang="bn">' in page
    english = client.get("/login", headers={"Accept-Language": "de,en;q=0.5"}).get_data(
        as_text=True
    )
    assert "সাইন ইন" not in english
    assert "Sign in" in english
    assert '<html lang="en">' in english
