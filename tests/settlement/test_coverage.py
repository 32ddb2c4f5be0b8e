"""settlement.coverage: covers, in force, parties and consents, with their boundaries. The
settlement and the audit both decide through these functions (tests/settlement/test_engine.py
and test_audit.py check them end to end)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd
from hypothesis import event, given
from hypothesis import strategies as st

from settlement import coverage
from spreiding.contract.reader import read_dataset
from spreiding.domain.agreements import Agreement, CareType, ParallelConsent, SettlementTerms
from tests.conftest import V1

BENCHMARK = SettlementTerms("odv_benchmark", price_list="benchmark", share=Decimal("0.90"))


def care(
    name: str,
    *,
    codes: tuple[str, ...] = (),
    groups: tuple[str, ...] = (),
    terms: SettlementTerms = BENCHMARK,
    consents: tuple[ParallelConsent, ...] = (),
) -> CareType:
    return CareType(name, codes, groups, None, terms, consents)


def agreement(
    agreement_id: str,
    *care_types: CareType,
    stage: str = "implementeren",
    parties: tuple[str, ...] = ("06010101", "06010102"),
    valid_from: date = date(2024, 1, 1),
    valid_to: date | None = date(2025, 12, 31),
) -> Agreement:
    return Agreement(
        agreement_id, agreement_id, "uitwisseling", stage, parties, valid_from, valid_to, None,
        care_types,
    )  # fmt: skip


def days(*texts: str) -> np.ndarray:
    return np.array(texts, dtype="datetime64[s]")


def test_the_worked_example_of_samen_plus() -> None:
    care_types = coverage.care_types(read_dataset(V1 / "samen-plus").agreements)
    assert care_types.terms["care_type"].tolist() == [
        "rectumcarcinoom", "liesbreuk", "schildklier", "middenrifbreuk",
    ]  # fmt: skip
    position, ct = coverage.covering(
        care_types, pd.Series(["131999061", "131998005", "131997001", "131999062"])
    )
    assert (position.tolist(), ct.tolist()) == ([0, 1, 3], [1, 3, 1])
    one = np.array([1, 1, 1, 1])
    assert coverage.in_force(
        care_types, one, days("2023-12-31", "2024-01-01", "2025-12-31", "2026-01-01"),
        days("2023-12-31", "2024-01-01", "2025-12-31", "2026-01-01"),
    ).tolist() == [False, True, True, False]  # fmt: skip
    hospitals = coverage.hospital_numbers(
        care_types, pd.Series(["06010101", "06010102", "06010103", "x"])
    )
    assert coverage.parties(care_types, one, hospitals).tolist() == [True, True, False, False]


def test_a_code_and_its_group_in_one_care_type_cover_once() -> None:
    both = coverage.care_types(
        [agreement("a", care("c", codes=("131999061",), groups=("131999",)))]
    )
    position, ct = coverage.covering(both, pd.Series(["131999061", "131999062", "131998061"]))
    assert (position.tolist(), ct.tolist()) == ([0, 1], [0, 0])


def test_covering_lists_every_care_type_of_every_agreement_per_code() -> None:
    care_types = coverage.care_types(
        [
            agreement("a", care("a1", groups=("131999",)), care("a2", codes=("131999061",))),
            agreement("b", care("b1", codes=("131999062",)), care("b2", groups=("131999",))),
        ]
    )
    position, ct = coverage.covering(care_types, pd.Series(["131999061", "131999062", "0"]))
    assert (position.tolist(), ct.tolist()) == ([0, 0, 0, 1, 1, 1], [0, 1, 3, 0, 2, 3])
    assert coverage.covers(
        care_types, np.array([0, 1, 1, 2, 3]),
        pd.Series(["131999001", "131999061", "131999062", "131999061", "131998001"]),
    ).tolist() == [True, True, False, False, False]  # fmt: skip


def test_an_exploring_agreement_has_no_care_types_and_an_open_end_has_no_end() -> None:
    care_types = coverage.care_types(
        [
            agreement("explore", care("x", groups=("131999",)), stage="verkennen"),
            agreement("open", care("o", groups=("131999",)), valid_to=None),
        ]
    )
    assert care_types.terms["agreement_id"].tolist() == ["open"]
    assert coverage.covering(care_types, pd.Series(["131999061"]))[1].tolist() == [0]
    zero = np.array([0, 0])
    assert coverage.in_force(
        care_types, zero, days("2024-01-01", "2023-12-31"), days("9999-12-31", "2024-06-01")
    ).tolist() == [True, False]


def test_an_agreement_binds_only_its_own_parties() -> None:
    care_types = coverage.care_types(
        [
            agreement("a", care("a1", groups=("131999",)), parties=("06010101", "06010102")),
            agreement("b", care("b1", groups=("131999",)), parties=("06010102", "06010103")),
        ]
    )
    hospitals = coverage.hospital_numbers(care_types, np.array(["06010101", "06010103"]))
    assert coverage.parties(care_types, np.array([0, 0]), hospitals).tolist() == [True, False]
    assert coverage.parties(care_types, np.array([1, 1]), hospitals).tolist() == [False, True]
    # Given the hospitals, covering keeps only the care types of their agreements.
    codes = pd.Series(["131999061", "131999061", "131999061", "131999061"])
    numbers = coverage.hospital_numbers(
        care_types, np.array(["06010101", "06010102", "06010103", "06010104"])
    )
    position, ct = coverage.covering(care_types, codes, numbers)
    assert (position.tolist(), ct.tolist()) == ([0, 1, 1, 2], [0, 0, 1, 1])


def test_a_consent_counts_for_its_insurer_its_days_and_parallel_care_types_only() -> None:
    consent = ParallelConsent("3311", date(2024, 3, 1), date(2024, 6, 30))
    care_types = coverage.care_types(
        [
            agreement(
                "a",
                care("par", groups=("131999",), terms=SettlementTerms("parallel"),
                     consents=(consent,)),
                care("odv", groups=("131999",), consents=(consent,)),
            )
        ]
    )  # fmt: skip
    ct = np.array([0, 0, 0, 0, 0, 1])
    uzovi = np.array(["3311", "3311", "3311", "3311", "3343", "3311"])
    first = days("2024-03-01", "2024-02-29", "2024-03-01", "2024-04-01", "2024-04-01", "2024-04-01")
    last = days("2024-06-30", "2024-04-01", "2024-07-01", "2024-04-02", "2024-04-02", "2024-04-02")
    assert coverage.consented(care_types, ct, uzovi, first, last).tolist() == [
        True, False, False, True, False, False,
    ]  # fmt: skip


@given(
    keys=st.lists(st.integers(min_value=-3, max_value=70_000), max_size=30),
    table=st.lists(st.integers(min_value=-3, max_value=70_000), max_size=30),
    small=st.booleans(),
)
def test_the_fan_out_joins_every_equal_pair_in_order(
    keys: list[int], table: list[int], small: bool
) -> None:
    """``_fan_out`` by a lookup of every possible key (small keys) or by binary search (any
    other): every (i, j) with keys[i] == table[j], by i then j, as a nested loop finds them."""
    if small:
        keys = [abs(k) % 50 for k in keys]
        table = [abs(t) % 50 for t in table]
    event(f"small keys: {small}")
    ordered = np.sort(np.array(table, dtype="int64"))
    position, found = coverage._fan_out(np.array(keys, dtype="int64"), ordered)
    expected = [(i, j) for i, k in enumerate(keys) for j, t in enumerate(ordered) if k == t]
    assert list(zip(position.tolist(), found.tolist(), strict=True)) == expected
