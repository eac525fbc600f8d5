"""The import layers of pyproject.toml ([tool.importlinter]) hold, and they can fail.

``lint-imports`` (run by ``make lint``) reads the contracts; here it runs on the real tree and on
a copy of the tree with one forbidden import written in, which must break the contract named.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
PACKAGES = ("fund", "ledger", "imports", "dbtools")


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    """Run lint-imports on ``tree``: its own packages come first on the path, not the installed."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(tree / "pyproject.toml")],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )


def copy_tree(target: Path) -> Path:
    """The packages' Python files and pyproject.toml, copied under ``target``."""
    for package in PACKAGES:
        shutil.copytree(ROOT / package, target / package, ignore=_not_python)
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    return target


def _not_python(directory: str, names: list[str]) -> set[str]:
    return {
        name for name in names if not name.endswith(".py") and not (Path(directory) / name).is_dir()
    }


def test_the_tree_keeps_every_contract() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_clean_copy_keeps_every_contract(tmp_path: Path) -> None:
    result = lint_imports(copy_tree(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "bad_import", "contract", "broken"),
    [
        (
            "ledger/money.py",
            "import fund.db",
            "ledger and imports are libraries: they know nothing of the app or of Flask",
            "ledger.money -> fund.db",
        ),
        (
            "imports/roll.py",
            "import flask",
            "ledger and imports are libraries: they know nothing of the app or of Flask",
            "imports.roll -> flask",
        ),
        (
            "dbtools/bulk.py",
            "import ledger.models",
            "dbtools is the bottom: nothing of fund, ledger, imports or Flask",
            "dbtools.bulk -> ledger.models",
        ),
        (
            "fund/rolls/services.py",
            "import fund.disbursements.services",
            "Areas in layers: a service imports only its own area and the areas below it",
            "fund.rolls is not allowed to import fund.disbursements",
        ),
        (
            "fund/factories/models.py",
            "import fund.events.services",
            "Areas in layers: a service imports only its own area and the areas below it",
            "fund.factories is not allowed to import fund.events",
        ),
        (
            "fund/events/models.py",
            "import fund.events.views",
            "Within an area: entrypoints (web, API, CLI, demo) over services over models",
            "fund.events.models -> fund.events.views",
        ),
        (
            "fund/entitlements/services.py",
            "import fund.events.services",
            "No cycles between the areas of the fund",
            ".entitlements -> .events",
        ),
        (
            "fund/rolls/services.py",
            "import fund.jobs.services",
            "Areas in layers: a service imports only its own area and the areas below it",
            "fund.rolls is not allowed to import fund.jobs",
        ),
        (
            "fund/display.py",
            "import fund.rolls.services",
            "Areas in layers: a service imports only its own area and the areas below it",
            "fund.display is not allowed to import fund.rolls",
        ),
        (
            # Segregation of duties sits beside the roles: granting a role needs no control.
            "fund/auth/services.py",
            "import fund.controls.approvals",
            "Areas in layers: a service imports only its own area and the areas below it",
            "fund.auth is not allowed to import fund.controls",
        ),
    ],
)
def test_a_forbidden_import_breaks_its_contract(
    tmp_path: Path, module: str, bad_import: str, contract: str, broken: str
) -> None:
    tree = copy_tree(tmp_path)
    path = tree / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{bad_import}\n", encoding="utf-8")
    result = lint_imports(tree)
    assert result.returncode == 1, result.stdout + result.stderr
    report = " ".join(result.stdout.split())
    assert f"{contract} BROKEN" in report
    assert broken in report
