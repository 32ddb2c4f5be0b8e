from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spreiding.domain.money import (
    InvalidAmount,
    apply_share,
    apply_share_exact,
    cents_to_decimal,
    format_cents,
    format_share,
    parse_eur,
    parse_share,
    share_fraction,
)


@pytest.mark.parametrize(
    ("text", "cents"),
    [("1234.50", 123450), ("0.1", 10), ("7", 700), ("-0.05", -5), ("-2100.00", -210000)],
)
def test_parse_eur(text: str, cents: int) -> None:
    assert parse_eur(text, negative_allowed=True) == cents


@pytest.mark.parametrize("text", ["1,50", "1.505", "€1", "", " 1", "1e3", "-"])
def test_parse_eur_refuses(text: str) -> None:
    with pytest.raises(InvalidAmount):
        parse_eur(text)


def test_negative_only_where_allowed() -> None:
    with pytest.raises(InvalidAmount, match="negative"):
        parse_eur("-1.00")


@pytest.mark.parametrize(
    ("unit", "share", "cents"),
    [
        (17, "0.5", 9),  # 0.085 -> 0.09: half up
        (15, "0.5", 8),  # 0.075 -> 0.08
        (199900, "0.90", 179910),
        (302117, "0.875", 264352),  # 2643.52375 -> 2643.52
        (1, "0.5", 1),  # 0.005 -> 0.01
        (1, "0.49", 0),
    ],
)
def test_apply_share_rounds_half_up(unit: int, share: str, cents: int) -> None:
    assert apply_share(unit, Decimal(share)) == cents


@given(
    unit=st.integers(min_value=0, max_value=10**11),
    share=st.decimals(min_value=Decimal("0.000001"), max_value=1, places=6),
)
def test_integer_formula_equals_decimal_rounding(unit: int, share: Decimal) -> None:
    numerator, denominator = share_fraction(share)
    assert apply_share_exact(unit, numerator, denominator) == apply_share(unit, share)


@given(cents=st.integers(min_value=-(10**14), max_value=10**14))
def test_format_and_parse_round_trip(cents: int) -> None:
    assert parse_eur(format_cents(cents), negative_allowed=True) == cents


@pytest.mark.parametrize(
    ("text", "shown"), [("0.9", "0.90"), ("0.90", "0.90"), ("1", "1.00"), ("0.875", "0.875")]
)
def test_share_keeps_its_decimals_at_least_two(text: str, shown: str) -> None:
    assert format_share(parse_share(text)) == shown


@pytest.mark.parametrize("text", ["0", "0.00", "1.01", "-0.5", "0,9", ".5"])
def test_share_must_be_in_range(text: str) -> None:
    with pytest.raises(InvalidAmount):
        parse_share(text)


def test_refusals_say_what_is_wrong() -> None:
    def message(text: str, **options: bool) -> str:
        with pytest.raises(InvalidAmount) as caught:
            parse_eur(text, **options)
        return str(caught.value)

    assert message("1,50") == "'1,50' is not an amount in euros with '.' and at most two decimals"
    assert message("-1.00") == "'-1.00' is negative"
    assert message("10000000000000.00", negative_allowed=True) == (
        "'10000000000000.00' is out of range (at most 13 digits before the point)"
    )
    with pytest.raises(InvalidAmount) as caught:
        parse_share("0,9")
    assert str(caught.value) == "share '0,9' is not a decimal number such as 0.90"
    with pytest.raises(InvalidAmount) as caught:
        parse_share("1.01")
    assert str(caught.value) == "share 1.01 must be greater than 0 and at most 1"


def test_the_edges_of_the_range_and_of_the_sign() -> None:
    # 13 digits before the point at most: 10**15 cents is the first amount refused.
    assert parse_eur("9999999999999.99") == 10**15 - 1
    assert parse_eur("-9999999999999.99", negative_allowed=True) == -(10**15) + 1
    with pytest.raises(InvalidAmount):
        parse_eur("-10000000000000.00", negative_allowed=True)
    # Zero is not negative: allowed where negative amounts are not.
    assert (parse_eur("0.00"), parse_eur("0"), parse_eur("0.01")) == (0, 0, 1)


def test_cents_to_decimal_is_exact_with_two_places() -> None:
    assert [str(cents_to_decimal(c)) for c in (-5, 0, 199900, 10**15 - 1)] == [
        "-0.05", "0.00", "1999.00", "9999999999999.99",
    ]  # fmt: skip


def test_share_fraction_is_integers_over_a_power_of_ten() -> None:
    fractions = [share_fraction(Decimal(s)) for s in ("1", "0.90", "0.875", "0.01")]
    assert fractions == [(1, 1), (90, 100), (875, 1000), (1, 100)]
    assert all(type(x) is int for pair in fractions for x in pair)  # never a float
    with pytest.raises(AssertionError):
        share_fraction(Decimal("-0.5"))  # a share is never negative
