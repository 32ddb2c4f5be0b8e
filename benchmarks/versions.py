"""The releases a benchmark ran on, printed with its figures: the dependencies are bounded from
below only, so a fresh install takes the newest, and figures of two runs compare only with the
releases beside them (issue 10: the API answered half as many requests a second on the same
code a session later, with no record of what it had run on before)."""

from __future__ import annotations

import platform
from importlib.metadata import PackageNotFoundError, version

PACKAGES = (
    "pandas",
    "pyarrow",
    "numpy",
    "duckdb",
    "fastapi",
    "starlette",
    "uvicorn",
    "SQLAlchemy",
    "psycopg",
    "reportlab",
)


def versions() -> str:
    """One line: Python and each package's installed release (``-`` where it is not)."""
    found = []
    for package in PACKAGES:
        try:
            found.append(f"{package} {version(package)}")
        except PackageNotFoundError:
            found.append(f"{package} -")
    return f"Python {platform.python_version()}; " + ", ".join(found)
