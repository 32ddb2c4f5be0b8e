"""Reading ``agreements.json``: every breach as a ``DatasetError`` whose line is the agreement's
index in the list (0-based) and whose column is the field path (``care_types[0].settlement.share``).

The parsers of single fields (text, dates, AGB codes, money, shares) are in
``agreement_fields``; this module parses the structure and checks what spans fields: parties,
care types, consents, pathways, and ``parent_id`` across agreements; for contract v2 also the
settlement terms' ``price_year``, ``ceiling``, ``share_above_ceiling`` and ``otherwise``, a care
type's ``planned_weekly``, and an agreement's ``secondment_rates``, ``payment_term_days`` and
``costs``. Example: two rates of one role whose ranges overlap give ``agreements.json:0:
secondment_rates[1].valid_from: the range 2024-06-01 to open overlaps secondment_rates[0] of
role 'medisch-specialist' (2024-01-01 to 2024-12-31)``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection
from datetime import date
from decimal import Decimal
from typing import Any

from spreiding.contract.agreement_fields import (
    MAX_SHARE_DECIMALS,
    FieldParser,
    Invalid,
    json_number,
    unstorable_values,
)
from spreiding.contract.cells import shown
from spreiding.domain import identifiers
from spreiding.domain.agreements import (
    CATEGORIES,
    DEFAULT_PAYMENT_TERM_DAYS,
    FILE,
    HOME,
    METHODS,
    PHASES,
    PRICE_YEARS,
    STAGES,
    Agreement,
    CareType,
    ParallelConsent,
    PathwayStep,
    SecondmentRate,
    SettlementTerms,
    SharedCost,
)
from spreiding.domain.errors import DatasetError
from spreiding.domain.money import DECIMAL_PATTERN

_REQUIRED = object()
# Whole numbers of the agreement that the database keeps in 32-bit INTEGER columns, with room.
MAX_COUNT = 1_000_000_000
# A payment term beyond ten years is a slip, and due dates must stay dates.
MAX_PAYMENT_TERM_DAYS = 3650
# The v2 fields of odv_benchmark terms only, and the methods an ``otherwise`` object may have.
ODV_ONLY = ("price_year", "ceiling", "share_above_ceiling")
OTHERWISE_METHODS = ("odv_benchmark", "fixed_fee")
# A cost key's weights are multiplied by the cost in cents: small enough to stay exact in int64.
MAX_WEIGHT = 1_000_000


class _Parser(FieldParser):
    """The structure of an agreement: its fields, parties and care types."""

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
        failed = False
        values: dict[str, Any] = {}
        # The value of a field left out; _REQUIRED: none, the field must be there. An omitted
        # performing_agb is null: any party performs (docs/data-format.md §1).
        parsers: dict[str, tuple[Callable[[Any, str], Any], Any]] = {
            "care_type": (self.id_text, _REQUIRED),
            "zorgproduct_codes": (self.code_list(identifiers.zorgproduct), ()),
            "zorgproductgroepen": (self.code_list(identifiers.zorgproductgroep), ()),
            "performing_agb": (self.performing(parties), None),
            "settlement": (self.settlement, _REQUIRED),
            "parallel_consents": (self.consents, ()),
            "planned_volume": (self.planned_volume, ()),
            "pathway": (self.pathway(parties), ()),
            "planned_weekly": (self.planned_weekly, None),
        }
        for key, (parse, default) in parsers.items():
            if key not in obj and default is not _REQUIRED:
                values[key] = default
                continue
            try:
                values[key] = self.get(obj, key, path, parse)
            except Invalid:
                failed = True
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

    def performing(self, parties: tuple[str, ...]) -> Callable[[Any, str], str | None]:
        def parse(value: Any, path: str) -> str | None:
            if value is None:
                return None
            agb = self.hospital(value, path)
            if parties and agb not in parties:
                self.error(path, f"AGB {agb} is not a party of this agreement")
                raise Invalid
            return agb

        return parse

    def settlement(self, obj: Any, path: str) -> SettlementTerms:
        return self.terms(obj, path, METHODS)

    def terms(self, obj: Any, path: str, methods: tuple[str, ...]) -> SettlementTerms:
        """Settlement terms of one of ``methods``. v2: ``odv_benchmark`` may carry
        ``price_year`` and a ``ceiling`` (then ``share_above_ceiling`` too); ``parallel`` may
        carry ``otherwise``: the ``odv_benchmark`` or ``fixed_fee`` terms for the patients of
        insurers that did not consent."""
        if not isinstance(obj, dict):
            self.error(path, "must be an object")
            raise Invalid
        method = self.get(obj, "method", path, self.choice(methods)) if "method" in obj else None
        if method is None:
            self.error(f"{path}.method", "required field is missing")
            raise Invalid
        # A v2 field on terms it does not belong to is named as such, not as "unknown".
        misplaced = [
            (k, "parallel terms") for k in ("otherwise",) if k in obj and method != "parallel"
        ] + [(k, "odv_benchmark terms") for k in ODV_ONLY if k in obj and method != "odv_benchmark"]
        for k, where in misplaced:
            self.error(f"{path}.{k}", f"belongs to {where} only")
        if misplaced:
            raise Invalid
        if method == "odv_benchmark":
            obj = self.fields(
                obj, path, required=("method", "price_list", "share"), optional=ODV_ONLY
            )
            failed = False
            values: dict[str, Any] = {}
            parsers: dict[str, tuple[Callable[[Any, str], Any], Any]] = {
                "price_list": (self.price_list, _REQUIRED),
                "share": (self.share, _REQUIRED),
                "price_year": (self.choice(PRICE_YEARS), "end"),
                "ceiling": (self.ceiling, ()),
                "share_above_ceiling": (self.share, None),
            }
            for key, (parse, default) in parsers.items():
                if key not in obj and default is not _REQUIRED:
                    values[key] = default
                    continue
                try:
                    values[key] = self.get(obj, key, path, parse)
                except Invalid:
                    failed = True
            # A ceiling says where share_above_ceiling begins: the two come together.
            if "ceiling" in obj and "share_above_ceiling" not in obj:
                self.error(f"{path}.share_above_ceiling", "required with ceiling")
                failed = True
            if "share_above_ceiling" in obj and "ceiling" not in obj:
                self.error(f"{path}.share_above_ceiling", "allowed only with ceiling")
                failed = True
            if failed:
                raise Invalid
            return SettlementTerms(method, **values)
        if method == "fixed_fee":
            obj = self.fields(obj, path, required=("method", "fee_eur"))
            return SettlementTerms(method, fee_cents=self.get(obj, "fee_eur", path, self.fee))
        obj = self.fields(obj, path, required=("method",), optional=("otherwise",))
        if "otherwise" in obj:
            otherwise = self.terms(obj["otherwise"], f"{path}.otherwise", OTHERWISE_METHODS)
            return SettlementTerms(method, otherwise=otherwise)
        return SettlementTerms(method)

    def ceiling(self, value: Any, path: str) -> tuple[tuple[int, int], ...]:
        return self.year_counts(value, path, "number of DBCs")

    def year_counts(self, value: Any, path: str, what: str) -> tuple[tuple[int, int], ...]:
        """An object of year string -> whole number >= 0, sorted by year."""
        if not isinstance(value, dict):
            self.error(path, f"must be an object of year -> {what}")
            raise Invalid
        out: list[tuple[int, int]] = []
        failed = False
        for key, count in value.items():
            if not (isinstance(key, str) and len(key) == 4 and key.isdigit()):
                self.error(f"{path}.{key}", "the key must be a year YYYY")
                failed = True
            elif not _count(count):
                self.error(
                    f"{path}.{key}",
                    f"{shown(count)} is not a {what} (a whole number from 0 to {MAX_COUNT:,})",
                )
                failed = True
            else:
                out.append((int(key), count))
        if failed:
            raise Invalid
        return tuple(sorted(out))

    def planned_weekly(self, value: Any, path: str) -> int | None:
        if value is None:
            return None
        if not _count(value):
            self.error(
                path,
                f"{shown(value)} is not a number of patients per week "
                f"(a whole number from 0 to {MAX_COUNT:,})",
            )
            raise Invalid
        return int(value)

    def payment_term_days(self, value: Any, path: str) -> int:
        if not _count(value) or value > MAX_PAYMENT_TERM_DAYS:
            self.error(
                path,
                f"{shown(value)} is not a number of days "
                f"(a whole number from 0 to {MAX_PAYMENT_TERM_DAYS:,})",
            )
            raise Invalid
        return int(value)

    def secondment_rates(self, value: Any, path: str) -> tuple[SecondmentRate, ...]:
        """The hourly rates of roles (contract §5); two of one role may not overlap in time."""
        if not isinstance(value, list):
            self.error(path, "must be a list")
            raise Invalid
        out: list[tuple[int, SecondmentRate]] = []
        failed = False
        for i, item in enumerate(value):
            p = f"{path}[{i}]"
            try:
                obj = self.fields(
                    item,
                    p,
                    required=("role", "rate_eur", "valid_from"),
                    optional=("vat_rate", "valid_to"),
                )
                role = self.get(obj, "role", p, self.id_text)
                rate = self.get(obj, "rate_eur", p, self.fee)
                vat = self.get(obj, "vat_rate", p, self.vat_rate) if "vat_rate" in obj else None
                valid_from = self.get(obj, "valid_from", p, self.day)
                valid_to = (
                    self.get(obj, "valid_to", p, self.optional_day) if "valid_to" in obj else None
                )
            except Invalid:
                failed = True
                continue
            if valid_to is not None and valid_to < valid_from:
                self.error(f"{p}.valid_to", f"{valid_to} is before valid_from {valid_from}")
                failed = True
                continue
            rate_value = SecondmentRate(
                role, rate, vat if vat is not None else Decimal("0.00"), valid_from, valid_to
            )
            for j, other in out:
                if other.role == role and _overlap(other, rate_value):
                    self.error(
                        f"{p}.valid_from",
                        f"the range {_range(rate_value)} overlaps {path}[{j}] of role "
                        f"{shown(role)} ({_range(other)})",
                    )
                    failed = True
                    break
            out.append((i, rate_value))
        if failed:
            raise Invalid
        return tuple(r for _, r in out)

    def vat_rate(self, value: Any, path: str) -> Decimal:
        if not isinstance(value, str):
            self.error(path, f'{shown(value)} must be a decimal string such as "0.21"')
            raise Invalid
        if not re.fullmatch(DECIMAL_PATTERN, value) or Decimal(value) >= 1:
            self.error(path, f"VAT rate {shown(value)} must be a decimal from 0 up to (not) 1")
            raise Invalid
        decimals = -int(Decimal(value).as_tuple().exponent)
        if decimals > MAX_SHARE_DECIMALS:
            self.error(
                path,
                f"VAT rate has {decimals:,} decimals; at most {MAX_SHARE_DECIMALS} are allowed",
            )
            raise Invalid
        return Decimal(value)

    def costs(self, parties: tuple[str, ...]) -> Callable[[Any, str], tuple[SharedCost, ...]]:
        """Lump sums one party paid, shared by a key over the parties (contract §6)."""

        def parse(value: Any, path: str) -> tuple[SharedCost, ...]:
            if not isinstance(value, list):
                self.error(path, "must be a list")
                raise Invalid
            out: list[SharedCost] = []
            failed = False
            for i, item in enumerate(value):
                p = f"{path}[{i}]"
                try:
                    cost = self.cost(item, p, parties)
                except Invalid:
                    failed = True
                    continue
                if any(c.cost_id == cost.cost_id for c in out):
                    self.error(f"{p}.cost_id", f"{shown(cost.cost_id)} is used twice")
                    failed = True
                out.append(cost)
            if failed:
                raise Invalid
            return tuple(out)

        return parse

    def cost(self, item: Any, path: str, parties: tuple[str, ...]) -> SharedCost:
        fields = ("cost_id", "description", "year", "amount_eur", "paid_by", "key")
        obj = self.fields(item, path, required=fields)
        parsers: dict[str, Callable[[Any, str], Any]] = {
            "cost_id": self.id_text,
            "description": self.text,
            "year": self.year,
            "amount_eur": self.fee,
            "paid_by": self.party(parties),
            "key": self.cost_key(parties),
        }
        values: dict[str, Any] = {}
        failed = False
        for key, parse in parsers.items():
            try:
                values[key] = self.get(obj, key, path, parse)
            except Invalid:
                failed = True
        if failed:
            raise Invalid
        return SharedCost(
            cost_id=values["cost_id"],
            description=values["description"],
            year=values["year"],
            amount_cents=values["amount_eur"],
            paid_by=values["paid_by"],
            key=values["key"],
        )

    def year(self, value: Any, path: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 9999:
            self.error(path, f"{shown(value)} is not a year (a number such as 2024)")
            raise Invalid
        return value

    def party(self, parties: tuple[str, ...]) -> Callable[[Any, str], str]:
        def parse(value: Any, path: str) -> str:
            agb = self.performing(parties)(value, path) if value is not None else None
            if agb is None:
                self.error(path, f"{shown(value)} is not an AGB code (a string of 8 digits)")
                raise Invalid
            return agb

        return parse

    def cost_key(
        self, parties: tuple[str, ...]
    ) -> Callable[[Any, str], tuple[tuple[str, int], ...]]:
        def parse(value: Any, path: str) -> tuple[tuple[str, int], ...]:
            if not isinstance(value, dict):
                self.error(path, "must be an object of AGB code -> weight")
                raise Invalid
            out: list[tuple[str, int]] = []
            failed = False
            for agb, weight in value.items():
                p = f"{path}.{agb}"
                try:
                    self.performing(parties)(agb, p)
                except Invalid:
                    failed = True
                    continue
                if not _count(weight) or weight > MAX_WEIGHT:
                    self.error(
                        p,
                        f"{shown(weight)} is not a weight "
                        f"(a whole number from 0 to {MAX_WEIGHT:,})",
                    )
                    failed = True
                    continue
                out.append((agb, int(weight)))
            if not failed and sum(w for _, w in out) == 0:
                self.error(path, "the weights sum to 0; at least one must be more than 0")
                failed = True
            if failed:
                raise Invalid
            return tuple(out)

        return parse

    def consents(self, value: Any, path: str) -> tuple[ParallelConsent, ...]:
        if not isinstance(value, list):
            self.error(path, "must be a list")
            raise Invalid
        out: list[ParallelConsent] = []
        failed = False
        for i, item in enumerate(value):
            p = f"{path}[{i}]"
            try:
                obj = self.fields(item, p, required=("uzovi", "valid_from", "valid_to"))
                uzovi = self.get(obj, "uzovi", p, self.insurer)
                valid_from = self.get(obj, "valid_from", p, self.day)
                valid_to = self.get(obj, "valid_to", p, self.optional_day)
            except Invalid:
                failed = True
                continue
            if valid_to is not None and valid_to < valid_from:
                self.error(f"{p}.valid_to", f"{valid_to} is before valid_from {valid_from}")
                failed = True
                continue
            out.append(ParallelConsent(uzovi, valid_from, valid_to))
        if failed:
            raise Invalid
        return tuple(out)

    def planned_volume(self, value: Any, path: str) -> tuple[tuple[int, int], ...]:
        if not isinstance(value, dict):
            self.error(path, "must be an object of year -> number of patients")
            raise Invalid
        out: list[tuple[int, int]] = []
        failed = False
        for key, count in value.items():
            if not (isinstance(key, str) and len(key) == 4 and key.isdigit()):
                self.error(f"{path}.{key}", "the key must be a year YYYY")
                failed = True
            elif isinstance(count, bool) or not isinstance(count, int) or count < 0:
                self.error(
                    f"{path}.{key}", f"{shown(count)} is not a number of patients (integer >= 0)"
                )
                failed = True
            else:
                out.append((int(key), count))
        if failed:
            raise Invalid
        return tuple(sorted(out))

    def pathway(self, parties: tuple[str, ...]) -> Callable[[Any, str], tuple[PathwayStep, ...]]:
        def parse(value: Any, path: str) -> tuple[PathwayStep, ...]:
            if not isinstance(value, list):
                self.error(path, "must be a list")
                raise Invalid
            out: list[PathwayStep] = []
            failed = False
            for i, item in enumerate(value):
                p = f"{path}[{i}]"
                try:
                    obj = self.fields(item, p, required=("phase", "at"))
                    phase = self.get(obj, "phase", p, self.choice(PHASES))
                    at = obj.get("at")
                    if at != HOME:
                        at = self.get(obj, "at", p, self.performing(parties))
                        if at is None:
                            self.error(f"{p}.at", "must be 'home' or a party's AGB code")
                            raise Invalid
                except Invalid:
                    failed = True
                    continue
                out.append(PathwayStep(phase, at))
            if failed:
                raise Invalid
            return tuple(out)

        return parse


def _count(value: Any) -> bool:
    """A whole JSON number from 0 to ``MAX_COUNT`` (``true`` is no number)."""
    return not isinstance(value, bool) and isinstance(value, int) and 0 <= value <= MAX_COUNT


def _overlap(a: SecondmentRate, b: SecondmentRate) -> bool:
    """Whether two inclusive date ranges (an open end: for ever) share a day."""
    a_end = a.valid_to or date.max
    b_end = b.valid_to or date.max
    return a.valid_from <= b_end and b.valid_from <= a_end


def _range(rate: SecondmentRate) -> str:
    return f"{rate.valid_from} to {rate.valid_to or 'open'}"


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
