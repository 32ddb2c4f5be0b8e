"""Reading ZH308 v9.0 files: ``read_zh308`` (one file, every error reported, all or nothing)
and ``read_files`` (several, a declaration reference used in two files is an error too)."""

from __future__ import annotations

from collections.abc import Iterable

from spreiding.domain.errors import DatasetError, DatasetInvalid
from spreiding.formats.zh308.layout import FIELDS, LAYOUT, RECORD_LENGTH, Zh308Content, label
from spreiding.formats.zh308.record import (
    Record,
    activity_of,
    check_counters,
    check_version,
    declaration_of,
)


def read_zh308(name: str, text: str, *, key: bytes) -> Zh308Content:
    """The declarations and activities of one ZH308 v9.0 file (``name`` for messages, ``text``
    its content), or ``DatasetInvalid`` with every error."""
    errors: list[DatasetError] = []
    content = Zh308Content()
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        raise DatasetInvalid([DatasetError(name, 0, "(file)", "is empty")])
    counts = {"02": 0, "04": 0, "06": 0, "16": 0, "98": 0}
    total = 0
    total_known = True  # False once a tariefrecord's amount could not be read
    header: Record | None = None
    closing: Record | None = None
    patient: Record | None = None
    # The open declaration: its prestatierecord, and its tariefrecord once read.
    current: Record | None = None
    current_tariff: Record | None = None
    seen_ids: dict[str, int] = {}

    def finish() -> None:
        nonlocal current, current_tariff, total
        if current is None:
            return
        if current_tariff is None:
            errors.append(
                DatasetError(
                    name, current.line, "(record)", "prestatierecord without its tariefrecord (06)"
                )
            )
        elif current.ok and current_tariff.ok:
            # Checked even when the voorlooprecord is not: every error is reported.
            usable = header if header is not None and header.ok else None
            declaration = declaration_of(current, current_tariff, usable, key, content)
            if declaration is not None:
                first = seen_ids.get(declaration.declaration_id)
                if first is not None:
                    errors.append(
                        DatasetError(
                            name,
                            current.line,
                            label(458),
                            f"{declaration.declaration_id!r} is also the reference on line {first}",
                        )
                    )
                else:
                    seen_ids[declaration.declaration_id] = current.line
                    content.declarations.append(declaration)
        current, current_tariff = None, None

    for number, line_text in enumerate(lines, start=1):
        line_text = line_text.removesuffix("\r")
        code = line_text[:2]
        if code not in LAYOUT:
            errors.append(DatasetError(name, number, "(record)", f"unknown record type {code!r}"))
            continue
        record = Record(name, number, code, line_text, errors)
        if len(line_text) != RECORD_LENGTH:
            fields = LAYOUT[code]
            cut = next((f for f in fields if f.end > len(line_text)), fields[-1])
            record.error(
                cut,
                f"the record is {len(line_text)} positions long, must be {RECORD_LENGTH}",
            )
        else:
            record.check()
        if number == 1 and code != "01":
            errors.append(
                DatasetError(name, 1, "(record)", "the file must start with a voorlooprecord (01)")
            )
        if code == "01":
            if number != 1:
                errors.append(
                    DatasetError(name, number, "(record)", "voorlooprecord (01) not on line 1")
                )
                continue
            header = record
            if record.ok:
                check_version(record)
        elif code == "99":
            finish()
            closing = record
            if number != len(lines):
                errors.append(
                    DatasetError(name, number, "(record)", "records after the sluitrecord (99)")
                )
        elif code == "02":
            finish()
            counts["02"] += 1
            patient = record
        elif code == "04":
            finish()
            counts["04"] += 1
            if patient is None:
                errors.append(
                    DatasetError(
                        name, number, "(record)", "prestatierecord before any verzekerdenrecord"
                    )
                )
            elif record.ok and patient.ok and record.raw(403) != patient.raw(203):
                record.error(FIELDS[403], "differs from the verzekerdenrecord's BSN (203)")
            current = record
        elif code == "06":
            counts["06"] += 1
            if current is None or current_tariff is not None:
                errors.append(
                    DatasetError(
                        name, number, "(record)", "tariefrecord without its prestatierecord (04)"
                    )
                )
                continue
            current_tariff = record
            total_known = total_known and record.ok
            if record.ok:
                cents = int(record.raw(620))
                total += -cents if record.raw(621) == "C" else cents
                if current.ok:
                    if record.raw(603) != current.raw(403):
                        record.error(FIELDS[603], "differs from the prestatierecord's BSN (403)")
                    if record.raw(608) != current.raw(410):
                        record.error(
                            FIELDS[608], "differs from the prestatierecord's declaratiecode (410)"
                        )
        elif code == "16":
            counts["16"] += 1
            if current is None:
                errors.append(
                    DatasetError(
                        name, number, "(record)", "zorgactiviteitrecord without a prestatierecord"
                    )
                )
                continue
            if record.ok and current.ok and header is not None:
                content.activities.append(activity_of(record, current, header))
        elif code == "98":
            counts["98"] += 1

    if closing is None:
        errors.append(DatasetError(name, len(lines), "(record)", "the sluitrecord (99) is missing"))
    elif closing.ok:
        check_counters(closing, counts, total if total_known else None)
    if errors:
        raise DatasetInvalid(errors)
    return content


def read_files(files: Iterable[tuple[str, str]], *, key: bytes) -> Zh308Content:
    """The content of several files (name, text), or every error of all of them; a
    declaration reference used in two files is an error too."""
    content = Zh308Content()
    errors: list[DatasetError] = []
    where: dict[str, str] = {}
    for name, text in files:
        try:
            one = read_zh308(name, text, key=key)
        except DatasetInvalid as exc:
            errors.extend(exc.errors)
            continue
        for declaration in one.declarations:
            if declaration.declaration_id in where:
                errors.append(
                    DatasetError(
                        name,
                        0,
                        label(458),
                        f"{declaration.declaration_id!r} is also a reference in "
                        f"{where[declaration.declaration_id]}",
                    )
                )
            where[declaration.declaration_id] = name
        content.extend(one)
    if errors:
        raise DatasetInvalid(errors)
    return content
