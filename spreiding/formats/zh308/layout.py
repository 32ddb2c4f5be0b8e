"""ZH308 v9.0's layout, read from the table ``zh308-v9.0-layout.csv`` in ``spreiding/formats``
(one row per field), and the values a file holds: ``Declaration``, ``Activity`` and
``Zh308Content``."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

RECORD_LENGTH = 610
VERSION = ("09", "00")  # 103 VERSIENUMMER and 104 SUBVERSIENUMMER BERICHTSTANDAARD
MESSAGE_CODE = "101"  # 102 CODE EXTERNE-INTEGRATIEBERICHT of ZH308
LAYOUT_FILE = Path(__file__).parent.with_name("zh308-v9.0-layout.csv")
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


def date_of(value: str) -> dt.date | None:
    if len(value) != 8 or not value.isdigit():
        return None
    try:
        return dt.date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        return None


def label(number: int) -> str:
    return FIELDS[number].label
