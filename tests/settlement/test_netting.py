"""Payments from positions (settlement/netting.py), computed by hand: ties included."""

from __future__ import annotations

import pytest

from settlement import netting

A, B, C = "06010001", "06010002", "06010003"


def test_multilateral_ties_pay_lowest_agb_first() -> None:
    # A -5,000.00, B -5,000.00, C +10,000.00: the payers tie, A (the lower AGB) pays first.
    # The mapping is given in the other order, so that only the tie-break can put A first.
    assert netting.multilateral({C: 1_000_000, B: -500_000, A: -500_000}) == [
        (A, C, 500_000),
        (B, C, 500_000),
    ]


def test_multilateral_ties_among_payees_are_paid_lowest_agb_first() -> None:
    assert netting.multilateral({C: -1_000_000, B: 500_000, A: 500_000}) == [
        (C, A, 500_000),
        (C, B, 500_000),
    ]


def test_multilateral_most_negative_pays_most_positive_first() -> None:
    # The docstring's example: nets A -100, B +60, C +40 -> A pays B 60, then A pays C 40.
    assert netting.multilateral({A: -10_000, B: 6_000, C: 4_000}) == [
        (A, B, 6_000),
        (A, C, 4_000),
    ]
    # B -70, C -30, A +100: B (most negative) pays first although C has a higher AGB.
    assert netting.multilateral({A: 10_000, B: -7_000, C: -3_000}) == [
        (B, A, 7_000),
        (C, A, 3_000),
    ]


def test_multilateral_nets_that_do_not_sum_to_zero_are_refused() -> None:
    with pytest.raises(ValueError, match=r"^net positions must sum to zero$"):
        netting.multilateral({A: -100, B: 99})
    assert netting.multilateral({A: 0, B: 0}) == []


def test_bilateral_pays_the_difference_once_per_pair() -> None:
    # A owes B 100.00, B owes A 30.00 -> A pays B 70.00; B owes C 20.00, C owes B 20.00 ->
    # equal amounts: nobody pays; C owes A 0.01 -> C pays A 0.01. Sorted by (from, to).
    owed = {(A, B): 10_000, (B, A): 3_000, (B, C): 2_000, (C, B): 2_000, (C, A): 1}
    assert netting.bilateral(owed) == [(A, B, 7_000), (C, A, 1)]
