"""Reading ``agreements.json``: every breach as a ``DatasetError`` whose line is the agreement's
index in the list (0-based) and whose column is the field path (``care_types[0].settlement.share``).

The parsers of single fields (text, dates, AGB codes, money, shares) are in
``agreement_fields``; the terms of a care type (settlement terms with the v2 ``price_year``,
``ceiling``, ``share_above_ceiling`` and ``otherwise``, consents, planned volume and
``planned_weekly``, pathways) in ``agreement_care``; an agreement's v2 ``secondment_rates``,
``payment_term_days`` and ``costs`` in ``agreement_costs``. This module parses the structure
and checks what spans fields: parties, care types, and ``parent_id`` across agreements.
Example: two rates of one role whose ranges overlap give ``agreements.json:0:
secondment_rates[1].valid_from: the range 2024-06-01 to open overlaps secondment_rates[0] of
role 'medisch-specialist' (2024-01-01 to 2024-12-31)``.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

from spreiding.contract.agreement_care import REQUIRED, Parsers
from spreiding.contract.agreement_costs import RatesAndCostsParser
from spreiding.contract.agreement_fields import Invalid, json_number, unstorable_values
from spreiding.contract.cells import shown
from spreiding.domain import identifiers
from spreiding.domain.agreements import (
    CATEGORIES,
    DEFAULT_PAYMENT_TERM_DAYS,
    FILE,
    STAGES,
    Agreement,
    CareType,
)
from spreiding.domain.errors import DatasetError


class _Parser(RatesAndCostsParser):
    """The structure of an agreement: its fields, parties and care types (the terms of each
    care type: ``CareTermsParser``; rates and costs: ``RatesAndCostsParser``)."""

    def agreement(self, obj: Any) -> Agreement:
        obj = self.fields(
            obj,
            "",
            required=(
                "agreement_id",
                "name",
                "category",
                "stage",
                "parties",
                "valid_from",
                "valid_to",
                "parent_id",
                "care_types",
            ),
            optional=("secondment_rates", "payment_term_days", "costs"),
        )
        values: dict[str, Any] = {}
        parsers: dict[str, Callable[[Any, str], Any]] = {
            "agreement_id": self.id_text,
            "name": self.text,
            "category": self.choice(CATEGORIES),
            "stage": self.choice(STAGES),
            "parties": self.parties,
            "valid_from": self.day,
            "valid_to": self.optional_day,
            "parent_id": self.optional_id,
        }
        failed = False
        for key, parse in parsers.items():
            try:
                values[key] = self.get(obj, key, "", parse)
            except Invalid:
                failed = True
        if (
            not failed
            and values["valid_to"] is not None
            and values["valid_to"] < values["valid_from"]
        ):
            self.error(
                "valid_to", f"{values['valid_to']} is before valid_from {values['valid_from']}"
            )
            failed = True
        try:
            care_types = self.care_types(obj.get("care_types"), values.get("parties", ()))
        except Invalid:
            failed = True
        # v2, each optional: omitted, it takes its default.
        optional: dict[str, tuple[Callable[[Any, str], Any], Any]] = {
            "secondment_rates": (self.secondment_rates, ()),
            "payment_term_days": (self.payment_term_days, DEFAULT_PAYMENT_TERM_DAYS),
            "costs": (self.costs(values.get("parties", ())), ()),
        }
        for key, (parse, default) in optional.items():
            try:
                values[key] = self.get(obj, key, "", parse) if key in obj else default
            except Invalid:
                failed = True
        if failed:
            raise Invalid
        return Agreement(care_types=care_types, **values)

    def parties(self, value: Any, path: str) -> tuple[str, ...]:
        if not isinstance(value, list):
            self.error(path, "must be a list of AGB codes")
            raise Invalid
        out: list[str] = []
        failed = False
        for i, item in enumerate(value):
            try:
                agb = self.hospital(item, f"{path}[{i}]")
            except Invalid:
                failed = True
                continue
            if agb in out:
                self.error(f"{path}[{i}]", f"AGB {agb} is listed twice")
                failed = True
            out.append(agb)
        if len(value) < 2:
            self.error(path, f"an agreement needs at least 2 parties, has {len(value)}")
            failed = True
        if failed:
            raise Invalid
        return tuple(out)

    def care_types(self, value: Any, parties: tuple[str, ...]) -> tuple[CareType, ...]:
        # A framework agreement (raamovereenkomst) may have no care types of its own.
        if not isinstance(value, list):
            self.error("care_types", "must be a list")
            raise Invalid
        out: list[CareType] = []
        failed = False
        for i, item in enumerate(value):
            try:
                care = self.care_type(item, f"care_types[{i}]", parties)
            except Invalid:
                failed = True
                continue
            if any(c.care_type == care.care_type for c in out):
                self.error(f"care_types[{i}].care_type", f"{shown(care.care_type)} is used twice")
                failed = True
            out.append(care)
        if failed:
            raise Invalid
        return tuple(out)

    def care_type(self, obj: Any, path: str, parties: tuple[str, ...]) -> CareType:
        obj = self.fields(
            obj,
            path,
            required=("care_type", "settlement"),
            optional=(
                "zorgproduct_codes",
                "zorgproductgroepen",
                "performing_agb",
                "parallel_consents",
                "planned_volume",
                "pathway",
                "planned_weekly",
            ),
        )
        # The value of a field left out; REQUIRED: none, the field must be there. An omitted
        # performing_agb is null: any party performs (docs/data-format.md §1).
        parsers: Parsers = {
            "care_type": (self.id_text, REQUIRED),
            "zorgproduct_codes": (self.code_list(identifiers.zorgproduct), ()),
            "zorgproductgroepen": (self.code_list(identifiers.zorgproductgroep), ()),
            "performing_agb": (self.performing(parties), None),
            "settlement": (self.settlement, REQUIRED),
            "parallel_consents": (self.consents, ()),
            "planned_volume": (self.planned_volume, ()),
            "pathway": (self.pathway(parties), ()),
            "planned_weekly": (self.planned_weekly, None),
        }
        values, failed = self.read_fields(obj, path, parsers)
        if (
            "zorgproduct_codes" in values
            and "zorgproductgroepen" in values
            and not values["zorgproduct_codes"]
            and not values["zorgproductgroepen"]
        ):
            self.error(path, "zorgproduct_codes and zorgproductgroepen are both empty")
            failed = True
        if failed:
            raise Invalid
        return CareType(**values)


def read_agreements_text(path: Path) -> str | DatasetError:
    """The text of ``agreements.json`` (its lines ending in ``\n``), or the error that names
    the line and column of its first byte that is not UTF-8. JSON is UTF-8 (RFC 8259 §8.1): a
    byte order mark is allowed, but unlike a CSV file a Windows-1252 file is not read."""
    data = path.read_bytes()
    body = data[len(codecs.BOM_UTF8) :] if data.startswith(codecs.BOM_UTF8) else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = body.count(b"\n", 0, exc.start) + 1
        line_start = body.rfind(b"\n", 0, exc.start) + 1
        # The line up to the bad byte is UTF-8: its column counts characters, from 1.
        column = len(body[line_start : exc.start].decode("utf-8")) + 1
        message = (
            f"not UTF-8 ({exc.reason}: byte 0x{body[exc.start]:02x} on this line, column "
            f"{column}); JSON is always UTF-8: save it as UTF-8"
        )
        return DatasetError(FILE, line, "(file)", message)
    # As reading it as text would: every line end (\r\n, \r) becomes \n.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_agreements(
    text: str,
    *,
    hospitals: Collection[str],
    insurers: Collection[str],
    price_lists: Collection[str] | None,
    known_ids: Collection[str] = (),
) -> tuple[list[Agreement], list[DatasetError], set[str] | None]:
    """Parse the text of ``agreements.json``; return the valid agreements, every error, and
    the ids of all agreements in the file (parsed or not), against which references are
    checked without a cascade of errors (None when the file is not a JSON list).
    ``known_ids``: agreements stored already, which a ``parent_id`` may name."""
    try:
        data = json.loads(text, parse_int=json_number(int), parse_float=json_number(float))
    except json.JSONDecodeError as exc:
        return [], [DatasetError(FILE, exc.lineno, "(json)", f"not valid JSON: {exc.msg}")], None
    except RecursionError:
        # No agreement nests more than a few levels; the decoder gives up near 1,000.
        return [], [DatasetError(FILE, 0, "(json)", "not valid JSON: nested too deeply")], None
    if not isinstance(data, list):
        return [], [DatasetError(FILE, 0, "(json)", "must be a JSON list of agreements")], None
    parser = _Parser(hospitals=hospitals, insurers=insurers, price_lists=price_lists)
    agreements: list[Agreement] = []
    seen: dict[str, int] = {}
    for index, obj in enumerate(data):
        parser.index = index
        unstorable = unstorable_values(obj, "")
        for path, message in unstorable:
            parser.error(path, message)
        if unstorable:
            continue  # checked once its values can be read: no message quotes such a value
        reported = len(parser.errors)
        try:
            agreement = parser.agreement(obj)
        except Invalid:
            if len(parser.errors) == reported:
                # Every parser records what it refuses; should one ever fail silently, the
                # agreement is still refused aloud, never dropped from a "valid" dataset.
                parser.error("", "cannot be read (no reason was recorded)")
            continue
        if agreement.agreement_id in seen:
            first = seen[agreement.agreement_id]
            parser.error(
                "agreement_id",
                f"{shown(agreement.agreement_id)} is also the id of agreement {first}",
            )
            continue
        seen[agreement.agreement_id] = index
        agreements.append(agreement)
    ids = {a.agreement_id for a in agreements} | set(known_ids)
    # The ids of agreements that failed to parse still count as known parents.
    ids |= {str(obj.get("agreement_id")) for obj in data if isinstance(obj, dict)}
    for agreement in agreements:
        if agreement.parent_id is not None:
            parser.index = seen[agreement.agreement_id]
            if agreement.parent_id == agreement.agreement_id:
                parser.error("parent_id", "an agreement cannot be its own parent")
            elif agreement.parent_id not in ids:
                parser.error(
                    "parent_id",
                    f"agreement {shown(agreement.parent_id)} is not in agreements.json",
                )
    return agreements, parser.errors, {i for i in ids if i}
