"""Payments that settle the positions of a year (docs/data-format.md §3 step 7).

Bilateral: for hospitals X < Y, whoever owes the other more pays the difference. Example: A owes
B 100.00 and B owes A 30.00 -> A pays B 70.00.

Multilateral: repeatedly the most negative net pays the most positive net the smaller of the two
(ties: lowest AGB first). Example: nets A -100, B +60, C +40 -> A pays B 60, then A pays C 40.
Each step zeroes at least one hospital, so N hospitals need at most N - 1 payments.
"""

from __future__ import annotations

from collections.abc import Mapping

Payment = tuple[str, str, int]  # (from_agb, to_agb, cents)


def bilateral(pairs: Mapping[tuple[str, str], int]) -> list[Payment]:
    """``pairs`` maps (debtor, creditor) to cents owed; payments sorted by (from, to)."""
    payments: list[Payment] = []
    hospitals = sorted({agb for pair in pairs for agb in pair})
    for i, x in enumerate(hospitals):
        for y in hospitals[i + 1 :]:
            x_owes = pairs.get((x, y), 0)
            y_owes = pairs.get((y, x), 0)
            if x_owes > y_owes:
                payments.append((x, y, x_owes - y_owes))
            elif y_owes > x_owes:
                payments.append((y, x, y_owes - x_owes))
    return sorted(payments)


def multilateral(nets: Mapping[str, int]) -> list[Payment]:
    """``nets`` maps a hospital to its net position (receivable - payable) in cents, summing
    to zero; payments in the order made."""
    if sum(nets.values()) != 0:
        raise ValueError("net positions must sum to zero")
    remaining = {agb: net for agb, net in nets.items() if net != 0}
    payments: list[Payment] = []
    while remaining:
        payer = min(remaining, key=lambda agb: (remaining[agb], agb))
        payee = min(remaining, key=lambda agb: (-remaining[agb], agb))
        amount = min(-remaining[payer], remaining[payee])
        payments.append((payer, payee, amount))
        for agb, change in ((payer, amount), (payee, -amount)):
            remaining[agb] += change
            if remaining[agb] == 0:
                del remaining[agb]
    return payments
