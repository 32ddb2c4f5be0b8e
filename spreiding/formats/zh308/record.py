"""One line of a ZH308 file checked field by field (``Record``), the voorlooprecord's version
and the sluitrecord's counters and total, and what a prestatierecord with its tariefrecord
(a ``Declaration``) or a zorgactiviteitrecord (an ``Activity``) becomes."""

from __future__ import annotations

import datetime as dt

from spreiding.domain.errors import DatasetError
from spreiding.formats.pseudonyms import BsnRefused, pseudonym
from spreiding.formats.zh308.layout import (
    DEBIT_CREDIT,
    FIELDS,
    LAYOUT,
    MESSAGE_CODE,
    VERSION,
    Activity,
    Declaration,
    Field,
    Zh308Content,
    date_of,
)


class Record:
    """One line of a file, with its checked fields as text (None: left empty)."""

    def __init__(self, file: str, line: int, code: str, text: str, errors: list[DatasetError]):
        self.file, self.line, self.code, self.text = file, line, code, text
        self.errors = errors
        self.ok = True

    def error(self, f: Field, message: str) -> None:
        self.errors.append(DatasetError(self.file, self.line, f.label, message))
        self.ok = False

    def raw(self, number: int) -> str:
        f = FIELDS[number]
        return self.text[f.start : f.end]

    def value(self, number: int) -> str | None:
        """The field's value: stripped text, or None when empty (spaces; zeros in a numeric
        field that is not mandatory)."""
        f = FIELDS[number]
        raw = self.text[f.start : f.end]
        value = raw.strip()
        if not value or (f.type == "N" and f.obligation != "M" and value.strip("0") == ""):
            return None
        return value

    def date(self, number: int) -> dt.date | None:
        value = self.value(number)
        return None if value is None else date_of(value)

    def check(self) -> None:
        for f, start, end, numeric, mandatory, date, debit_credit in _CHECKS[self.code]:
            raw = self.text[start:end]
            if numeric:
                if raw.isdigit() and raw.isascii():
                    if date and (mandatory or raw.strip("0")) and date_of(raw) is None:
                        self.error(f, f"is not a date (EEJJMMDD): {raw!r}")
                elif raw.isspace():
                    if mandatory:
                        self.error(f, "is mandatory")
                else:
                    self.error(f, "must be digits only (numeric, zero-padded)")
            elif raw[0] == " ":
                if not raw.isspace():
                    self.error(f, "must be left-aligned")
                elif mandatory:
                    self.error(f, "is mandatory")
            elif debit_credit and raw != "D" and raw != "C":
                self.error(f, f"must be D (debit) or C (credit), not {raw.strip()!r}")


# Per record type, what ``Record.check`` needs of each field, looked up once: the field,
# its slice, numeric, mandatory, a date, a debit/credit indicator. Spare fields are not read.
_CHECKS = {
    code: tuple(
        (
            f,
            f.start,
            f.end,
            f.type == "N",
            f.obligation == "M",
            f.is_date,
            str(f.number) in DEBIT_CREDIT,
        )
        for f in fields
        if f.obligation != "S"
    )
    for code, fields in LAYOUT.items()
}


def check_version(header: Record) -> None:
    if header.raw(102) != MESSAGE_CODE:
        header.error(FIELDS[102], f"is {header.raw(102)}, ZH308 is {MESSAGE_CODE}")
    version = (header.raw(103), header.raw(104))
    if version[0] != VERSION[0] or version[1] not in (VERSION[1], "  "):
        header.error(
            FIELDS[103],
            f"version {version[0]}.{version[1]} is not read; this reader reads ZH308 version "
            f"{int(VERSION[0])}.{int(VERSION[1])}",
        )


def check_counters(closing: Record, counts: dict[str, int], total: int | None) -> None:
    """The sluitrecord's counters against the records read; its total against the
    tariefrecords' amounts (``total`` None: an amount was unreadable, already reported)."""
    expected = {
        9902: counts["02"],
        9904: counts["04"],
        9905: counts["06"],
        9906: counts["16"],
        9907: counts["98"],
        9908: sum(counts.values()),
    }
    for number, count in expected.items():
        raw = closing.raw(number)
        stated = int(raw) if raw.strip() else 0
        if stated != count:
            closing.error(FIELDS[number], f"says {stated}, the file has {count}")
    if total is None:
        return
    stated_total = int(closing.raw(9909)) if closing.raw(9909).strip() else 0
    if closing.raw(9910) == "C":
        stated_total = -stated_total
    if stated_total != total:
        closing.error(
            FIELDS[9909],
            f"says {_euros(stated_total)} (with 9910), the tariefrecords add up to {_euros(total)}",
        )


def _euros(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def declaration_of(
    record: Record, tariff: Record, header: Record | None, key: bytes, content: Zh308Content
) -> Declaration | None:
    """The declaration of a prestatierecord and its tariefrecord (both checked field by
    field), or None after reporting what the declarations shape misses (``header`` None: the
    voorlooprecord has errors, reported; the rest is still checked, nothing is made)."""
    ok = True
    try:
        patient_ref = pseudonym(key, record.raw(403))
    except BsnRefused as exc:
        record.error(FIELDS[403], str(exc))
        ok = False
    agb = record.value(440) or (header.value(112) if header is not None else "")
    if agb is None:
        record.error(FIELDS[440], "is empty and so is the voorlooprecord's 112")
        ok = False
    zorgproduct = record.value(414)
    if zorgproduct is None:
        record.error(FIELDS[414], "is empty; a declaration needs its zorgproduct code")
        ok = False
    elif not zorgproduct.isdigit() or len(zorgproduct) != 9:
        record.error(FIELDS[414], "must be the 9 digits of a zorgproduct code")
        ok = False
    if tariff.value(620) is None and tariff.raw(620).strip() == "":
        tariff.error(FIELDS[620], "is empty; a declaration needs its amount")
        ok = False
    credit = record.raw(457) == "C"
    if (tariff.raw(621) == "C") != credit:
        tariff.error(
            FIELDS[621], f"is {tariff.raw(621)} but the prestatierecord's 457 is {record.raw(457)}"
        )
        ok = False
    declaration_id = record.raw(458).strip()
    credited = record.value(459)
    if credit and credited is None:
        record.error(FIELDS[459], "is mandatory for a credit (457 is C)")
        ok = False
    first_day, last_day = record.date(411), record.date(412)
    if first_day is not None and last_day is not None and last_day < first_day:
        record.error(FIELDS[412], f"{last_day} is before 411 BEGINDATUM PRESTATIE {first_day}")
        ok = False
    if not ok or header is None:
        return None
    assert agb is not None and zorgproduct is not None
    if credit and credited is not None:
        content.credits[declaration_id] = credited
    cents = int(tariff.raw(620))
    start, end, declared = record.date(411), record.date(412), header.date(117)
    assert start is not None and end is not None and declared is not None
    return Declaration(
        declaration_id=declaration_id,
        agb=agb,
        uzovi=record.raw(404),
        patient_ref=patient_ref,
        zorgproduct_code=zorgproduct,
        start_date=start,
        end_date=end,
        amount_cents=-cents if credit else cents,
        declared_on=declared,
        dbc_id=record.value(419),
        declaratiecode=record.value(410),
        file=record.file,
        line=record.line,
    )


def activity_of(record: Record, declaration: Record, header: Record) -> Activity:
    start, end = record.date(1612), record.date(1613)
    assert start is not None and end is not None
    return Activity(
        declaration_id=declaration.raw(458).strip(),
        agb=declaration.value(440) or header.value(112) or "",
        activity_number=record.raw(1610).strip(),
        activity_code=record.raw(1611).strip(),
        start_date=start,
        end_date=end,
        count=int(record.raw(1614)),
        performed_at=record.value(1616),
        credit=record.raw(1619) == "C",
    )
