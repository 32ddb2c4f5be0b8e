"""Vektis EI ZH308 version 9.0 (declaration DBC/ziekenhuiszorg): reader and writer.

The layout is the table ``zh308-v9.0-layout.csv`` beside this module (one row per field, from
Vektis's specification; ``../shared/formats/README.md``). A file is lines of 610 positions:
one voorlooprecord (01), per declaration a verzekerdenrecord (02), a prestatierecord (04), a
tariefrecord (06) and zero or more zorgactiviteitrecords (16) and commentaarrecords (98), and
one sluitrecord (99) whose counters and total must equal what precedes it.

``read_zh308(name, text, key=key)`` checks every field (length, type, mandatory, dates, the
debit/credit indicators, the counters and the total) and reports every error, all or nothing,
as ``FILE:LINE: field NNN NAME: message``; a BSN is turned into the alliance's ``patient_ref``
(``spreiding.formats.pseudonyms``) at once and never quoted. Example::

    zh308.txt:4: field 620 DECLARATIEBEDRAG (INCL. BTW): must be digits only

A declaration is one prestatierecord with its tariefrecord, in the contract's declarations
shape: ``declaration_id`` 458, ``agb`` 440 (else the file's 112), ``uzovi`` 404,
``patient_ref`` from 403, ``zorgproduct_code`` 414, ``start_date``/``end_date`` 411/412,
``amount_cents`` 620 in eurocents, negative when 621 is ``C``, ``declared_on`` the invoice date
117, ``dbc_id`` the subtraject number 419, ``declaratiecode`` 410. A credit (457 ``C``) names
the declaration it credits in 459. A zorgactiviteitrecord becomes an ``Activity``; one whose
1616 is filled was performed at that other institution (care performed elsewhere, ODV).

``write_zh308`` writes the same layout from declarations (and their activities), filling the
fields a declaration does not carry (name, birth date, referral) with neutral values; the
reader reads back exactly the declarations it was given.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from spreiding.domain.errors import DatasetError, DatasetInvalid
from spreiding.formats.pseudonyms import BsnRefused, pseudonym

RECORD_LENGTH = 610
VERSION = ("09", "00")  # 103 VERSIENUMMER and 104 SUBVERSIENUMMER BERICHTSTANDAARD
MESSAGE_CODE = "101"  # 102 CODE EXTERNE-INTEGRATIEBERICHT of ZH308
LAYOUT_FILE = Path(__file__).with_name("zh308-v9.0-layout.csv")
DEBIT_CREDIT = frozenset({"457", "618", "621", "1619", "9910"})


@dataclass(frozen=True)
class Field:
    record: str
    number: int
    name: str
    type: str
    length: int
    pattern: str
    start: int  # 0-based, inclusive
    end: int  # 0-based, exclusive
    obligation: str

    @property
    def label(self) -> str:
        return f"field {self.number} {self.name}"

    @property
    def is_date(self) -> bool:
        return self.pattern == "EEJJMMDD"


def _load_layout() -> dict[str, tuple[Field, ...]]:
    layout: dict[str, list[Field]] = {}
    with LAYOUT_FILE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            length, end = int(row["length"]), int(row["end_position"])
            layout.setdefault(row["record_code"], []).append(
                Field(
                    record=row["record_code"],
                    number=int(row["field"]),
                    name=row["name"],
                    type=row["type"],
                    length=length,
                    pattern=row["pattern"],
                    start=end - length,
                    end=end,
                    obligation=row["obligation"],
                )
            )
    return {code: tuple(fields) for code, fields in layout.items()}


LAYOUT = _load_layout()
FIELDS = {f.number: f for fields in LAYOUT.values() for f in fields}


@dataclass(frozen=True)
class Declaration:
    """A declaration line in the contract's shape (amounts in cents, negative for a credit)."""

    declaration_id: str
    agb: str
    uzovi: str
    patient_ref: str
    zorgproduct_code: str
    start_date: dt.date
    end_date: dt.date
    amount_cents: int
    declared_on: dt.date
    dbc_id: str | None = None
    declaratiecode: str | None = None
    # Where the reader found it (its prestatierecord), for messages; not part of its value.
    file: str = field(default="", compare=False, repr=False)
    line: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class Activity:
    """A zorgactiviteit of a declaration; ``performed_at`` (1616) is the other institution
    where it was performed, or None when the declaring hospital performed it."""

    declaration_id: str
    agb: str
    activity_number: str
    activity_code: str
    start_date: dt.date
    end_date: dt.date
    count: int
    performed_at: str | None
    credit: bool = False


@dataclass
class Zh308Content:
    """What one or more ZH308 files hold: declarations, activities, and for each credit the
    ``declaration_id`` of the declaration it credits (459)."""

    declarations: list[Declaration] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    credits: dict[str, str] = field(default_factory=dict)

    def extend(self, other: Zh308Content) -> None:
        self.declarations.extend(other.declarations)
        self.activities.extend(other.activities)
        self.credits.update(other.credits)


# --- reading ---------------------------------------------------------------------------


class _Record:
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
        return None if value is None else _date(value)

    def check(self) -> None:
        for f, start, end, numeric, mandatory, date, debit_credit in _CHECKS[self.code]:
            raw = self.text[start:end]
            if numeric:
                if raw.isdigit() and raw.isascii():
                    if date and (mandatory or raw.strip("0")) and _date(raw) is None:
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


# Per record type, what ``_Record.check`` needs of each field, looked up once: the field,
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


def _date(value: str) -> dt.date | None:
    if len(value) != 8 or not value.isdigit():
        return None
    try:
        return dt.date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        return None


def _label(number: int) -> str:
    return FIELDS[number].label


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
    header: _Record | None = None
    closing: _Record | None = None
    patient: _Record | None = None
    # The open declaration: its prestatierecord, and its tariefrecord once read.
    current: _Record | None = None
    current_tariff: _Record | None = None
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
            declaration = _declaration(current, current_tariff, usable, key, content)
            if declaration is not None:
                first = seen_ids.get(declaration.declaration_id)
                if first is not None:
                    errors.append(
                        DatasetError(
                            name,
                            current.line,
                            _label(458),
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
        record = _Record(name, number, code, line_text, errors)
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
                _check_version(record)
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
                content.activities.append(_activity(record, current, header))
        elif code == "98":
            counts["98"] += 1

    if closing is None:
        errors.append(DatasetError(name, len(lines), "(record)", "the sluitrecord (99) is missing"))
    elif closing.ok:
        _check_counters(closing, counts, total if total_known else None)
    if errors:
        raise DatasetInvalid(errors)
    return content


def _check_version(header: _Record) -> None:
    if header.raw(102) != MESSAGE_CODE:
        header.error(FIELDS[102], f"is {header.raw(102)}, ZH308 is {MESSAGE_CODE}")
    version = (header.raw(103), header.raw(104))
    if version[0] != VERSION[0] or version[1] not in (VERSION[1], "  "):
        header.error(
            FIELDS[103],
            f"version {version[0]}.{version[1]} is not read; this reader reads ZH308 version "
            f"{int(VERSION[0])}.{int(VERSION[1])}",
        )


def _check_counters(closing: _Record, counts: dict[str, int], total: int | None) -> None:
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


def _declaration(
    record: _Record, tariff: _Record, header: _Record | None, key: bytes, content: Zh308Content
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


def _activity(record: _Record, declaration: _Record, header: _Record) -> Activity:
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
                        _label(458),
                        f"{declaration.declaration_id!r} is also a reference in "
                        f"{where[declaration.declaration_id]}",
                    )
                )
            where[declaration.declaration_id] = name
        content.extend(one)
    if errors:
        raise DatasetInvalid(errors)
    return content


# --- writing ---------------------------------------------------------------------------


class Zh308WriteError(ValueError):
    """Declarations that cannot be written in the layout (a value too long for its field)."""


def _line(code: str, values: Mapping[int, str | int | None]) -> str:
    parts = []
    for f in LAYOUT[code]:
        value = values.get(f.number)
        if value is None:
            text = ("0" * f.length) if f.type == "N" and f.obligation != "S" else " " * f.length
        elif f.type == "N":
            text = str(value).rjust(f.length, "0")
        else:
            text = str(value).ljust(f.length)
        if len(text) != f.length:
            raise Zh308WriteError(f"{f.label}: {value!r} does not fit in {f.length} positions")
        parts.append(text)
    return "".join(parts)


def _ymd(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


def credit_links(declarations: Sequence[Declaration]) -> dict[str, str]:
    """For each credit line, the debit it credits, by the audit's rule (docs/data-format.md §4): the
    earliest (by ``declared_on``, ``declaration_id``) not yet credited debit with the same
    agb, uzovi, patient, zorgproduct and start date and the opposite amount."""
    ordered = sorted(declarations, key=lambda d: (d.declared_on, d.declaration_id))
    open_debits: dict[tuple[object, ...], list[str]] = {}
    links: dict[str, str] = {}
    # Every debit first: a credit may sort before the debit it cancels (same date, id).
    for d in ordered:
        if d.amount_cents >= 0:
            group = (d.agb, d.uzovi, d.patient_ref, d.zorgproduct_code, d.start_date)
            open_debits.setdefault((*group, d.amount_cents), []).append(d.declaration_id)
    for d in ordered:
        if d.amount_cents < 0:
            group = (d.agb, d.uzovi, d.patient_ref, d.zorgproduct_code, d.start_date)
            debits = open_debits.get((*group, -d.amount_cents))
            if debits:
                links[d.declaration_id] = debits.pop(0)
    return links


def write_zh308(
    declarations: Sequence[Declaration],
    *,
    bsn_of: Callable[[str], str],
    invoice_number: str,
    activities: Mapping[str, Sequence[Activity]] | None = None,
    credits: Mapping[str, str] | None = None,
) -> str:
    """One ZH308 v9.0 file (one invoice) of ``declarations``, which must share ``agb``,
    ``uzovi`` and ``declared_on``. ``bsn_of`` gives the BSN of a ``patient_ref`` (the writer
    is the hospital's side, which knows its patients); ``credits`` the declaration a credit
    credits (default: ``credit_links`` over these declarations; a credit without one is a
    ``Zh308WriteError``)."""
    if not declarations:
        raise Zh308WriteError("no declarations to write")
    first = declarations[0]
    for d in declarations:
        if (d.agb, d.uzovi, d.declared_on) != (first.agb, first.uzovi, first.declared_on):
            raise Zh308WriteError(
                "one file holds the declarations of one hospital to one insurer on one date"
            )
    links = credit_links(declarations) if credits is None else dict(credits)
    activities = activities or {}
    starts = min(d.start_date for d in declarations)
    ends = max(d.end_date for d in declarations)
    lines = [
        _line(
            "01",
            {
                101: "01", 102: MESSAGE_CODE, 103: VERSION[0], 104: VERSION[1], 105: "P",
                108: first.uzovi, 112: first.agb, 113: "03", 114: _ymd(starts),
                115: _ymd(ends), 116: invoice_number, 117: _ymd(first.declared_on),
                119: "EUR",
            },
        )
    ]  # fmt: skip
    counts = {"02": 0, "04": 0, "06": 0, "16": 0}
    total = 0
    sequence = 0
    for d in declarations:
        bsn = bsn_of(d.patient_ref)
        credit = d.amount_cents < 0
        dc = "C" if credit else "D"
        credited = links.get(d.declaration_id) if credit else None
        if credit and credited is None:
            raise Zh308WriteError(f"{d.declaration_id}: a credit that credits no declaration")
        code = d.declaratiecode or d.zorgproduct_code[3:]
        sequence += 1
        lines.append(
            _line(
                "02",
                {
                    201: "02", 202: sequence, 203: bsn, 204: d.uzovi, 207: "19000101",
                    208: 0, 209: 1, 210: "ONBEKEND", 215: "X", 223: 2,
                },
            )
        )  # fmt: skip
        sequence += 1
        lines.append(
            _line(
                "04",
                {
                    401: "04", 402: sequence, 403: bsn, 404: d.uzovi, 407: 1, 408: "19000101",
                    409: "020", 410: code, 411: _ymd(d.start_date), 412: _ymd(d.end_date),
                    413: 1, 414: d.zorgproduct_code, 419: d.dbc_id, 421: 1, 426: 1, 436: 0,
                    440: d.agb, 457: dc, 458: d.declaration_id, 459: credited,
                },
            )
        )  # fmt: skip
        sequence += 1
        amount = abs(d.amount_cents)
        lines.append(
            _line(
                "06",
                {
                    601: "06", 602: sequence, 603: bsn, 604: d.uzovi, 606: "020", 608: code,
                    609: _ymd(d.start_date), 610: 1, 611: 1, 614: amount, 615: 10000,
                    617: amount, 618: dc, 620: amount, 621: dc, 622: d.declaration_id,
                    623: credited,
                },
            )
        )  # fmt: skip
        counts["02"] += 1
        counts["04"] += 1
        counts["06"] += 1
        total += d.amount_cents
        for a in activities.get(d.declaration_id, ()):
            sequence += 1
            counts["16"] += 1
            lines.append(
                _line(
                    "16",
                    {
                        1601: "16", 1602: sequence, 1603: bsn, 1604: d.uzovi, 1606: "020",
                        1607: code, 1608: _ymd(d.start_date), 1609: 1,
                        1610: a.activity_number, 1611: a.activity_code,
                        1612: _ymd(a.start_date), 1613: _ymd(a.end_date), 1614: a.count,
                        1616: a.performed_at, 1619: "C" if a.credit else "D",
                        1620: f"{d.declaration_id}-{a.activity_number}"[:20],
                    },
                )
            )  # fmt: skip
    lines.append(
        _line(
            "99",
            {
                9901: "99", 9902: counts["02"], 9904: counts["04"], 9905: counts["06"],
                9906: counts["16"], 9907: 0, 9908: sum(counts.values()), 9909: abs(total),
                9910: "C" if total < 0 else "D",
            },
        )
    )  # fmt: skip
    return "".join(line + "\r\n" for line in lines)


def write_files(
    declarations: Iterable[Declaration],
    *,
    bsn_of: Callable[[str], str],
    activities: Mapping[str, Sequence[Activity]] | None = None,
) -> dict[str, str]:
    """ZH308 files for any declarations: one invoice per hospital, insurer and date, named
    ``<agb>-<uzovi>-<YYYYMMDD>.zh308``, the credit links found over all of them."""
    everything = list(declarations)
    links = credit_links(everything)
    groups: dict[tuple[str, str, dt.date], list[Declaration]] = {}
    for d in sorted(everything, key=lambda d: (d.agb, d.uzovi, d.declared_on, d.declaration_id)):
        groups.setdefault((d.agb, d.uzovi, d.declared_on), []).append(d)
    files = {}
    for number, ((agb, uzovi, day), group) in enumerate(groups.items(), start=1):
        files[f"{agb}-{uzovi}-{_ymd(day)}.zh308"] = write_zh308(
            group,
            bsn_of=bsn_of,
            invoice_number=f"F{number:011d}",
            activities=activities,
            credits=links,
        )
    return files
