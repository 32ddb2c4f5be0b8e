"""Read a dataset folder and check every rule of CONTRACT §1, reporting all breaches.

Checks are vectorised over whole columns; a message is built only for a row that breaks a
rule, so a file of ten million valid lines is checked in seconds and one with 10,000 bad rows
yields 10,000 lines. Example of what a breach reads like::

    dbcs.csv:14: requesting_agb: required when odv is true

LINE counts the header as line 1 (a value spanning lines with a quoted newline shifts the
count, as in any line-oriented tool). Nothing is returned unless the whole dataset is valid.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from spreiding.contract.agreements import parse_agreements
from spreiding.domain import identifiers
from spreiding.domain.agreements import PHASES, Agreement
from spreiding.domain.dataset import (
    DBCS,
    DECLARATIONS,
    HOSPITALS,
    INSURERS,
    PRICES,
    SCHEMAS,
    TRANSFERS,
    Dataset,
    TableSchema,
    conform,
)
from spreiding.domain.errors import DatasetError, DatasetInvalid
from spreiding.domain.money import MAX_CENTS, MONEY_PATTERN

KINDS = ("umc", "topklinisch", "algemeen", "zbc")
STATUSES = ("planned", "performed", "cancelled")
DATE_PATTERN = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
LINE = "_line"


@dataclass(frozen=True)
class FileSpec:
    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    money: tuple[str, ...] = ()


def file_spec(schema: TableSchema) -> FileSpec:
    """The header rules of a file, from its schema: every column required unless the schema
    lets the file leave it out; money in euros."""
    return FileSpec(
        schema.file,
        required=tuple(schema.file_column(c) for c in schema.columns if c not in schema.optional),
        optional=tuple(schema.file_column(c) for c in schema.columns if c in schema.optional),
        money=tuple(schema.file_column(c) for c, kind in schema.columns.items() if kind == "cents"),
    )


SPECS = {schema.name: file_spec(schema) for schema in SCHEMAS}


def read_dataset(folder: Path | str) -> Dataset:
    """Read and validate ``folder``; raise ``DatasetInvalid`` with every error."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DatasetInvalid([DatasetError(str(folder), 0, "(folder)", "is not a folder")])
    errors: list[DatasetError] = []
    raw = {name: _read_csv(folder, spec, errors) for name, spec in SPECS.items()}

    hospitals = _known(raw["hospitals"], "agb")
    insurers = _known(raw["insurers"], "uzovi")
    price_lists = _known(raw["prices"], "price_list")

    agreements: list[Agreement] = []
    # None: the file could not be read, so references to agreements are not checked.
    agreement_ids: set[str] | None = None
    agreements_path = folder / "agreements.json"
    if not agreements_path.is_file():
        errors.append(DatasetError("agreements.json", 0, "(file)", "required file is missing"))
    else:
        try:
            text = agreements_path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            errors.append(DatasetError("agreements.json", 0, "(file)", f"not UTF-8: {exc.reason}"))
        else:
            agreements, agreement_errors, agreement_ids = parse_agreements(
                text,
                hospitals=hospitals if hospitals is not None else _Anything(),
                insurers=insurers if insurers is not None else _Anything(),
                price_lists=price_lists,
            )
            errors.extend(agreement_errors)

    checks: dict[str, Callable[[Rows], None]] = {
        "hospitals": _check_hospitals,
        "insurers": _check_insurers,
        "prices": _check_prices,
        "dbcs": lambda rows: _check_dbcs(rows, hospitals),
        "declarations": lambda rows: _check_declarations(
            rows, hospitals, insurers, _dbc_keys(raw["dbcs"])
        ),
        "transfers": lambda rows: _check_transfers(rows, hospitals, agreements, agreement_ids),
    }
    for name, check in checks.items():
        frame = raw[name]
        if frame is not None:
            check(Rows(SPECS[name].name, frame, errors))

    if errors:
        raise DatasetInvalid(errors)
    return _typed(raw, agreements, source=str(folder))


class _Anything(frozenset[str]):
    """Stands in for a reference set whose file could not be read: no cascade of errors."""

    def __contains__(self, item: object) -> bool:
        return True


def _known(frame: pd.DataFrame | None, column: str) -> set[str] | None:
    if frame is None:
        return None
    return set(frame[column][frame[column] != ""].unique())


# --- reading ------------------------------------------------------------------------------


def _read_csv(folder: Path, spec: FileSpec, errors: list[DatasetError]) -> pd.DataFrame | None:
    """The file's rows as strings (empty cell: ""), with the line number of each in ``_line``."""
    path = folder / spec.name
    optional_file = spec.name in ("declarations.csv", "transfers.csv")
    if not path.is_file():
        if not optional_file:
            errors.append(DatasetError(spec.name, 0, "(file)", "required file is missing"))
        return None
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            first = handle.readline()
    except UnicodeDecodeError as exc:
        errors.append(DatasetError(spec.name, 0, "(file)", f"not UTF-8: {exc.reason}"))
        return None
    if not first.strip():
        errors.append(DatasetError(spec.name, 1, "(header)", "the header row is missing"))
        return None
    # A Dutch spreadsheet export writes ';' between cells and a decimal comma.
    delimiter = ";" if ";" in first and "," not in first else ","
    header = next(csv.reader([first], delimiter=delimiter))
    if not _check_header(spec, header, errors):
        return None

    bad_rows: list[tuple[int, int]] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        bad_rows.append((row.number or 0, row.actual_columns))
        return "skip"

    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(use_threads=False, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, invalid_row_handler=on_invalid, ignore_empty_lines=False
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        errors.append(DatasetError(spec.name, 0, "(file)", f"cannot be read as CSV: {exc}"))
        return None
    for number, actual in bad_rows:
        errors.append(
            DatasetError(
                spec.name, number, "(row)", f"has {actual} cells, the header has {len(header)}"
            )
        )
    frame = table.to_pandas()
    for column in spec.required + spec.optional:
        if column not in frame:
            frame[column] = ""
        frame[column] = frame[column].astype("str").str.strip()
    lines = np.arange(2, len(frame) + len(bad_rows) + 2, dtype="int64")
    if bad_rows:
        lines = np.setdiff1d(lines, np.array([n for n, _ in bad_rows], dtype="int64"))
    frame[LINE] = lines[: len(frame)]
    blank = (frame[list(header)] == "").all(axis=1)
    if blank.any():
        for number in frame.loc[blank, LINE]:
            errors.append(DatasetError(spec.name, int(number), "(row)", "empty line"))
        frame = frame.loc[~blank].reset_index(drop=True)
    if delimiter == ";":
        for column in spec.money:
            frame[column] = frame[column].str.replace(",", ".", regex=False)
    return frame


def _check_header(spec: FileSpec, header: list[str], errors: list[DatasetError]) -> bool:
    ok = True
    allowed = set(spec.required) | set(spec.optional)
    seen: set[str] = set()
    for column in header:
        if column in seen:
            errors.append(DatasetError(spec.name, 1, column, "column appears twice"))
            ok = False
        elif column not in allowed:
            errors.append(DatasetError(spec.name, 1, column, "unknown column"))
            ok = False
        seen.add(column)
    for column in spec.required:
        if column not in seen:
            errors.append(DatasetError(spec.name, 1, column, "required column is missing"))
            ok = False
    return ok


# --- checks ------------------------------------------------------------------------------


class Rows:
    """A raw frame of one file and the error list its checks append to."""

    def __init__(self, file: str, frame: pd.DataFrame, errors: list[DatasetError]):
        self.file = file
        self.frame = frame
        self.errors = errors

    def __getitem__(self, column: str) -> pd.Series:
        return self.frame[column]

    def flag(
        self, mask: pd.Series, column: str, message: str | Callable[[pd.Series], str]
    ) -> pd.Series:
        """Report ``message`` for each row where ``mask`` holds; return the mask."""
        mask = mask.fillna(False).astype(bool)
        if mask.any():
            bad = self.frame.loc[mask]
            for _, row in bad.iterrows():
                text = message(row) if callable(message) else message
                self.errors.append(DatasetError(self.file, int(row[LINE]), column, text))
        return mask

    def present(self, column: str) -> pd.Series:
        return self.frame[column] != ""

    def required(self, *columns: str) -> None:
        for column in columns:
            self.flag(~self.present(column), column, "a value is required")

    def code(self, column: str, code: identifiers.DigitCode) -> pd.Series:
        """Flag values that are not ``code``; return where the value is well formed."""
        values = self.frame[column]
        ok = values.str.fullmatch(code.pattern).fillna(False).astype(bool)
        self.flag(
            self.present(column) & ~ok,
            column,
            lambda row: _code_message(code, row[column]),
        )
        return ok

    def choice(self, column: str, options: Iterable[str]) -> None:
        options = tuple(options)
        self.flag(
            self.present(column) & ~_isin(self.frame[column], options),
            column,
            lambda row: f"{row[column]!r} is not one of {', '.join(options)}",
        )

    def date(self, column: str) -> pd.Series:
        """Flag values that are not a date; return the parsed dates (NaT where none)."""
        values = self.frame[column]
        shaped = values.str.fullmatch(DATE_PATTERN).fillna(False).astype(bool)
        parsed = pd.to_datetime(values.where(shaped, None), format="%Y-%m-%d", errors="coerce")
        self.flag(
            self.present(column) & parsed.isna(),
            column,
            lambda row: f"{row[column]!r} is not a date YYYY-MM-DD",
        )
        return parsed

    def money(self, column: str, *, negative_allowed: bool) -> None:
        values = self.frame[column]
        shaped = values.str.fullmatch(MONEY_PATTERN).fillna(False).astype(bool)
        self.flag(
            self.present(column) & ~shaped,
            column,
            lambda row: (
                f"{row[column]!r} is not an amount in euros with '.' and at most two decimals"
            ),
        )
        whole_digits = values.str.lstrip("-").str.split(".").str[0].str.len()
        self.flag(
            shaped & (whole_digits > len(str(MAX_CENTS)) - 3),
            column,
            lambda row: f"{row[column]!r} is out of range (at most 13 digits before the point)",
        )
        if not negative_allowed:
            self.flag(
                shaped & values.str.startswith("-") & (values.str.strip("-0.") != ""),
                column,
                lambda row: f"{row[column]} is negative; only a positive amount is allowed here",
            )

    def boolean(self, column: str) -> None:
        self.flag(
            self.present(column) & ~_isin(self.frame[column], ("true", "false")),
            column,
            lambda row: f"{row[column]!r} is not true or false",
        )

    def reference(
        self, column: str, known: Collection[str] | None, what: str, *, shaped: pd.Series
    ) -> None:
        """Flag well-formed (``shaped``) values that are not in ``known``."""
        if known is None:
            return
        values = self.frame[column]
        self.flag(
            shaped & ~_isin(values, known),
            column,
            lambda row: f"{row[column]} is not in {what}",
        )

    def unique(self, *columns: str) -> None:
        keys = list(columns)
        present = np.logical_and.reduce([self.present(c) for c in keys])
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


def _code_message(code: identifiers.DigitCode, value: str) -> str:
    try:
        code.validate(value)
    except identifiers.InvalidIdentifier as exc:
        return str(exc)
    return f"{code.label} {value!r} must be written as {code.length} digits without separators"


def _check_hospitals(rows: Rows) -> None:
    rows.required("agb", "name", "kind")
    rows.code("agb", identifiers.agb)
    rows.choice("kind", KINDS)
    rows.unique("agb")


def _check_insurers(rows: Rows) -> None:
    rows.required("uzovi", "name")
    rows.code("uzovi", identifiers.uzovi)
    rows.unique("uzovi")


def _check_prices(rows: Rows) -> None:
    rows.required("price_list", "year", "zorgproduct_code", "price_eur")
    year = rows["year"]
    rows.flag(
        rows.present("year") & ~year.str.fullmatch(r"[0-9]{4}").fillna(False).astype(bool),
        "year",
        lambda row: f"{row['year']!r} is not a year YYYY",
    )
    rows.code("zorgproduct_code", identifiers.zorgproduct)
    rows.money("price_eur", negative_allowed=False)
    rows.unique("price_list", "year", "zorgproduct_code")


def _check_patient(rows: Rows) -> None:
    rows.no_bsn("patient_ref")


def _check_dbcs(rows: Rows, hospitals: set[str] | None) -> None:
    rows.required("dbc_id", "agb", "patient_ref", "zorgproduct_code", "start_date", "odv")
    rows.reference("agb", hospitals, "hospitals.csv", shaped=rows.code("agb", identifiers.agb))
    _check_patient(rows)
    rows.code("zorgproduct_code", identifiers.zorgproduct)
    start = rows.date("start_date")
    end = rows.date("end_date")
    rows.flag(
        end < start,
        "end_date",
        lambda row: f"{row['end_date']} is before start_date {row['start_date']}",
    )
    rows.boolean("odv")
    odv = rows["odv"] == "true"
    not_odv = rows["odv"] == "false"
    requesting = rows.present("requesting_agb")
    rows.flag(odv & ~requesting, "requesting_agb", "required when odv is true")
    rows.flag(not_odv & requesting, "requesting_agb", "must be empty when odv is false")
    rows.flag(
        not_odv & rows.present("primary_dbc_id"),
        "primary_dbc_id",
        "must be empty when odv is false",
    )
    rows.reference(
        "requesting_agb",
        hospitals,
        "hospitals.csv",
        shaped=rows.code("requesting_agb", identifiers.agb),
    )
    rows.flag(
        requesting & (rows["requesting_agb"] == rows["agb"]),
        "requesting_agb",
        lambda row: (
            f"{row['requesting_agb']} is the DBC's own hospital; ODV is care performed "
            "at another hospital's request"
        ),
    )
    rows.code("specialism", identifiers.specialism)
    rows.unique("agb", "dbc_id")
    keys = _key(rows["agb"], rows["dbc_id"])
    primary = rows.present("primary_dbc_id") & requesting
    rows.flag(
        primary & ~_isin(_key(rows["requesting_agb"], rows["primary_dbc_id"]), keys),
        "primary_dbc_id",
        lambda row: (
            f"no DBC {row['primary_dbc_id']} of hospital {row['requesting_agb']} in dbcs.csv"
        ),
    )


def _check_declarations(
    rows: Rows,
    hospitals: set[str] | None,
    insurers: set[str] | None,
    dbc_keys: pd.Series | None,
) -> None:
    rows.required(
        "declaration_id",
        "agb",
        "uzovi",
        "patient_ref",
        "zorgproduct_code",
        "start_date",
        "end_date",
        "amount_eur",
        "declared_on",
    )
    rows.reference("agb", hospitals, "hospitals.csv", shaped=rows.code("agb", identifiers.agb))
    rows.reference("uzovi", insurers, "insurers.csv", shaped=rows.code("uzovi", identifiers.uzovi))
    _check_patient(rows)
    rows.code("zorgproduct_code", identifiers.zorgproduct)
    start = rows.date("start_date")
    end = rows.date("end_date")
    rows.flag(
        end < start,
        "end_date",
        lambda row: f"{row['end_date']} is before start_date {row['start_date']}",
    )
    rows.money("amount_eur", negative_allowed=True)
    rows.date("declared_on")
    rows.flag(
        rows.present("declaratiecode") & (rows["declaratiecode"].str.len() != 6),
        "declaratiecode",
        lambda row: f"{row['declaratiecode']!r} is not a declaratiecode of 6 characters",
    )
    rows.unique("declaration_id")
    if dbc_keys is not None:
        rows.flag(
            rows.present("dbc_id") & ~_isin(_key(rows["agb"], rows["dbc_id"]), dbc_keys),
            "dbc_id",
            lambda row: f"no DBC {row['dbc_id']} of hospital {row['agb']} in dbcs.csv",
        )


def _check_transfers(
    rows: Rows,
    hospitals: set[str] | None,
    agreements: list[Agreement],
    agreement_ids: set[str] | None,
) -> None:
    rows.required(
        "transfer_id",
        "agreement_id",
        "care_type",
        "patient_ref",
        "from_agb",
        "to_agb",
        "transfer_date",
        "status",
    )
    by_id = {a.agreement_id: a for a in agreements}
    rows.reference(
        "agreement_id", agreement_ids, "agreements.json", shaped=rows.present("agreement_id")
    )
    known_agreement = _isin(rows["agreement_id"], by_id)
    care_keys = {f"{a.agreement_id}\x1f{c.care_type}" for a in agreements for c in a.care_types}
    rows.flag(
        known_agreement
        & rows.present("care_type")
        & ~_isin(_key(rows["agreement_id"], rows["care_type"]), care_keys),
        "care_type",
        lambda row: f"{row['care_type']!r} is not a care type of agreement {row['agreement_id']}",
    )
    party_keys = {f"{a.agreement_id}\x1f{p}" for a in agreements for p in a.parties}
    _check_patient(rows)
    for column in ("from_agb", "to_agb"):
        ok = rows.code(column, identifiers.agb)
        rows.reference(column, hospitals, "hospitals.csv", shaped=ok)
        if hospitals is not None:
            ok &= _isin(rows[column], hospitals)
        rows.flag(
            ok & known_agreement & ~_isin(_key(rows["agreement_id"], rows[column]), party_keys),
            column,
            _not_a_party(column),
        )
    rows.flag(
        rows.present("to_agb") & (rows["from_agb"] == rows["to_agb"]),
        "to_agb",
        "a transfer must go to another hospital than it comes from",
    )
    rows.date("transfer_date")
    rows.choice("status", STATUSES)
    rows.choice("phase", PHASES)
    rows.unique("transfer_id")


def _not_a_party(column: str) -> Callable[[pd.Series], str]:
    return lambda row: f"{row[column]} is not a party of agreement {row['agreement_id']}"


def _isin(values: pd.Series, known: Iterable[str] | pd.Series) -> pd.Series:
    """``values.isin(known)`` as one hash lookup in Arrow (pandas would loop in Python)."""
    if isinstance(known, pd.Series):
        value_set = pa.array(known.astype("str"), type=pa.string())
    else:
        value_set = pa.array(list(known), type=pa.string())
    found = pc.is_in(pa.array(values.astype("str"), type=pa.string()), value_set=value_set)
    return pd.Series(found.fill_null(False).to_numpy(zero_copy_only=False), index=values.index)


def _key(left: pd.Series, right: pd.Series) -> pd.Series:
    return left + "\x1f" + right


def _dbc_keys(frame: pd.DataFrame | None) -> pd.Series | None:
    if frame is None:
        return None
    return _key(frame["agb"], frame["dbc_id"])


def validate_transfers(
    rows: list[dict[str, str]],
    *,
    hospitals: set[str],
    agreements: list[Agreement],
    source: str = "request",
) -> pd.DataFrame:
    """Check transfers registered one by one (the alliance bureau's API) by the same rules as
    ``transfers.csv``; return them typed, or raise ``DatasetInvalid`` (LINE: the row, from 1)."""
    spec = SPECS["transfers"]
    frame = pd.DataFrame(
        {c: [str(r.get(c) or "").strip() for r in rows] for c in spec.required + spec.optional}
    ).astype("str")
    frame[LINE] = np.arange(1, len(rows) + 1, dtype="int64")
    errors: list[DatasetError] = []
    ids = {a.agreement_id for a in agreements}
    _check_transfers(Rows(source, frame, errors), hospitals, agreements, ids)
    if errors:
        raise DatasetInvalid(errors)
    return conform(frame, TRANSFERS)


# --- typed dataset -----------------------------------------------------------------------


def _cents(values: pd.Series) -> pd.Series:
    """Exact cents from strings of the money pattern (already checked), vectorised."""
    if values.empty:
        return pd.Series([], index=values.index, dtype="int64")
    negative = values.str.startswith("-")
    parts = values.str.lstrip("-").str.split(".", n=1, expand=True)
    whole = parts[0].astype("int64")
    if parts.shape[1] > 1:
        fraction = parts[1].fillna("").str.ljust(2, "0").replace("", "00").astype("int64")
    else:
        fraction = pd.Series(0, index=values.index, dtype="int64")
    cents = whole * 100 + fraction
    return cents.where(~negative, -cents)


def _typed(
    raw: dict[str, pd.DataFrame | None], agreements: list[Agreement], *, source: str
) -> Dataset:
    """The typed dataset. Raw frames are taken out of ``raw`` and consumed column by column:
    at no point are all strings of a large file held next to its typed copy."""

    def typed(name: str, schema: TableSchema) -> pd.DataFrame | None:
        frame = raw.pop(name)
        if frame is None:
            return None
        for column, kind in schema.columns.items():
            if kind == "cents":
                frame[column] = _cents(frame.pop(schema.file_column(column)))
            elif kind == "bool":
                frame[column] = frame[column] == "true"
        for column in schema.open_dates:
            frame[column] = frame[column].replace("", None)
        return conform(frame, schema, consume=True)

    def required(name: str, schema: TableSchema) -> pd.DataFrame:
        frame = typed(name, schema)
        assert frame is not None
        return frame

    return Dataset(
        hospitals=required("hospitals", HOSPITALS),
        insurers=required("insurers", INSURERS),
        agreements=tuple(sorted(agreements, key=lambda a: a.agreement_id)),
        prices=required("prices", PRICES),
        dbcs=required("dbcs", DBCS),
        declarations=typed("declarations", DECLARATIONS),
        transfers=typed("transfers", TRANSFERS),
        source=source,
    )
