"""Money invariants of the settlement, on generated datasets (hypothesis)."""

from __future__ import annotations

import tempfile
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
from hypothesis import event, given, settings
from hypothesis import strategies as st

from settlement.engine import Settlement, settle
from settlement.fingerprint import fingerprint
from spreiding.contract.reader import SCHEMAS_BY_NAME, read_dataset
from spreiding.domain.dataset import sort_rows
from spreiding.render.settlement import settlement_to_dict, settlement_to_json
from tests import files as f
from tests.settlement.reference import reference_settle
from tests.strategies import datasets

NETTINGS = st.sampled_from(["bilateral", "multilateral"])
YEARS = st.sampled_from([2023, 2024, 2025])
PROPERTY = settings(max_examples=60, deadline=None)


def settled(files: dict[str, Any], *, year: int, netting: str) -> Settlement:
    with tempfile.TemporaryDirectory() as folder:
        dataset = read_dataset(f.write(Path(folder), files))
    return settle(dataset.dbcs, dataset.prices, dataset.agreements, year=year, netting=netting)  # type: ignore[arg-type]


@given(files=datasets(), year=YEARS, netting=NETTINGS)
@PROPERTY
def test_engine_agrees_with_the_decimal_reference(
    files: dict[str, Any], year: int, netting: str
) -> None:
    engine = settlement_to_dict(settled(files, year=year, netting=netting))
    assert engine == reference_settle(files, year=year, netting=netting)


@given(files=datasets(), year=YEARS, netting=NETTINGS)
@PROPERTY
def test_every_cent_is_accounted_for(files: dict[str, Any], year: int, netting: str) -> None:
    result = settled(files, year=year, netting=netting)
    lines, pairs, positions = result.lines, result.pairs, result.positions
    event(f"settled lines: {min(len(lines), 3)}{'+' if len(lines) >= 3 else ''}")
    assert int(positions["net_cents"].sum()) == 0
    for pair in pairs.to_dict("records"):
        mine = lines[
            (lines["debtor_agb"] == pair["debtor_agb"])
            & (lines["creditor_agb"] == pair["creditor_agb"])
        ]
        assert pair["lines"] == len(mine)
        assert pair["amount_cents"] == int(mine["amount_cents"].sum())
    # What A owes B is what B is owed by A: payables and receivables mirror each other.
    assert (
        int(positions["receivable_cents"].sum())
        == int(positions["payable_cents"].sum())
        == result.total_cents
    )
    # Every ODV DBC of the year is either a line or an exclusion, never both, never lost.
    of_year = {
        (d["agb"], d["dbc_id"])
        for d in files["dbcs.csv"]
        if d["odv"] == "true"
        and (
            d["end_date"][:4] == str(year)
            or (not d["end_date"] and d["start_date"][:4] <= str(year))
        )
    }
    for d in files["dbcs.csv"]:
        if d["odv"] == "true" and d["end_date"] in (f"{year}-01-01", f"{year}-12-31"):
            event("an ODV DBC ends on the first or last day of the year")
        if d["odv"] == "true" and d["end_date"] == d["start_date"]:
            event("an ODV DBC of one day")
    settled_keys = list(zip(lines["creditor_agb"], lines["dbc_id"], strict=True))
    excluded_keys = list(zip(result.excluded["agb"], result.excluded["dbc_id"], strict=True))
    assert sorted(settled_keys + excluded_keys) == sorted(of_year)


@given(files=datasets(), year=YEARS, netting=NETTINGS)
@PROPERTY
def test_payments_leave_every_hospital_at_its_net_position(
    files: dict[str, Any], year: int, netting: str
) -> None:
    result = settled(files, year=year, netting=netting)
    balance: Counter[str] = Counter()
    for payment in result.payments.to_dict("records"):
        assert payment["amount_cents"] > 0
        balance[payment["to_agb"]] += payment["amount_cents"]
        balance[payment["from_agb"]] -= payment["amount_cents"]
    nets = dict(zip(result.positions["agb"], result.positions["net_cents"], strict=True))
    assert {agb: balance[agb] for agb in nets} == {agb: int(n) for agb, n in nets.items()}
    assert set(balance) <= set(nets)


@given(files=datasets(), year=YEARS)
@PROPERTY
def test_multilateral_netting_needs_at_most_one_payment_less_than_hospitals(
    files: dict[str, Any], year: int
) -> None:
    result = settled(files, year=year, netting="multilateral")
    nets = result.positions["net_cents"]
    event(f"hospitals with a non-zero net: {int((nets != 0).sum())}")
    assert len(result.payments) <= max(int((nets != 0).sum()) - 1, 0)
    # Nobody both pays and receives.
    assert not set(result.payments["from_agb"]) & set(result.payments["to_agb"])


@given(files=datasets(), year=YEARS)
@PROPERTY
def test_bilateral_netting_pays_once_per_pair_that_owes_unequally(
    files: dict[str, Any], year: int
) -> None:
    result = settled(files, year=year, netting="bilateral")
    owed = {
        (d, c): int(a)
        for d, c, a in zip(
            result.pairs["debtor_agb"], result.pairs["creditor_agb"], result.pairs["amount_cents"],
            strict=True,
        )
    }  # fmt: skip
    expected = sorted(
        (x, y, owed.get((x, y), 0) - owed.get((y, x), 0))
        for x, y in set(owed) | {(c, d) for d, c in owed}
        if owed.get((x, y), 0) > owed.get((y, x), 0)
    )
    event(f"bilateral payments: {len(expected)}")
    assert list(result.payments.itertuples(index=False, name=None)) == expected


@given(files=datasets(), seed=st.integers(min_value=0, max_value=2**32 - 1), netting=NETTINGS)
@PROPERTY
def test_row_order_does_not_change_a_byte(files: dict[str, Any], seed: int, netting: str) -> None:
    shuffled = f.shuffled(files, seed)
    first = settlement_to_json(settled(files, year=2024, netting=netting))
    assert settlement_to_json(settled(shuffled, year=2024, netting=netting)) == first
    assert settlement_to_json(settled(files, year=2024, netting=netting)) == first


@given(files=datasets(), seed=st.integers(min_value=0, max_value=2**32 - 1))
@PROPERTY
def test_the_reader_gives_the_same_frames_whatever_the_row_order(
    files: dict[str, Any], seed: int
) -> None:
    """The canonical sort (by the uniqueness check's key codes where a key is text) puts the
    rows of any file order in one order."""
    shuffled = f.shuffled(files, seed)
    read = []
    for variant in (files, shuffled):
        with tempfile.TemporaryDirectory() as folder:
            read.append(read_dataset(f.write(Path(folder), variant)))
    for name, frame in read[0].frames().items():
        other = read[1].frames()[name]
        if frame is None or other is None:
            assert frame is None and other is None
            continue
        pd.testing.assert_frame_equal(other, frame)
        keys = list(SCHEMAS_BY_NAME[name].key)
        assert frame.equals(sort_rows(frame.sample(frac=1, random_state=seed % 1000), keys))


@given(files=datasets())
@PROPERTY
def test_totals_are_exact_decimal_sums(files: dict[str, Any]) -> None:
    result = settlement_to_dict(settled(files, year=2024, netting="bilateral"))
    assert Decimal(result["total"]) == sum(
        (Decimal(line["amount"]) for line in result["lines"]), Decimal(0)
    )


@given(files=datasets(), seed=st.integers(min_value=0, max_value=2**32 - 1))
@PROPERTY
def test_the_fingerprint_ignores_row_order_and_sees_every_input(
    files: dict[str, Any], seed: int
) -> None:
    shuffled = f.shuffled(files, seed)
    prints = []
    for variant in (files, shuffled):
        with tempfile.TemporaryDirectory() as folder:
            dataset = read_dataset(f.write(Path(folder), variant))
        prints.append(
            fingerprint(
                dataset.dbcs, dataset.prices, dataset.agreements, year=2024, netting="bilateral"
            )
        )
    assert prints[0] == prints[1]
    assert prints[0] != fingerprint(
        dataset.dbcs, dataset.prices, dataset.agreements, year=2025, netting="bilateral"
    )
    # The fingerprint sees the prices of its year and only those; there is always a price.
    year = int(dataset.prices["year"].iloc[0])
    of_year = dataset.prices["year"] == year

    def print_of(prices: Any) -> str:
        return fingerprint(dataset.dbcs, prices, dataset.agreements, year=year, netting="bilateral")

    cents = dataset.prices["price_cents"]
    assert print_of(dataset.prices.assign(price_cents=cents + of_year)) != print_of(dataset.prices)
    assert print_of(dataset.prices.assign(price_cents=cents + ~of_year)) == print_of(dataset.prices)
