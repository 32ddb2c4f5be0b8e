"""Parsing the fields of ``agreements.json``: each parser takes a JSON value and its path,
returns the typed value, or records a ``DatasetError`` and raises ``Invalid``.

Example: ``FieldParser(...).day("2024-13-01", "valid_from")`` records ``agreements.json:0:
valid_from: '2024-13-01' is not a date YYYY-MM-DD`` (0: the agreement's index in the list).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from spreiding.contract.cells import (
    MAX_CHARS,
    NUL,
    formula_message,
    shown,
    too_long,
    unstorable,
)
from spreiding.domain import identifiers
from spreiding.domain.agreements import FILE
from spreiding.domain.errors import DatasetError
from spreiding.domain.money import InvalidAmount, parse_eur, parse_share


class Invalid(Exception):
    """A value could not be parsed; the error has been recorded."""


# A share with more decimals than this is no agreed percentage; more would overflow the
# engine's integer arithmetic and the stored share text (docs/data-format.md §1, "Limits").
MAX_SHARE_DECIMALS = 6


class LongNumber:
    """A JSON number of more than ``MAX_CHARS`` characters, left unconverted: Python refuses
    to convert an integer of more than 4,300 digits, and no field needs more than a few."""

    def __init__(self, text: str):
        self.length = len(text)

    def __repr__(self) -> str:
        return f"a number of {self.length:,} characters"


def json_number(convert: Callable[[str], Any]) -> Callable[[str], Any]:
    """A ``parse_int`` / ``parse_float`` for ``json.loads`` that keeps a huge number a
    ``LongNumber``."""

    def parse(text: str) -> Any:
        return LongNumber(text) if len(text) > MAX_CHARS else convert(text)

    return parse


def unstorable_values(value: Any, path: str) -> list[tuple[str, str]]:
    """``(path, message)`` for each string, field name or number in ``value`` that is too long
    to check or cannot be stored. Iterative: a deeply nested value cannot exhaust the stack."""
    found: list[tuple[str, str]] = []
    stack: list[tuple[Any, str]] = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            message = unstorable(item)
            if message is not None:
                found.append((where, message))
        elif isinstance(item, LongNumber):
            found.append((where, too_long(item.length)))
        elif isinstance(item, dict):
            for key, child in item.items():
                if len(key) > MAX_CHARS or NUL in key:
                    found.append((where, f"has a field name that {unstorable(key)}"))
                else:
                    stack.append((child, f"{where}.{key}" if where else key))
        elif isinstance(item, list):
            stack.extend((child, f"{where}[{i}]") for i, child in enumerate(item))
    return found


@dataclass
class FieldParser:
    hospitals: Collection[str]
    insurers: Collection[str]
    price_lists: Collection[str] | None
    errors: list[DatasetError] = field(default_factory=list)
    index: int = 0

    def error(self, path: str, message: str) -> None:
        self.errors.append(DatasetError(FILE, self.index, path or "(agreement)", message))

    def fields(
        self, obj: Any, path: str, *, required: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> dict[str, Any]:
        if not isinstance(obj, dict):
            self.error(path, f"must be an object, not {type(obj).__name__}")
            raise Invalid
        prefix = f"{path}." if path else ""
        for key in obj:
            if key not in required and key not in optional:
                self.error(f"{prefix}{key}", "unknown field")
        for key in required:
            if key not in obj:
                self.error(f"{prefix}{key}", "required field is missing")
        return obj

    def get(
        self, obj: dict[str, Any], key: str, path: str, parse: Callable[[Any, str], Any]
    ) -> Any:
        """Parse ``obj[key]``; a missing key is reported (``fields`` may have done so already:
        the same error twice is shown once)."""
        full = f"{path}.{key}" if path else key
        if key not in obj:
            self.error(full, "required field is missing")
            raise Invalid
        return parse(obj[key], full)

    def text(self, value: Any, path: str) -> str:
        if not isinstance(value, str) or not value.strip():
            self.error(path, "must be a non-empty string")
            raise Invalid
        return value

    def optional_text(self, value: Any, path: str) -> str | None:
        return None if value is None else self.text(value, path)

    def id_text(self, value: Any, path: str) -> str:
        """An id: text that no spreadsheet would run as a formula."""
        text = self.text(value, path)
        message = formula_message(text)
        if message is not None:
            self.error(path, message)
            raise Invalid
        return text

    def optional_id(self, value: Any, path: str) -> str | None:
        return None if value is None else self.id_text(value, path)

    def choice(self, options: tuple[str, ...]) -> Callable[[Any, str], str]:
        def parse(value: Any, path: str) -> str:
            if value not in options:
                self.error(path, f"{shown(value)} is not one of {', '.join(options)}")
                raise Invalid
            return str(value)

        return parse

    def day(self, value: Any, path: str) -> date:
        if isinstance(value, str) and len(value) == 10:
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.error(path, f"{shown(value)} is not a date YYYY-MM-DD")
        raise Invalid

    def optional_day(self, value: Any, path: str) -> date | None:
        return None if value is None else self.day(value, path)

    def hospital(self, value: Any, path: str) -> str:
        if not isinstance(value, str):
            self.error(path, f"{shown(value)} is not an AGB code (a string of 8 digits)")
            raise Invalid
        try:
            code = identifiers.agb.validate(value)
        except identifiers.InvalidIdentifier as exc:
            self.error(path, str(exc))
            raise Invalid from exc
        if code != value:
            self.error(path, f"{shown(value)} must be written as 8 digits without separators")
            raise Invalid
        if code not in self.hospitals:
            self.error(path, f"AGB {code} is not in hospitals.csv")
            raise Invalid
        return code

    def code_list(self, code: identifiers.DigitCode) -> Callable[[Any, str], tuple[str, ...]]:
        def parse(value: Any, path: str) -> tuple[str, ...]:
            if not isinstance(value, list):
                self.error(path, "must be a list")
                raise Invalid
            out: list[str] = []
            failed = False
            for i, item in enumerate(value):
                if not isinstance(item, str) or not code.is_valid(item) or len(item) != code.length:
                    self.error(
                        f"{path}[{i}]",
                        f"{shown(item)} is not a {code.label} of {code.length} digits",
                    )
                    failed = True
                elif item in out:
                    self.error(f"{path}[{i}]", f"{item} is listed twice")
                    failed = True
                else:
                    out.append(item)
            if failed:
                raise Invalid
            return tuple(out)

        return parse

    def price_list(self, value: Any, path: str) -> str:
        name = self.id_text(value, path)
        if self.price_lists is not None and name not in self.price_lists:
            self.error(path, f"price list {shown(name)} is not in prices.csv")
            raise Invalid
        return name

    def share(self, value: Any, path: str) -> Decimal:
        if not isinstance(value, str):
            self.error(path, f'{shown(value)} must be a decimal string such as "0.90"')
            raise Invalid
        try:
            share = parse_share(value)
        except InvalidAmount as exc:
            self.error(path, str(exc))
            raise Invalid from exc
        decimals = -int(share.as_tuple().exponent)
        if decimals > MAX_SHARE_DECIMALS:
            self.error(
                path, f"share has {decimals:,} decimals; at most {MAX_SHARE_DECIMALS} are allowed"
            )
            raise Invalid
        return share

    def fee(self, value: Any, path: str) -> int:
        if not isinstance(value, str):
            self.error(path, f'{shown(value)} must be a money string such as "1250.00"')
            raise Invalid
        try:
            return parse_eur(value)
        except InvalidAmount as exc:
            self.error(path, str(exc))
            raise Invalid from exc

    def insurer(self, value: Any, path: str) -> str:
        if not isinstance(value, str) or not identifiers.uzovi.is_valid(value) or len(value) != 4:
            self.error(path, f"{shown(value)} is not a UZOVI code of 4 digits")
            raise Invalid
        if value not in self.insurers:
            self.error(path, f"UZOVI {value} is not in insurers.csv")
            raise Invalid
        return value
