"""The terms of a care type in ``agreements.json`` (contract §2): the settlement terms of each
method (for v2 an ``odv_benchmark``'s ``price_year``, ``ceiling`` and ``share_above_ceiling``,
a ``parallel``'s ``otherwise``), the parallel consents, the planned volume and weekly
patients, the pathway, and the performing hospital (a party of the agreement). Each parser
takes a JSON value and its path and returns the typed value, or records a ``DatasetError``
and raises ``Invalid`` (``agreement_fields``). Example: ``agreements.json:0:
care_types[0].settlement.share_above_ceiling: required with ceiling``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from spreiding.contract.agreement_fields import FieldParser, Invalid
from spreiding.contract.cells import shown
from spreiding.domain.agreements import (
    HOME,
    METHODS,
    PHASES,
    PRICE_YEARS,
    ParallelConsent,
    PathwayStep,
    SettlementTerms,
)

# The value of a field that has no default: it must be there.
REQUIRED = object()
# Per field: its parser and the value of the field left out (REQUIRED: it must be there).
Parsers = dict[str, tuple[Callable[[Any, str], Any], Any]]
# Whole numbers of the agreement that the database keeps in 32-bit INTEGER columns, with room.
MAX_COUNT = 1_000_000_000
# The v2 fields of odv_benchmark terms only, and the methods an ``otherwise`` object may have.
ODV_ONLY = ("price_year", "ceiling", "share_above_ceiling")
OTHERWISE_METHODS = ("odv_benchmark", "fixed_fee")


def whole_count(value: Any) -> bool:
    """A whole JSON number from 0 to ``MAX_COUNT`` (``true`` is no number)."""
    return not isinstance(value, bool) and isinstance(value, int) and 0 <= value <= MAX_COUNT


class CareTermsParser(FieldParser):
    """What a care type of an agreement holds besides its name and codes."""

    def read_fields(
        self, obj: dict[str, Any], path: str, parsers: Parsers
    ) -> tuple[dict[str, Any], bool]:
        """Each field of ``parsers`` read from ``obj``; and whether any was invalid (each one
        reported)."""
        values: dict[str, Any] = {}
        failed = False
        for key, (parse, default) in parsers.items():
            if key not in obj and default is not REQUIRED:
                values[key] = default
                continue
            try:
                values[key] = self.get(obj, key, path, parse)
            except Invalid:
                failed = True
        return values, failed

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
            parsers: Parsers = {
                "price_list": (self.price_list, REQUIRED),
                "share": (self.share, REQUIRED),
                "price_year": (self.choice(PRICE_YEARS), "end"),
                "ceiling": (self.ceiling, ()),
                "share_above_ceiling": (self.share, None),
            }
            values, failed = self.read_fields(obj, path, parsers)
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
            elif not whole_count(count):
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
        if not whole_count(value):
            self.error(
                path,
                f"{shown(value)} is not a number of patients per week "
                f"(a whole number from 0 to {MAX_COUNT:,})",
            )
            raise Invalid
        return int(value)

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
