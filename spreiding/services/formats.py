"""The formats the field already uses: alliance key files and pseudonyms, ZH308 declaration
files, Open DIS prices.

Example: ``create_key_file(Path("alliantie.key"))`` writes a new key readable by its owner
only; ``pseudonymise_csv(load_key(Path("alliantie.key")), Path("in.csv"), Path("out.csv"),
column="bsn")`` writes ``out.csv`` with the column ``bsn`` replaced by ``patient_ref``, or
raises ``DatasetInvalid`` naming every line whose BSN cannot be pseudonymised (and writes
nothing). No message quotes a BSN.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection

from settlement.audit.activities import check_act_001
from settlement.audit.findings import Finding
from spreiding.contract.cells import formula_message, unstorable
from spreiding.domain.access import Principal
from spreiding.domain.dataset import DECLARATIONS, Dataset, conform, empty
from spreiding.domain.errors import DatasetError, DatasetInvalid
from spreiding.formats import opendis, zh308
from spreiding.formats.pseudonyms import (
    BsnRefused,
    KeyFileInvalid,
    key_text,
    new_key,
    parse_key,
    pseudonym,
)
from spreiding.services.access import OPERATOR, require
from spreiding.services.datasets import FILES, import_dataset, read_folder
from spreiding.services.errors import WriteNotPermitted
from spreiding.services.writes import RULES
from spreiding.store import datasets as store_datasets
from spreiding.store.datasets import ImportReport

__all__ = [
    "KeyFileInvalid",
    "KeyFileProblem",
    "create_key_file",
    "load_key",
    "pseudonymise_csv",
]


class KeyFileProblem(Exception):
    """A key file that cannot be made or used: missing, unreadable, open to others, damaged,
    or (when creating) already there."""


def create_key_file(path: Path) -> None:
    """Write a new random alliance key to ``path`` (mode 0600); never overwrite a file."""
    try:
        # O_EXCL: the check and the creation are one step, so no existing key is ever lost.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeyFileProblem(f"{path}: already exists; a key file is never overwritten") from None
    except OSError as exc:
        raise KeyFileProblem(f"{path}: cannot be created: {exc.strerror}") from None
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key_text(new_key()))
    os.chmod(path, 0o600)  # whatever the umask


def load_key(path: Path) -> bytes:
    """The alliance key in ``path``, or ``KeyFileProblem`` saying what is wrong."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise KeyFileProblem(
            f"{path}: key file not found (make one with `spreiding keyfile create`)"
        ) from None
    except OSError as exc:
        raise KeyFileProblem(f"{path}: cannot be read: {exc.strerror}") from None
    if not stat.S_ISREG(mode):
        raise KeyFileProblem(f"{path}: is not a file")
    if mode & 0o077:
        # As ssh does for a private key: a key others can read is no longer the alliance's.
        raise KeyFileProblem(
            f"{path}: can be read by others (mode {stat.S_IMODE(mode):04o}); run `chmod 600 {path}`"
        )
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        raise KeyFileProblem(f"{path}: is not a spreiding alliance key file") from None
    try:
        return parse_key(text)
    except KeyFileInvalid as exc:
        raise KeyFileProblem(f"{path}: {exc}") from None


def pseudonymise_csv(key: bytes, source: Path, target: Path, *, column: str) -> int:
    """Copy the CSV file ``source`` to ``target`` with ``column`` (BSNs) replaced by
    ``patient_ref`` (the same position); return the number of rows. All or nothing: every
    line whose BSN is refused is reported and ``target`` is not written."""
    name = source.name
    try:
        text = source.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DatasetInvalid([DatasetError(name, 0, "(file)", "not found")]) from None
    except UnicodeDecodeError as exc:
        raise DatasetInvalid(
            [DatasetError(name, 0, "(file)", f"not UTF-8: {exc.reason}")]
        ) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first and "," not in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if header is None:
        raise DatasetInvalid([DatasetError(name, 1, "(header)", "the header row is missing")])
    header = [h.strip() for h in header]
    errors: list[DatasetError] = []
    if column not in header:
        errors.append(DatasetError(name, 1, column, "column not found"))
    if "patient_ref" in header:
        errors.append(DatasetError(name, 1, "patient_ref", "already a column; nothing replaced"))
    if errors:
        raise DatasetInvalid(errors)
    index = header.index(column)
    out_rows: list[list[str]] = []
    line = reader.line_num
    for row in reader:
        start, line = line + 1, reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            errors.append(
                DatasetError(
                    name, start, "(row)", f"has {len(row)} cells, the header has {len(header)}"
                )
            )
            continue
        try:
            row[index] = pseudonym(key, row[index])
        except BsnRefused as exc:
            errors.append(DatasetError(name, start, column, str(exc)))
            continue
        out_rows.append(row)
    if errors:
        raise DatasetInvalid(errors)
    header[index] = "patient_ref"
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(out_rows)
    target.write_text(buffer.getvalue(), encoding="utf-8")
    return len(out_rows)


# --- ZH308 -------------------------------------------------------------------------------

DECLARATION_COLUMNS = (
    "declaration_id", "agb", "uzovi", "patient_ref", "zorgproduct_code", "start_date",
    "end_date", "amount_eur", "declared_on", "dbc_id", "declaratiecode",
)  # fmt: skip


def read_zh308_files(paths: Sequence[Path], key: bytes) -> zh308.Zh308Content:
    """The declarations and activities of ZH308 files, or ``DatasetInvalid`` with every error
    of every file (``FILE:LINE: field NNN NAME: message``)."""
    files = []
    for path in paths:
        try:
            # Positions are bytes; Latin-1 maps each byte to one character.
            files.append((path.name, path.read_bytes().decode("latin-1")))
        except OSError as exc:
            error = DatasetError(path.name, 0, "(file)", f"cannot be read: {exc.strerror}")
            raise DatasetInvalid([error]) from None
    return zh308.read_files(files, key=key)


def declarations_csv(declarations: Iterable[zh308.Declaration]) -> str:
    """``declarations.csv`` (docs/data-format.md §1) of ZH308 declarations, in the files' order."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(DECLARATION_COLUMNS)
    for d in declarations:
        writer.writerow(
            [
                d.declaration_id, d.agb, d.uzovi, d.patient_ref, d.zorgproduct_code,
                d.start_date.isoformat(), d.end_date.isoformat(),
                str(Decimal(d.amount_cents).scaleb(-2)), d.declared_on.isoformat(),
                d.dbc_id or "", d.declaratiecode or "",
            ]
        )  # fmt: skip
    return buffer.getvalue()


def activities_csv(activities: Iterable[zh308.Activity]) -> str:
    """The zorgactiviteiten of ZH308 files as CSV (``performed_at``: field 1616)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        ["declaration_id", "agb", "activity_number", "activity_code", "start_date",
         "end_date", "count", "performed_at", "credit"]
    )  # fmt: skip
    for a in activities:
        writer.writerow(
            [
                a.declaration_id, a.agb, a.activity_number, a.activity_code,
                a.start_date.isoformat(), a.end_date.isoformat(), a.count,
                a.performed_at or "", "true" if a.credit else "false",
            ]
        )  # fmt: skip
    return buffer.getvalue()


def dataset_with_declarations(folder: Path, declarations: str) -> Dataset:
    """The dataset of ``folder`` with ``declarations`` (CSV text) as its declarations.csv,
    checked by every rule of the contract (references to hospitals, insurers and DBCs too);
    the folder itself is not changed. Errors name the declarations by their line in that
    CSV text (``declarations.csv:LINE: …``)."""
    with tempfile.TemporaryDirectory() as temporary:
        copy = Path(temporary)
        for name in FILES:
            if name != "declarations.csv" and (folder / name).is_file():
                shutil.copyfile(folder / name, copy / name)
        (copy / "declarations.csv").write_text(declarations, encoding="utf-8")
        dataset = read_folder(copy)
    return replace(dataset, source=str(folder))


@dataclass(frozen=True)
class Zh308Import:
    """What an import of ZH308 files read, stored and (given a year) found: ACT-001 on the
    activities performed at another institution."""

    content: zh308.Zh308Content
    report: ImportReport | None
    findings: list[Finding]


def activity_findings(dataset: Dataset, content: zh308.Zh308Content, *, year: int) -> list[Finding]:
    """ACT-001 (``settlement.audit.activities``) on the activities of ``content``, against
    the agreements and the declarations of ``dataset``."""
    frame = pd.DataFrame(
        {
            "declaration_id": [a.declaration_id for a in content.activities],
            "activity_number": [a.activity_number for a in content.activities],
            "start_date": [a.start_date for a in content.activities],
            "performed_at": [a.performed_at for a in content.activities],
        }
    )
    declarations = dataset.declarations if dataset.declarations is not None else empty(DECLARATIONS)
    return check_act_001(declarations, frame, dataset.agreements, year=year)


def import_zh308(
    connection: Connection | None,
    paths: Sequence[Path],
    key: bytes,
    *,
    folder: Path,
    year: int | None = None,
    principal: Principal = OPERATOR,
) -> Zh308Import:
    """Read ZH308 files and store their declarations with the dataset of ``folder`` (its
    hospitals, insurers, agreements, prices and DBCs, which the declarations refer to)
    through the dataset import: all or nothing, the same checks as a declarations.csv.
    ``connection`` None: check only, store nothing. ``year``: also audit the activities
    performed elsewhere (ACT-001) of that year."""
    content = read_zh308_files(paths, key)
    dataset = dataset_with_declarations(folder, declarations_csv(content.declarations))
    findings = [] if year is None else activity_findings(dataset, content, year=year)
    report = None if connection is None else import_dataset(connection, dataset, principal)
    return Zh308Import(content, report, findings)


def store_zh308(
    connection: Connection,
    principal: Principal,
    files: Mapping[str, bytes],
    key: bytes,
) -> Zh308Import:
    """Check ZH308 files (name to content) and store their declarations against the
    hospitals, insurers and DBCs already stored, as far as ``principal`` may write them: all
    or nothing. A reference to an unknown hospital, insurer or DBC is named at the file, line
    and field of its prestatierecord.

    Only the admin writes declarations (``spreiding.services.writes``): any other key is
    refused before a stored row is looked at, so that no answer tells whether a hospital,
    insurer or DBC is stored."""
    if not principal.is_admin:
        require(principal, "bureau")  # hospital and insurer keys write no data at all
        raise WriteNotPermitted(
            DatasetError(Path(name).name, 0, "(file)", RULES["declarations"]) for name in files
        )
    content = zh308.read_files(
        [(Path(name).name, data.decode("latin-1")) for name, data in files.items()], key=key
    )
    stored = store_datasets.load_dataset(connection)
    hospitals = set(stored.hospitals["agb"])
    insurers = set(stored.insurers["uzovi"])
    dbcs = set(zip(stored.dbcs["agb"], stored.dbcs["dbc_id"], strict=True))
    errors = []
    for d in content.declarations:
        if d.agb not in hospitals:
            label = zh308.FIELDS[440].label
            errors.append(DatasetError(d.file, d.line, label, f"unknown hospital {d.agb}"))
        if d.uzovi not in insurers:
            label = zh308.FIELDS[404].label
            errors.append(DatasetError(d.file, d.line, label, f"unknown insurer {d.uzovi}"))
        if d.dbc_id is not None and (d.agb, d.dbc_id) not in dbcs:
            label = zh308.FIELDS[419].label
            message = f"no DBC {d.dbc_id!r} of {d.agb} is stored"
            errors.append(DatasetError(d.file, d.line, label, message))
    if errors:
        raise DatasetInvalid(errors)
    frame = pd.DataFrame(
        {
            "declaration_id": [d.declaration_id for d in content.declarations],
            "agb": [d.agb for d in content.declarations],
            "uzovi": [d.uzovi for d in content.declarations],
            "patient_ref": [d.patient_ref for d in content.declarations],
            "zorgproduct_code": [d.zorgproduct_code for d in content.declarations],
            "start_date": pd.to_datetime([d.start_date for d in content.declarations]),
            "end_date": pd.to_datetime([d.end_date for d in content.declarations]),
            "amount_cents": pd.Series(
                [d.amount_cents for d in content.declarations], dtype="int64"
            ),
            "declared_on": pd.to_datetime([d.declared_on for d in content.declarations]),
            "dbc_id": [d.dbc_id for d in content.declarations],
            "declaratiecode": [d.declaratiecode for d in content.declarations],
        }
    )
    dataset = replace(stored, declarations=conform(frame, DECLARATIONS))
    report = import_dataset(connection, dataset, principal)
    return Zh308Import(content, report, [])


# --- Open DIS ----------------------------------------------------------------------------

PRICE_COLUMNS = ("price_list", "year", "zorgproduct_code", "price_eur")


def opendis_prices(source: Path, *, price_list: str, merge_into: Path | None = None) -> str:
    """``prices.csv`` (docs/data-format.md §1) of the Open DIS file ``source`` as price list
    ``price_list``; with ``merge_into``, that file's rows too (a row of the same list, year
    and zorgproduct with another price is an error; the same price is kept once)."""
    problem = formula_message(price_list) or unstorable(price_list)
    if not price_list.strip() or problem:
        why = problem or "is empty"
        raise DatasetInvalid([DatasetError("--list", 0, "price_list", why)])
    try:
        text = source.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DatasetInvalid([DatasetError(source.name, 0, "(file)", "not found")]) from None
    except UnicodeDecodeError as exc:
        error = DatasetError(source.name, 0, "(file)", f"not UTF-8: {exc.reason}")
        raise DatasetInvalid([error]) from None
    prices = opendis.read_opendis(source.name, text)
    rows: dict[tuple[str, str, str], str] = {}
    lines: dict[tuple[str, str, str], int] = {}
    errors: list[DatasetError] = []
    if merge_into is not None and merge_into.is_file():
        with merge_into.open(encoding="utf-8-sig", newline="") as handle:
            for line, row in enumerate(csv.DictReader(handle), start=2):
                key = (row["price_list"], row["year"], row["zorgproduct_code"])
                rows[key], lines[key] = row["price_eur"], line
    for p in prices:
        key = (price_list, str(p.year), p.zorgproduct_code)
        price = opendis.euros(p.price_cents)
        if key in rows and Decimal(rows[key]) != Decimal(price):
            assert merge_into is not None
            message = f"{rows[key]} for {p.zorgproduct_code} in {p.year}, Open DIS says {price}"
            errors.append(DatasetError(merge_into.name, lines[key], "price_eur", message))
        rows.setdefault(key, price)
    if errors:
        raise DatasetInvalid(errors)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(PRICE_COLUMNS)
    for (name, year, code), price in sorted(rows.items()):
        writer.writerow([name, year, code, price])
    return buffer.getvalue()
