"""Vectorised checks over one file's raw frame: each flags the rows that break a rule and
builds a message only for those. Example: ``rows.date("start_date")`` on the value
``2024-02-30`` reports ``dbcs.csv:7: start_date: '2024-02-30' is not a date YYYY-MM-DD``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from spreiding.contract.cells import FORMULA_STARTS, formula_message
from spreiding.contract.dates import parse_dates
from spreiding.contract.files import DECIMAL_COMMA, LINE, UNREADABLE
from spreiding.contract.money_cells import money_masks
from spreiding.contract.ranks import key_codes
from spreiding.contract.tally import Tally
from spreiding.domain import identifiers
from spreiding.domain.errors import DatasetError

DATE_PATTERN = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
HOURS_PATTERN = r"[0-9]+(\.[0-9]{1,2})?"
# A yes/no as typed, in lower case, and what it means: as Excel writes it (English and Dutch).
BOOLEANS = {
    "true": "true",
    "false": "false",
    "waar": "true",
    "onwaar": "false",
    "1": "true",
    "0": "false",
}
# Each meaning's spellings, for Arrow to look up (Rows.boolean).
_SPELLED = {
    meaning: pa.array([typed for typed, means in BOOLEANS.items() if means == meaning])
    for meaning in ("true", "false")
}


class Rows:
    """A raw frame of one file and the error list its checks append to."""

    def __init__(
        self,
        file: str,
        frame: pd.DataFrame,
        errors: list[DatasetError],
        *,
        tally: Tally | None = None,
    ):
        self.file = file
        self.frame = frame
        self.errors = errors
        # Cells reported as unreadable already (files.storable_rows): nothing more to say.
        self.unreadable: set[tuple[int, str]] = frame.attrs.get(UNREADABLE, set())
        # Columns of a ';' file whose decimal comma is read as a point (files.read_csv).
        self.decimal_comma: tuple[str, ...] = frame.attrs.get(DECIMAL_COMMA, ())
        # A tally shared with the other blocks of one file: the counts of the rest are the
        # whole file's, taken from it at the end (Tally.counts); otherwise each check's own.
        self.tally = tally
        self.calls: dict[tuple[str, object], int] = {}
        # What the checks computed that typing the rows needs again (reader._typed): the
        # parsed dates of a column; the rows' positions in the order of a key's values (by
        # its codes, ``ranks.key_codes``), where every row has the key.
        self.dates: dict[str, pd.Series] = {}
        self.orders: dict[tuple[str, ...], np.ndarray] = {}

    def __getitem__(self, column: str) -> pd.Series:
        return self.frame[column]

    def flag(
        self, mask: pd.Series, column: str, message: str | Callable[[pd.Series], str]
    ) -> pd.Series:
        """Report ``message`` for each row where ``mask`` holds, the first ``MAX_SAME`` of them
        one by one and the rest as one line that counts them (``contract.tally``); return the
        mask."""
        mask = mask.fillna(False).astype(bool)
        # A check is known across blocks by its column, its message (the lambda's code) and
        # how many checks of that column and message this frame ran before it.
        what = getattr(message, "__code__", message)
        seen = self.calls.get((column, what), 0)
        self.calls[(column, what)] = seen + 1
        if mask.any():
            bad = self.frame.loc[mask]
            lines = bad[LINE].to_numpy().tolist()
            if self.unreadable:
                lines = [n for n in lines if (n, column) not in self.unreadable]
            tally = self.tally if self.tally is not None else Tally()
            shown = tally.record((column, what, seen), column, lines)
            for _, row in bad.loc[bad[LINE].isin(shown)].iterrows():
                line = int(row[LINE])
                text = message(row) if callable(message) else message
                self.errors.append(DatasetError(self.file, line, column, text))
            if self.tally is None:
                # One line for the rest of one cause in one column, not a cascade (issue 15).
                self.errors.extend(tally.counts(self.file))
        return mask

    def present(self, column: str) -> pd.Series:
        return self.frame[column] != ""

    def required(self, *columns: str) -> None:
        for column in columns:
            self.flag(~self.present(column), column, "a value is required")

    def code(self, column: str, code: identifiers.DigitCode) -> pd.Series:
        """Flag values that are not ``code``; return where the value is well formed."""
        values = self.frame[column]
        ok = digits(values, code.length)
        self.flag(
            self.present(column) & ~ok,
            column,
            lambda row: code_message(code, row[column]),
        )
        return ok

    def choice(self, column: str, options: Iterable[str]) -> None:
        options = tuple(options)
        self.flag(
            self.present(column) & ~isin(self.frame[column], options),
            column,
            lambda row: f"{row[column]!r} is not one of {', '.join(options)}",
        )

    def date(self, column: str) -> pd.Series:
        """Flag values that are not a date; return the parsed dates (NaT where none)."""
        values = self.frame[column]
        parsed = pd.Series(parse_dates(values), index=values.index)
        self.dates[column] = parsed
        self.flag(
            self.present(column) & parsed.isna(),
            column,
            lambda row: f"{row[column]!r} is not a date YYYY-MM-DD",
        )
        return parsed

    def number(self, column: str) -> pd.Series:
        """The column's values with a decimal comma read as a point where the file allows it;
        the frame keeps the cells as typed until ``settle`` writes these back."""
        values = self.frame[column]
        if column in self.decimal_comma:
            return values.str.replace(",", ".", regex=False)
        return values

    def settle(self, column: str, values: pd.Series) -> None:
        self.frame[column] = values

    def money(self, column: str, *, negative_allowed: bool) -> None:
        values = self.number(column)
        masks = money_masks(values)
        self.flag(
            masks.misshaped,
            column,
            lambda row: (
                f"{row[column]!r} is not an amount in euros with '.' and at most two decimals"
            ),
        )
        self.flag(
            masks.too_long,
            column,
            lambda row: f"{row[column]!r} is out of range (at most 13 digits before the point)",
        )
        if not negative_allowed:
            self.flag(
                masks.negative,
                column,
                lambda row: f"{row[column]} is negative; only a positive amount is allowed here",
            )
        self.settle(column, values)

    def hours(self, column: str) -> None:
        """A number of hours in a day: at most two decimals, more than 0, at most 24 (v2)."""
        values = self.number(column)
        shaped = values.str.fullmatch(HOURS_PATTERN).fillna(False).astype(bool)
        self.flag(
            self.present(column) & ~shaped,
            column,
            lambda row: (
                f"{row[column]!r} is not a number of hours with '.' and at most two decimals"
            ),
        )
        # At most 3 digits before the point once the leading zeros are gone: the float below
        # only sorts out the range, it decides nothing finer than whole hundredths.
        whole = values.where(shaped, "0").str.split(".").str[0].str.lstrip("0")
        amount = pd.to_numeric(values.where(shaped & (whole.str.len() <= 3), "99999"))
        self.flag(
            shaped & ((amount <= 0) | (amount > 24)),
            column,
            lambda row: f"hours {row[column]} must be more than 0 and at most 24",
        )
        self.settle(column, values)

    def identifier(self, column: str, identifier: identifiers.Identifier) -> pd.Series:
        """Flag values ``identifier`` refuses, with its message; return where valid."""
        values = self.frame[column]
        present = self.present(column)
        ok = pd.Series(False, index=self.frame.index)
        if present.any():
            ok.loc[present] = values[present].map(identifier.is_valid).astype(bool)
        self.flag(present & ~ok, column, lambda row: _refusal(identifier, row[column]))
        return ok

    def boolean(self, column: str) -> None:
        """Flag values that are no yes/no; write the others as ``true``/``false`` in the frame,
        whichever spelling Excel used (``TRUE``, ``WAAR``, ``1``; any case)."""
        values = self.frame[column]
        lowered = values.str.lower()
        self.flag(
            self.present(column) & ~isin(lowered, BOOLEANS),
            column,
            lambda row: f"{row[column]!r} is not true or false",
        )
        array = pa.array(lowered, from_pandas=True)
        written = pc.if_else(
            pc.is_in(array, value_set=_SPELLED["true"]),
            "true",
            pc.if_else(
                pc.is_in(array, value_set=_SPELLED["false"]),
                "false",
                pa.array(values, from_pandas=True),
            ),
        )
        self.frame[column] = pd.Series(pd.array(written, dtype=values.dtype), index=values.index)

    def reference(
        self, column: str, known: Collection[str] | None, what: str, *, shaped: pd.Series
    ) -> None:
        """Flag well-formed (``shaped``) values that are not in ``known``."""
        if known is None:
            return
        values = self.frame[column]
        self.flag(
            shaped & ~isin(values, known),
            column,
            lambda row: f"{row[column]} is not in {what}",
        )

    def unique(self, *columns: str, codes: np.ndarray | None = None) -> None:
        """Flag each row whose values in ``columns`` (all present) an earlier row has.
        ``codes``: the rows' keys as integers, if the caller has them (``ranks.pair_codes``)."""
        keys = list(columns)
        present = np.logical_and.reduce([self.present(c).to_numpy() for c in keys])
        if codes is None:
            codes = key_codes([self.frame[c] for c in keys])
        if codes is not None:
            if present.all():
                order = np.argsort(codes, kind="stable")
                self.orders[columns] = order
                kept = codes[order]
            else:
                kept = np.sort(codes[present])
            if not (kept[1:] == kept[:-1]).any():
                return
        frame = self.frame.loc[present]
        duplicated = frame.duplicated(keys, keep="first")
        if duplicated.any():
            first: dict[object, int] = (
                frame.groupby(keys, sort=False)[LINE].transform("min").to_dict()
            )
            label = ", ".join(keys)
            mask = pd.Series(False, index=self.frame.index)
            mask.loc[duplicated.index[duplicated.to_numpy()]] = True
            self.flag(
                mask,
                columns[-1],
                lambda row: (
                    f"duplicate ({label}) = ({', '.join(row[c] for c in keys)}); "
                    f"first on line {first[row.name]}"
                ),
            )

    def no_formula(self, *columns: str) -> None:
        """An id that a spreadsheet would run as a formula is refused (issue 8 item 7): exports
        neutralise such cells, but an id is also copied, typed and compared by hand."""
        for column in columns:
            values = self.frame[column]
            starts = values.str.startswith(FORMULA_STARTS).fillna(False).astype(bool)
            self.flag(starts, column, _formula_in(column))

    def no_bsn(self, column: str) -> None:
        """A pseudonym that is a valid BSN is refused: raw BSNs never enter the system."""
        values = self.frame[column]
        nine = values.str.fullmatch(r"[0-9]{9}").fillna(False).astype(bool)
        if nine.any():
            candidates = values[nine]
            is_bsn = candidates.map(identifiers.bsn.is_valid).astype(bool)
            mask = pd.Series(False, index=self.frame.index)
            mask.loc[candidates.index[is_bsn.to_numpy()]] = True
            self.flag(
                mask,
                column,
                "looks like a BSN (9 digits passing the 11-check); use the alliance's pseudonym",
            )


def _refusal(identifier: identifiers.Identifier, value: str) -> str:
    try:
        identifier.validate(value)
    except identifiers.InvalidIdentifier as exc:
        return str(exc)
    return f"{value!r} is not valid"


def _formula_in(column: str) -> Callable[[pd.Series], str]:
    return lambda row: formula_message(row[column]) or ""


def code_message(code: identifiers.DigitCode, value: str) -> str:
    if value.isascii() and value.isdigit() and len(value) == code.length - 1:
        # Excel's General format drops a leading zero (06010101 -> 6010101).
        return (
            f"{code.label} {value!r} has {len(value)} digits, must have {code.length} "
            "(leading zero lost? format the column as text)"
        )
    try:
        code.validate(value)
    except identifiers.InvalidIdentifier as exc:
        return str(exc)
    return f"{code.label} {value!r} must be written as {code.length} digits without separators"


def digits(values: pd.Series, length: int) -> pd.Series:
    """Where a value is ``length`` ASCII digits (``[0-9]{length}`` in full), in two Arrow
    kernels rather than a regular expression."""
    array = pa.array(values, from_pandas=True)
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        return values.str.fullmatch(rf"[0-9]{{{length}}}").fillna(False).astype(bool)
    ok = pc.and_(pc.equal(pc.binary_length(array), length), pc.ascii_is_decimal(array))
    return pd.Series(
        np.asarray(ok.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool),
        index=values.index,
    )


def isin(values: pd.Series, known: Iterable[str] | pd.Series) -> pd.Series:
    """``values.isin(known)`` as one hash lookup in Arrow (pandas would loop in Python)."""
    if isinstance(known, pd.Series):
        value_set = pa.array(known.astype("str"), type=pa.string())
    else:
        value_set = pa.array(list(known), type=pa.string())
    found = pc.is_in(pa.array(values.astype("str"), type=pa.string()), value_set=value_set)
    return pd.Series(found.fill_null(False).to_numpy(zero_copy_only=False), index=values.index)


def key(left: pd.Series, right: pd.Series) -> pd.Series:
    return left + "\x1f" + right


def dbc_keys(frame: pd.DataFrame | None) -> pd.Series | None:
    if frame is None:
        return None
    return key(frame["agb"], frame["dbc_id"])
