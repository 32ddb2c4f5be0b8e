"""spreiding/formats is pure like the contract reader: importing it loads no database driver,
web framework or PDF library (lint-imports checks the imports; this, what is loaded)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.test_architecture import HEAVY, ROOT


@pytest.mark.parametrize(
    "module",
    ["spreiding.formats.pseudonyms", "spreiding.formats.zh308", "spreiding.formats.opendis"],
)
def test_a_formats_module_loads_no_io_library(module: str) -> None:
    probe = (
        f"import sys, {module}\n"
        f"print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert loaded == []
