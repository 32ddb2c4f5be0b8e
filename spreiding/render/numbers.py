"""Amounts as people read them, and as a CSV dialect writes them.

Example: 123456 cents is ``€ 1.234,56`` in a table (Babel's ``nl_NL`` currency format: a
thousands dot, a decimal comma, the euro sign before with a no-break space), ``1234,56`` in an
``excel-nl`` CSV (no grouping: Dutch Excel reads ``1.234,56`` as a number too, but a grouping
dot is what other programs misread as the decimal point) and ``1234.56`` in the contract's
CSV and JSON. Money stays integer cents until this last step; Babel formats the exact
``Decimal``, never a float.
"""

from __future__ import annotations

from babel import Locale
from babel.numbers import format_currency, format_decimal

from spreiding.domain.money import cents_to_decimal, format_cents

DUTCH = Locale.parse("nl_NL")  # parsed once, not on every call


def euros(cents: int) -> str:
    """``€ 1.234,56`` (``€ -1.234,56`` for a refund): the Dutch way, whatever the language."""
    return format_currency(cents_to_decimal(cents), "EUR", locale=DUTCH)


def decimal_comma(cents: int) -> str:
    """``1234,56``: two decimals, a decimal comma and no grouping."""
    return format_decimal(cents_to_decimal(cents), format="0.00", locale=DUTCH)


def plain(cents: int) -> str:
    """``1234.56``: the contract's money string."""
    return format_cents(cents)
