"""English first, every string ready for translation: marked, collected, served when translated."""

from __future__ import annotations

import ast
import functools
import importlib.util
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask.testing import FlaskClient
from sqlalchemy import Connection

from fund import create_app
from fund.extensions import babel
from tests.conftest import BrowserLikeClient, People, csrf_token_from

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


@pytest.fixture(autouse=True)
def no_cached_catalogues() -> Iterator[None]:
    """Forget loaded catalogues around each test.

    Flask-Babel caches them on the one ``babel`` extension, keyed by locale alone: a catalogue
    built by one test would otherwise be served to the next test's app, whatever its directories.
    """
    vars(babel).pop("domain_instance", None)  # a cached_property: the next request builds anew
    yield
    vars(babel).pop("domain_instance", None)


def bengali_client(
    connection: Connection, tmp_path: Path, translations: dict[str, str]
) -> FlaskClient:
    """A client of an app whose only catalogue is Bengali with ``translations``; asks for bn."""
    catalog = Catalog(locale="bn")
    for english, bengali in translations.items():
        catalog.add(english, bengali)
    folder = tmp_path / "bn" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "messages.mo").open("wb") as mo:
        write_mo(mo, catalog)
    app = create_app(
        {
            "DB_BIND": connection,
            "SECRET_KEY": "test",
            "TESTING": True,
            "SERVER_NAME": "localhost",
            "BABEL_TRANSLATION_DIRECTORIES": str(tmp_path),
        }
    )
    app.test_client_class = BrowserLikeClient
    client: FlaskClient = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "bn-BD,bn;q=0.9,en;q=0.5"
    return client


def test_a_translated_catalogue_is_served_to_who_asks_for_it(
    connection: Connection, tmp_path: Path
) -> None:
    client = bengali_client(
        connection,
        tmp_path,
        {
            "Sign in": "সাইন ইন",
            "Page %(page)s of %(pages)s (%(total)s workers)": "পৃষ্ঠা %(page)s / %(pages)s",
        },
    )
    page = client.get("/login").get_data(as_text=True)
    assert "সাইন ইন" in page
    assert '<html lang="bn">' in page
    english = client.get("/login", headers={"Accept-Language": "de,en;q=0.5"}).get_data(
        as_text=True
    )
    assert "সাইন ইন" not in english
    assert "Sign in" in english
    assert '<html lang="en">' in english


# A flash message is a sentence the fund composes in a view; it reaches the page in the
# language of the request that flashed it, so it must go through gettext there.
MARKERS = frozenset({"_", "gettext", "ngettext", "lazy_gettext", "_l"})


def _is_marked(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in MARKERS
    )


def _has_literal_text(node: ast.expr) -> bool:
    """Whether ``node`` holds English written in the source outside a gettext call."""
    if _is_marked(node):
        return False
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    return any(
        _has_literal_text(child)
        for child in ast.iter_child_nodes(node)
        if isinstance(child, ast.expr)
    )


def _called(node: ast.Call) -> str | None:
    return node.func.id if isinstance(node.func, ast.Name) else None


def unmarked_flashes(source: str) -> list[int]:
    """Lines where a flash message, or one handed to a helper that flashes it, is not marked."""
    tree = ast.parse(source)
    # A helper such as ``_decided(claim, message)`` that flashes one of its own parameters
    # is a flash too: what its callers pass it must be marked.
    flashers: dict[str, int] = {"flash": 0}
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef):
            continue
        names = [argument.arg for argument in function.args.args]
        for call in ast.walk(function):
            if (
                isinstance(call, ast.Call)
                and _called(call) == "flash"
                and call.args
                and isinstance(call.args[0], ast.Name)
                and call.args[0].id in names
            ):
                flashers[function.name] = names.index(call.args[0].id)
    return [
        call.lineno
        for call in ast.walk(tree)
        if isinstance(call, ast.Call)
        and (name := _called(call)) in flashers
        and len(call.args) > flashers[name]
        and _has_literal_text(call.args[flashers[name]])
    ]


def test_every_flash_message_is_marked_for_translation() -> None:
    found = {
        str(path.relative_to(ROOT)): unmarked_flashes(path.read_text(encoding="utf-8"))
        for path in (ROOT / "fund").rglob("views.py")
    }
    assert {path: lines for path, lines in found.items() if lines} == {}


def test_the_flash_check_finds_english_not_marked() -> None:
    source = """
def _decided(claim, message):
    flash(message, "success")

def view(event, error, name):
    flash("Say why.", "error")
    flash(f"Recorded: {event.title}.", "success")
    flash("Check the form: " + name, "error")
    _decided(event, f"Referred to {name}.")
    flash(_("Say why."), "error")
    flash(_("Recorded: %(title)s.", title=event.title), "success")
    flash(str(error), "error")
    _decided(event, _("Accepted."))
"""
    assert unmarked_flashes(source) == [6, 7, 8, 9]


def test_a_flash_message_is_served_in_the_language_asked_for(
    connection: Connection, tmp_path: Path, users: People
) -> None:
    client = bengali_client(
        connection,
        tmp_path,
        {
            "That username and password do not match an active account.": (
                "এই ব্যবহারকারীর নাম ও পাসওয়ার্ড কোনো সক্রিয় অ্যাকাউন্টের সাথে মেলে না।"
            ),
            "%(username)s is now %(role)s.": "%(username)s এখন %(role)s।",
        },
    )
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    refused = client.post(
        "/login", data={"csrf_token": token, "username": "nobody", "password": "wrong"}
    ).get_data(as_text=True)
    assert "কোনো সক্রিয় অ্যাকাউন্টের সাথে মেলে না" in refused
    assert "do not match" not in refused

    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    signed_in = client.post(
        "/login",
        data={"csrf_token": token, "username": users.admin.username, "password": users.password},
    )
    assert signed_in.status_code == 302
    token = csrf_token_from(client.get("/users").get_data(as_text=True))
    changed = client.post(
        "/users/role",
        data={"csrf_token": token, "change-username": "auditor", "change-role": "accountant"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "auditor এখন accountant।" in changed
