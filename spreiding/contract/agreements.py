"""Reading ``agreements.json``: every breach as a ``DatasetError`` whose line is the agreement's
index in the list (0-based) and whose column is the field path (``care_types[0].settlement.share``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from spreiding.domain import identifiers
from spreiding.domain.agreements import (
    CATEGORIES,
    FILE,
    HOME,
    METHODS,
    PHASES,
    STAGES,
    Agreement,
    CareType,
    ParallelConsent,
    PathwayStep,
    SettlementTerms,
)
from spreiding.domain.errors import DatasetError
from spreiding.domain.money import InvalidAmount, parse_eur, parse_share


class _Invalid(Exception):
    """Internal: a value could not be parsed; the error has been recorded."""


@dataclass
class _Parser:
    hospitals: Collection[str]
    insurers: Collection[str]
    price_lists: Collection[str] | None
    errors: list[DatasetError] = field(default_factory=list)
    index: int = 0

    def error(self, path: str, message: str) -> None:
        self.errors.append(DatasetError(FILE, self.index, path or "(agreement)", message))

    def fields(
        self, obj: Any, path: str, *, required: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> dict[str, Any]:
        if not isinstance(obj, dict):
            self.error(path, f"must be an object, not {type(obj).__name__}")
            raise _Invalid
        prefix = f"{path}." if path else ""
        for key in obj:
            if key not in required and key not in optional:
                self.error(f"{prefix}{key}", "unknown field")
        for key in required:
            if key not in obj:
                self.error(f"{prefix}{key}", "required field is missing")
        return obj

    def get(
        self, obj: dict[str, Any], key: str, path: str, parse: Callable[[Any, str], Any]
    ) -> Any:
        """Parse ``obj[key]``; a missing key was reported by ``fields``."""
        full = f"{path}.{key}" if path else key
        if key not in obj:
            raise _Invalid
        return parse(obj[key], full)

    def text(self, value: Any, path: str) -> str:
        if not isinstance(value, str) or not value.strip():
            self.error(path, "must be a non-empty string")
            raise _Invalid
        return value

    def optional_text(self, value: Any, path: str) -> str | None:
        return None if value is None else self.text(value, path)

    def choice(self, options: tuple[str, ...]) -> Callable[[Any, str], str]:
        def parse(value: Any, path: str) -> str:
            if value not in options:
                self.error(path, f"{value!r} is not one of {', '.join(options)}")
                raise _Invalid
            return str(value)

        return parse

    def day(self, value: Any, path: str) -> date:
        if isinstance(value, str) and len(value) == 10:
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.error(path, f"{value!r} is not a date YYYY-MM-DD")
        raise _Invalid

    def optional_day(self, value: Any, path: str) -> date | None:
        return None if value is None else self.day(value, path)

    def hospital(self, value: Any, path: str) -> str:
        if not isinstance(value, str):
            self.error(path, f"{value!r} is not an AGB code (a string of 8 digits)")
            raise _Invalid
        try:
            code = identifiers.agb.validate(value)
        except identifiers.InvalidIdentifier as exc:
            self.error(path, str(exc))
            raise _Invalid from exc
        if code != value:
            self.error(path, f"{value!r} must be written as 8 digits without separators")
            raise _Invalid
        if code not in self.hospitals:
            self.error(path, f"AGB {code} is not in hospitals.csv")
            raise _Invalid
        return code

    def code_list(self, code: identifiers.DigitCode) -> Callable[[Any, str], tuple[str, ...]]:
        def parse(value: Any, path: str) -> tuple[str, ...]:
            if not isinstance(value, list):
                self.error(path, "must be a list")
                raise _Invalid
            out: list[str] = []
            failed = False
            for i, item in enumerate(value):
                if not isinstance(item, str) or not code.is_valid(item) or len(item) != code.length:
                    self.error(
                        f"{path}[{i}]", f"{item!r} is not a {code.label} of {code.length} digits"
                    )
                    failed = True
                elif item in out:
                    self.error(f"{path}[{i}]", f"{item} is listed twice")
                    failed = True
                else:
                    out.append(item)
            if failed:
                raise _Invalid
            return tuple(out)

        return parse

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
        )
        values: dict[str, Any] = {}
        parsers: dict[str, Callable[[Any, str], Any]] = {
            "agreement_id": self.text,
            "name": self.text,
            "category": self.choice(CATEGORIES),
            "stage": self.choice(STAGES),
            "parties": self.parties,
            "valid_from": self.day,
            "valid_to": self.optional_day,
            "parent_id": self.optional_text,
        }
        failed = False
        for key, parse in parsers.items():
            try:
                values[key] = self.get(obj, key, "", parse)
            except _Invalid:
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
        except _Invalid:
            failed = True
        if failed:
            raise _Invalid
        return Agreement(care_types=care_types, **values)

    def parties(self, value: Any, path: str) -> tuple[str, ...]:
        if not isinstance(value, list):
            self.error(path, "must be a list of AGB codes")
            raise _Invalid
        out: list[str] = []
        failed = False
        for i, item in enumerate(value):
            try:
                agb = self.hospital(item, f"{path}[{i}]")
            except _Invalid:
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
            raise _Invalid
        return tuple(out)

    def care_types(self, value: Any, parties: tuple[str, ...]) -> tuple[CareType, ...]:
        # A framework agreement (raamovereenkomst) may have no care types of its own.
        if not isinstance(value, list):
            self.error("care_types", "must be a list")
            raise _Invalid
        out: list[CareType] = []
        failed = False
        for i, item in enumerate(value):
            try:
                care = self.care_type(item, f"care_types[{i}]", parties)
            except _Invalid:
                failed = True
                continue
            if any(c.care_type == care.care_type for c in out):
                self.error(f"care_types[{i}].care_type", f"{care.care_type!r} is used twice")
                failed = True
            out.append(care)
        if failed:
            raise _Invalid
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
            ),
        )
        failed = False
        values: dict[str, Any] = {}
        parsers: dict[str, tuple[Callable[[Any, str], Any], Any]] = {
            "care_type": (self.text, None),
            "zorgproduct_codes": (self.code_list(identifiers.zorgproduct), ()),
            "zorgproductgroepen": (self.code_list(identifiers.zorgproductgroep), ()),
            "performing_agb": (self.performing(parties), None),
            "settlement": (self.settlement, None),
            "parallel_consents": (self.consents, ()),
            "planned_volume": (self.planned_volume, ()),
            "pathway": (self.pathway(parties), ()),
        }
        for key, (parse, default) in parsers.items():
            if key not in obj and default is not None:
                values[key] = default
                continue
            try:
                values[key] = self.get(obj, key, path, parse)
            except _Invalid:
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
            raise _Invalid
        return CareType(**values)

    def performing(self, parties: tuple[str, ...]) -> Callable[[Any, str], str | None]:
        def parse(value: Any, path: str) -> str | None:
            if value is None:
                return None
            agb = self.hospital(value, path)
            if parties and agb not in parties:
                self.error(path, f"AGB {agb} is not a party of this agreement")
                raise _Invalid
            return agb

        return parse

    def settlement(self, obj: Any, path: str) -> SettlementTerms:
        if not isinstance(obj, dict):
            self.error(path, "must be an object")
            raise _Invalid
        method = self.get(obj, "method", path, self.choice(METHODS)) if "method" in obj else None
        if method is None:
            self.error(f"{path}.method", "required field is missing")
            raise _Invalid
        if method == "odv_benchmark":
            obj = self.fields(obj, path, required=("method", "price_list", "share"))
            price_list = self.get(obj, "price_list", path, self.price_list)
            share = self.get(obj, "share", path, self.share)
            return SettlementTerms(method, price_list=price_list, share=share)
        if method == "fixed_fee":
            obj = self.fields(obj, path, required=("method", "fee_eur"))
            return SettlementTerms(method, fee_cents=self.get(obj, "fee_eur", path, self.fee))
        self.fields(obj, path, required=("method",))
        return SettlementTerms(method)

    def price_list(self, value: Any, path: str) -> str:
        name = self.text(value, path)
        if self.price_lists is not None and name not in self.price_lists:
            self.error(path, f"price list {name!r} is not in prices.csv")
            raise _Invalid
        return name

    def share(self, value: Any, path: str) -> Decimal:
        if not isinstance(value, str):
            self.error(path, f'{value!r} must be a decimal string such as "0.90"')
            raise _Invalid
        try:
            return parse_share(value)
        except InvalidAmount as exc:
            self.error(path, str(exc))
            raise _Invalid from exc

    def fee(self, value: Any, path: str) -> int:
        if not isinstance(value, str):
            self.error(path, f'{value!r} must be a money string such as "1250.00"')
            raise _Invalid
        try:
            return parse_eur(value)
        except InvalidAmount as exc:
            self.error(path, str(exc))
            raise _Invalid from exc

    def consents(self, value: Any, path: str) -> tuple[ParallelConsent, ...]:
        if not isinstance(value, list):
            self.error(path, "must be a list")
            raise _Invalid
        out: list[ParallelConsent] = []
        failed = False
        for i, item in enumerate(value):
            p = f"{path}[{i}]"
            try:
                obj = self.fields(item, p, required=("uzovi", "valid_from", "valid_to"))
                uzovi = self.get(obj, "uzovi", p, self.insurer)
                valid_from = self.get(obj, "valid_from", p, self.day)
                valid_to = self.get(obj, "valid_to", p, self.optional_day)
            except _Invalid:
                failed = True
                continue
            if valid_to is not None and valid_to < valid_from:
                self.error(f"{p}.valid_to", f"{valid_to} is before valid_from {valid_from}")
                failed = True
                continue
            out.append(ParallelConsent(uzovi, valid_from, valid_to))
        if failed:
            raise _Invalid
        return tuple(out)

    def insurer(self, value: Any, path: str) -> str:
        if not isinstance(value, str) or not identifiers.uzovi.is_valid(value) or len(value) != 4:
            self.error(path, f"{value!r} is not a UZOVI code of 4 digits")
            raise _Invalid
        if value not in self.insurers:
            self.error(path, f"UZOVI {value} is not in insurers.csv")
            raise _Invalid
        return value

    def planned_volume(self, value: Any, path: str) -> tuple[tuple[int, int], ...]:
        if not isinstance(value, dict):
            self.error(path, "must be an object of year -> number of patients")
            raise _Invalid
        out: list[tuple[int, int]] = []
        failed = False
        for key, count in value.items():
            if not (isinstance(key, str) and len(key) == 4 and key.isdigit()):
                self.error(f"{path}.{key}", "the key must be a year YYYY")
                failed = True
            elif isinstance(count, bool) or not isinstance(count, int) or count < 0:
                self.error(f"{path}.{key}", f"{count!r} is not a number of patients (integer >= 0)")
                failed = True
            else:
                out.append((int(key), count))
        if failed:
            raise _Invalid
        return tuple(sorted(out))

    def pathway(self, parties: tuple[str, ...]) -> Callable[[Any, str], tuple[PathwayStep, ...]]:
        def parse(value: Any, path: str) -> tuple[PathwayStep, ...]:
            if not isinstance(value, list):
                self.error(path, "must be a list")
                raise _Invalid
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
                            raise _Invalid
                except _Invalid:
                    failed = True
                    continue
                out.append(PathwayStep(phase, at))
            if failed:
                raise _Invalid
            return tuple(out)

        return parse


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
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return [], [DatasetError(FILE, exc.lineno, "(json)", f"not valid JSON: {exc.msg}")], None
    if not isinstance(data, list):
        return [], [DatasetError(FILE, 0, "(json)", "must be a JSON list of agreements")], None
    parser = _Parser(hospitals=hospitals, insurers=insurers, price_lists=price_lists)
    agreements: list[Agreement] = []
    seen: dict[str, int] = {}
    for index, obj in enumerate(data):
        parser.index = index
        try:
            agreement = parser.agreement(obj)
        except _Invalid:
            continue
        if agreement.agreement_id in seen:
            first = seen[agreement.agreement_id]
            parser.error(
                "agreement_id", f"{agreement.agreement_id!r} is also the id of agreement {first}"
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
                    "parent_id", f"agreement {agreement.parent_id!r} is not in agreements.json"
                )
    return agreements, parser.errors, {i for i in ids if i}
