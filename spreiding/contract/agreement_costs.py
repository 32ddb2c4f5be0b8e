"""What an agreement of ``agreements.json`` settles besides its care types (contract v2): the
hourly ``secondment_rates`` of roles (§5) with their VAT rates, the ``payment_term_days`` of
its invoices, and the shared ``costs`` (§6) with the key that divides each over the parties.
Example: two rates of one role whose ranges overlap give ``agreements.json:0:
secondment_rates[1].valid_from: the range 2024-06-01 to open overlaps secondment_rates[0] of
role 'medisch-specialist' (2024-01-01 to 2024-12-31)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from spreiding.contract.agreement_care import CareTermsParser, whole_count
from spreiding.contract.agreement_fields import MAX_SHARE_DECIMALS, Invalid
from spreiding.contract.cells import shown
from spreiding.domain.agreements import SecondmentRate, SharedCost
from spreiding.domain.money import DECIMAL_PATTERN

# A payment term beyond ten years is a slip, and due dates must stay dates.
MAX_PAYMENT_TERM_DAYS = 3650
# A cost key's weights are multiplied by the cost in cents: small enough to stay exact in int64.
MAX_WEIGHT = 1_000_000


class RatesAndCostsParser(CareTermsParser):
    """An agreement's secondment rates, payment term and shared costs."""

    def payment_term_days(self, value: Any, path: str) -> int:
        if not whole_count(value) or value > MAX_PAYMENT_TERM_DAYS:
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
                if not whole_count(weight) or weight > MAX_WEIGHT:
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


def _overlap(a: SecondmentRate, b: SecondmentRate) -> bool:
    """Whether two inclusive date ranges (an open end: for ever) share a day."""
    a_end = a.valid_to or date.max
    b_end = b.valid_to or date.max
    return a.valid_from <= b_end and b.valid_from <= a_end


def _range(rate: SecondmentRate) -> str:
    return f"{rate.valid_from} to {rate.valid_to or 'open'}"
