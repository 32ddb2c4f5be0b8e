"""Money: ``Decimal`` at the edges, integer eurocents inside.

One parsing rule and one rounding rule live here. ``parse_eur("1234.5")`` gives ``123450``
cents; ``format_cents(-5)`` gives ``"-0.05"``; ``apply_share(1999, Decimal("0.90"))`` gives
``1799`` (17.991 rounds half up to 17.99), and ``apply_share(17, Decimal("0.5"))`` gives ``9``
(0.085 rounds half up to 0.09).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
# Amounts stay well inside int64 cents, so sums of millions of lines cannot overflow.
MAX_CENTS = 10**15
_MONEY = re.compile(r"-?[0-9]+(\.[0-9]{1,2})?")
MONEY_PATTERN = _MONEY.pattern
_DECIMAL = re.compile(r"[0-9]+(\.[0-9]+)?")
DECIMAL_PATTERN = _DECIMAL.pattern


class InvalidAmount(ValueError):
    """A money value that is not euros with '.' and at most two decimals."""


def parse_eur(text: str, *, negative_allowed: bool = False) -> int:
    """Parse a contract money string (``1234.50``) to integer cents, exactly."""
    if not _MONEY.fullmatch(text):
        raise InvalidAmount(f"{text!r} is not an amount in euros with '.' and at most two decimals")
    cents = int(Decimal(text).scaleb(2))
    if abs(cents) >= MAX_CENTS:
        raise InvalidAmount(f"{text!r} is out of range (at most 13 digits before the point)")
    if cents < 0 and not negative_allowed:
        raise InvalidAmount(f"{text!r} is negative")
    return cents


def cents_to_decimal(cents: int) -> Decimal:
    return Decimal(int(cents)).scaleb(-2)


def format_cents(cents: int) -> str:
    """Cents as a string with exactly two decimals: ``-5`` -> ``"-0.05"``."""
    value = int(cents)
    sign = "-" if value < 0 else ""
    whole, part = divmod(abs(value), 100)
    return f"{sign}{whole}.{part:02d}"


def round_half_up_to_cent(cents: Decimal) -> int:
    """The one rounding rule: half up (away from zero) to a whole cent.

    Applied once, where a unit price is multiplied by a share (docs/data-format.md §3 step 4). The
    quantize carries its own rounding mode, so the ambient decimal context plays no part.
    """
    return int(cents.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def apply_share(unit_cents: int, share: Decimal) -> int:
    """Unit price (cents) times share, rounded half up to the cent."""
    return round_half_up_to_cent(Decimal(int(unit_cents)) * share)


def share_fraction(share: Decimal) -> tuple[int, int]:
    """A share as an exact fraction ``numerator / 10**k`` for integer arithmetic."""
    sign, digits, exponent = share.as_tuple()
    assert isinstance(exponent, int) and sign == 0
    numerator = int("".join(map(str, digits)) or "0")
    if exponent >= 0:
        return numerator * 10**exponent, 1
    return numerator, 10**-exponent


def apply_share_exact(unit_cents: int, numerator: int, denominator: int) -> int:
    """``apply_share`` in integers, for non-negative cents: half up is floor(x + 1/2).

    The engine uses this formula on whole int64 columns; ``apply_share`` is its reference.
    """
    return (2 * unit_cents * numerator + denominator) // (2 * denominator)


def parse_share(text: str) -> Decimal:
    """A share: a decimal string with 0 < share <= 1."""
    if not _DECIMAL.fullmatch(text):
        raise InvalidAmount(f"share {text!r} is not a decimal number such as 0.90")
    value = Decimal(text)
    if not Decimal(0) < value <= Decimal(1):
        raise InvalidAmount(f"share {text} must be greater than 0 and at most 1")
    return value


def format_share(share: Decimal) -> str:
    """A share with the decimals the agreement gives, at least two: 0.9 -> 0.90."""
    exponent = share.as_tuple().exponent
    places = max(2, -exponent if isinstance(exponent, int) else 2)
    return f"{share:.{places}f}"
