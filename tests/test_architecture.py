"""The layers of docs/architecture.md hold transitively: `lint-imports` (run by `make test`)
checks every import against the contracts in pyproject.toml; here, importing an engine or a
domain module must not load a database driver, a web framework or a PDF library at all."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("sqlalchemy", "sqlmodel", "alembic", "psycopg", "fastapi", "starlette", "reportlab")


def pure_modules() -> list[str]:
    names = ["settlement", "spreiding.domain"]
    for package in ("settlement", "spreiding.domain"):
        path = ROOT.joinpath(*package.split("."))
        names += [f"{package}.{info.name}" for info in pkgutil.walk_packages([str(path)])]
    return sorted(set(names))


@pytest.mark.parametrize("module", pure_modules())
def test_a_pure_module_loads_no_io_library(module: str) -> None:
    probe = (
        f"import sys, {module}\n"
        f"print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert loaded == []


def test_the_probe_sees_a_heavy_import() -> None:
    probe = "import sys, spreiding.store.tables; print('sqlalchemy' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "True"


PRODUCT = ("spreiding", "settlement", "api")
MAX_LINES = 400


def test_no_product_module_is_over_400_lines() -> None:
    """A module a reader can hold in their head (docs/architecture.md): split a module before
    it grows past 400 lines."""
    over = {
        str(path.relative_to(ROOT)): lines
        for package in PRODUCT
        for path in sorted((ROOT / package).rglob("*.py"))
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert over == {}
