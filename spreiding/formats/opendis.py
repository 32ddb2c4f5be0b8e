"""NZa Open DIS ``01_DBC.csv``: national average selling prices as a benchmark price list.

Open DIS publishes, per year, one row per zorgproduct, treating specialism and typifying
diagnosis, with GEMIDDELDE_VERKOOPPRIJS the national average price of the zorgproduct (the
same on each of its rows). ``read_opendis`` collapses those rows to one price per zorgproduct
and year; two rows of one zorgproduct and year with different prices are an error naming
both lines; a row without a price (NZa leaves it empty for rare zorgproducten) gives none.
Example: the rows ``2024,0303,1234,131999061,...,1999.00`` and ``2024,0389,1234,131999061,
...,1999.00`` become one price ``(2024, "131999061", 199900)`` (cents); had the second said
``2010.00``::

    01_DBC.csv:3: GEMIDDELDE_VERKOOPPRIJS: 2010.00 for zorgproduct 131999061 in 2024, but
    line 2 says 1999.00
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from spreiding.domain.errors import DatasetError, DatasetInvalid

COLUMNS = (
    "JAAR", "BEHANDELEND_SPECIALISME_CD", "TYPERENDE_DIAGNOSE_CD", "ZORGPRODUCT_CD",
    "AANTAL_PAT_PER_ZPD", "AANTAL_SUBTRAJECT_PER_ZPD", "AANTAL_PAT_PER_DIAG",
    "AANTAL_SUBTRAJECT_PER_DIAG", "AANTAL_PAT_PER_SPC", "AANTAL_SUBTRAJECT_PER_SPC",
    "GEMIDDELDE_VERKOOPPRIJS", "VERSIE", "DATUM_BESTAND", "PEILDATUM",
)  # fmt: skip
READ = ("JAAR", "ZORGPRODUCT_CD", "GEMIDDELDE_VERKOOPPRIJS")
PRICE = re.compile(r"(\d+)(?:[.,](\d{1,2}))?")


@dataclass(frozen=True, order=True)
class BenchmarkPrice:
    year: int
    zorgproduct_code: str
    price_cents: int


def _cents(value: str) -> int | None:
    match = PRICE.fullmatch(value)
    if match is None:
        return None
    whole, fraction = match.groups()
    return int(whole) * 100 + int((fraction or "0").ljust(2, "0"))


def euros(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def read_opendis(name: str, text: str) -> list[BenchmarkPrice]:
    """One price per zorgproduct and year, sorted; ``DatasetInvalid`` with every error
    (``FILE:LINE: COLUMN: message``, the header is line 1)."""
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip().upper() for h in next(reader, [])]
    errors: list[DatasetError] = []
    for column in READ:
        if column not in header:
            errors.append(DatasetError(name, 1, column, "required column is missing"))
    if errors:
        raise DatasetInvalid(errors)
    where = {column: header.index(column) for column in READ}
    seen: dict[tuple[int, str], tuple[int, int]] = {}
    line = reader.line_num
    for row in reader:
        start, line = line + 1, reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            message = f"has {len(row)} cells, the header has {len(header)}"
            errors.append(DatasetError(name, start, "(row)", message))
            continue
        year, code, price = (row[where[c]].strip() for c in READ)
        ok = True
        if not (len(year) == 4 and year.isdigit()):
            errors.append(DatasetError(name, start, "JAAR", f"{year!r} is not a year"))
            ok = False
        if not (len(code) == 9 and code.isdigit()):
            message = f"{code!r} is not a zorgproduct code (9 digits)"
            errors.append(DatasetError(name, start, "ZORGPRODUCT_CD", message))
            ok = False
        if price == "":
            continue  # no national average for this zorgproduct: no benchmark price
        cents = _cents(price)
        if cents is None:
            message = f"{price!r} is not an amount in euros (at most two decimals)"
            errors.append(DatasetError(name, start, "GEMIDDELDE_VERKOOPPRIJS", message))
            ok = False
        if not ok:
            continue
        assert cents is not None
        key = (int(year), code)
        if key not in seen:
            seen[key] = (start, cents)
        elif seen[key][1] != cents:
            first_line, first_cents = seen[key]
            message = (
                f"{euros(cents)} for zorgproduct {code} in {year}, but line {first_line} "
                f"says {euros(first_cents)}"
            )
            errors.append(DatasetError(name, start, "GEMIDDELDE_VERKOOPPRIJS", message))
    if errors:
        raise DatasetInvalid(errors)
    return sorted(BenchmarkPrice(y, c, cents) for (y, c), (_line, cents) in seen.items())
