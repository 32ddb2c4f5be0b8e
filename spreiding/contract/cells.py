"""What any value of a dataset must be before its meaning is checked: storable, of a bounded
size, and — for an id — not something a spreadsheet would run (docs/data-format.md §1, "Limits").

Example: a ``transfer_id`` of ``=HYPERLINK("http://evil.example/x","click")`` is refused with
``'=HYPERLINK("http://evil.example/x","click")' starts with '='; an id may not start with =, +,
-, @, a tab or a carriage return (a spreadsheet would run it as a formula)``; a cell of 200,000
characters with ``is 200,000 characters long; a value has at most 1,000``.
"""

from __future__ import annotations

import reprlib

# Long enough for any name or pseudonym; short enough that a message quoting a value stays a line.
MAX_CHARS = 1_000
# A CSV header is at most a few hundred characters; reading stops here (a csv field may not
# exceed 131,072 characters, and a header line without a newline would be read whole).
MAX_HEADER_CHARS = 10_000
# A spreadsheet (Excel, LibreOffice) runs a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# PostgreSQL text cannot hold U+0000; SQLite would store it and hand it to every reader.
NUL = "\x00"
NUL_MESSAGE = "contains a NUL character (\\x00), which no value may hold"


def too_long(length: int) -> str:
    return f"is {length:,} characters long; a value has at most {MAX_CHARS:,}"


def formula_message(value: str) -> str | None:
    """Why ``value`` may not be an id, or None when it may."""
    if not value.startswith(FORMULA_STARTS):
        return None
    return (
        f"{shown(value)} starts with {value[0]!r}; an id may not start with =, +, -, @, "
        "a tab or a carriage return (a spreadsheet would run it as a formula)"
    )


def unstorable(value: str) -> str | None:
    """Why ``value`` cannot be stored as it is, or None when it can."""
    if len(value) > MAX_CHARS:
        return too_long(len(value))
    if NUL in value:
        return NUL_MESSAGE
    return None


_REPR = reprlib.Repr()
_REPR.maxstring = 80
_REPR.maxother = 80
_REPR.maxlong = 40
_REPR.maxlevel = 2
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = 6


def shown(value: object) -> str:
    """``repr(value)`` for a message: the same for a short value; a long string, a deep or
    large JSON value cut short (``[[[...]]]``), so a message stays one readable line."""
    return _REPR.repr(value)
