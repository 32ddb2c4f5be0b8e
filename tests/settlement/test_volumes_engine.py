"""Volumes against the settlement engine: the lines the volumes count past a ceiling are
exactly those the engine settled at ``share_above_ceiling`` and those a rank by hand puts past
it (CONTRACT §3 step 4 and §7), and a dataset with every §7 element read from files gives the
hand-computed row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import event, given, settings
from hypothesis import strategies as st

from settlement.engine import settle
from settlement.volumes import above_ceiling, volumes
from spreiding.contract.reader import read_dataset
from spreiding.domain.agreements import Agreement
from spreiding.render.volumes import volumes_to_dict
from tests import files as f

A, B, C = f.HOSPITAL_A, f.HOSPITAL_B, f.HOSPITAL_C


def capped_files(ends: list[tuple[str, str]], *, ceiling: int) -> dict[str, Any]:
    """A requests knee care of B and C under one agreement whose care type settles at 0.90 up
    to ``ceiling`` DBCs in 2024 and at 0.50 past it, plans 5 patients and 1 a week. ``ends``:
    (performer, end date) of each ODV DBC, D0, D1, ... in that order."""
    files = f.base_files()
    files["hospitals.csv"].append(f.hospital(agb=C, name="Ziekenhuis C"))
    care = f.care_type(performing_agb=None) | {
        "planned_volume": {"2024": 5},
        "planned_weekly": 1,
    }
    care["settlement"] |= {"ceiling": {"2024": ceiling}, "share_above_ceiling": "0.50"}
    files["agreements.json"] = [f.agreement(parties=[A, B, C], care_types=[care])]
    files["dbcs.csv"] = [
        f.dbc(dbc_id=f"D{i}", agb=agb, patient=f"P-{i % 3}", start="2024-01-01", end=end)
        for i, (agb, end) in enumerate(ends)
    ]
    files["declarations.csv"] = []
    files["transfers.csv"] = [
        f.transfer(transfer_id="T1", date="2024-12-30"),
        f.transfer(transfer_id="T2", date="2024-01-01", to_agb=C),
    ]
    return files


def settled(folder: Path) -> tuple[Any, tuple[Agreement, ...], Any]:
    dataset = read_dataset(folder)
    result = settle(dataset.dbcs, dataset.prices, dataset.agreements, year=2024)
    return result, dataset.agreements, dataset.transfers


def test_a_dataset_with_a_ceiling_and_weekly_plan_by_hand(tmp_path: Path) -> None:
    ends = [(B, "2024-05-01"), (C, "2024-03-01"), (B, "2024-03-01"), (B, "2024-02-01")]
    result, agreements, transfers = settled(f.write(tmp_path, capped_files(ends, ceiling=2)))
    # Ranked by (end_date, agb, dbc_id): D3 (1 Feb), D2 (1 March, B), D1 (1 March, C), D0.
    at_half = sorted(result.lines.loc[result.lines["share"] == "0.50", "dbc_id"])
    assert at_half == ["D0", "D1"]
    row = volumes_to_dict(volumes(result.lines, transfers, agreements, year=2024))["volumes"][0]
    weeks = row.pop("weeks")
    assert row == {
        "agreement_id": "samen-2024", "care_type": "liesbreuk", "planned": 5, "ceiling": 2,
        "settled_dbcs": 4, "patients": 3, "above_ceiling": 2, "transfers": 2,
    }  # fmt: skip
    assert weeks[0] == {"week": "2024-W01", "transfers": 1, "planned": 1}
    assert weeks[-1] == {"week": "2025-W01", "transfers": 1, "planned": 1}
    assert sum(w["transfers"] for w in weeks) == 2 and len(weeks) == 53


DAYS = st.sampled_from(["2024-01-01", "2024-06-30", "2024-12-31"])


@given(
    ends=st.lists(st.tuples(st.sampled_from([B, C]), DAYS), min_size=0, max_size=8),
    ceiling=st.integers(min_value=0, max_value=9),
)
@settings(max_examples=25, deadline=None)
def test_volumes_flag_exactly_the_lines_the_engine_settled_past_the_ceiling(
    tmp_path_factory: Any, ends: list[tuple[str, str]], ceiling: int
) -> None:
    folder = f.write(tmp_path_factory.mktemp("capped"), capped_files(ends, ceiling=ceiling))
    result, agreements, transfers = settled(folder)
    flags = above_ceiling(result.lines, {("samen-2024", "liesbreuk"): ceiling})
    engine_past = (result.lines["share"] == "0.50").to_numpy()
    event(f"past the ceiling: {int(engine_past.sum()) > 0}")
    assert list(flags) == list(engine_past)
    # The engine and the volumes rank with one function (settlement.ceiling.past_ceiling), so
    # the two agreeing says nothing of the rank itself: it is checked here by hand, D<i> ranked
    # by (end_date, performer, dbc_id), the first ``ceiling`` within the ceiling.
    by_hand = sorted((end, agb, f"D{i}") for i, (agb, end) in enumerate(ends))
    assert set(result.lines.loc[flags, "dbc_id"]) == {dbc for _, _, dbc in by_hand[ceiling:]}
    (row,) = volumes(result.lines, transfers, agreements, year=2024).rows
    assert row.above_ceiling == max(0, len(ends) - ceiling) == int(engine_past.sum())
