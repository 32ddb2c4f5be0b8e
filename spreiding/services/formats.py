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
import stat
from pathlib import Path

from spreiding.domain.errors import DatasetError, DatasetInvalid
from spreiding.formats.pseudonyms import (
    BsnRefused,
    KeyFileInvalid,
    key_text,
    new_key,
    parse_key,
    pseudonym,
)

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
