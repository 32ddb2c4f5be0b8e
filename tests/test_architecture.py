"""Dependencies point one way: api -> settlement -> spreiding (docs/architecture.md).

The one exception is the composition root ``spreiding.cli``, which may import all three and
which nothing imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COMPOSITION_ROOT = "spreiding.cli"
FORBIDDEN = {
    "spreiding": {"settlement", "api", "fastapi", "reportlab"},
    "settlement": {"api", "fastapi", "reportlab", "sqlalchemy", "sqlmodel", "alembic", "os"},
    "api": set(),
}


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def name_of(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layers_import_only_downwards(package: str) -> None:
    breaches = []
    for path in modules(package):
        if name_of(path) == COMPOSITION_ROOT:
            continue
        for imported in imports(path):
            top = imported.split(".")[0]
            if top in FORBIDDEN[package] or imported == COMPOSITION_ROOT:
                breaches.append(f"{name_of(path)} imports {imported}")
    assert breaches == []


def test_the_walk_sees_real_imports() -> None:
    assert "settlement.netting" in imports(ROOT / "settlement" / "engine.py")
    assert "settlement.engine" in imports(ROOT / "spreiding" / "cli.py")
