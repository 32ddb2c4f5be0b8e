"""Writing ZH308 v9.0 files from declarations (and their activities): ``write_zh308`` (one
invoice), ``write_files`` (one file per hospital, insurer and date) and ``credit_links``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence

from spreiding.formats.zh308.layout import LAYOUT, MESSAGE_CODE, VERSION, Activity, Declaration


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
