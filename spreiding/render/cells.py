"""Text cells that a spreadsheet will not execute.

A CSV or XLSX cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return,
which some spreadsheets skip before looking) is read by Excel and LibreOffice as a formula:
``=HYPERLINK("http://evil.example/x","click")`` in a transfer id becomes a live link in an
insurer's export (OWASP "CSV injection"). Every text cell the project writes goes through
``safe_text``, which puts a single quote before such a value: the spreadsheet shows the text as
it was typed and runs nothing. Numbers are written as numbers and need no guard.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    """``value`` as a cell no spreadsheet reads as a formula: ``'=1+1`` for ``=1+1``."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value
