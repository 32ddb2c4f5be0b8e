"""Volumes of a year (docs/data-format.md §7), computed by hand: which care types get a row,
what each count takes, the ISO weeks at the edges of a year, and the ceiling's rank."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest

from settlement.engine import LINE_COLUMNS
from settlement.volumes import CareTypeVolume, WeekVolume, above_ceiling, iso_weeks, volumes
from spreiding.domain.agreements import Agreement, CareType, SettlementTerms
from spreiding.domain.dataset import TRANSFERS, conform
from spreiding.render.volumes import volumes_table, volumes_to_json

A, B = "06010001", "06010002"


def labels(year: int) -> list[str]:
    return [label for label, _ in iso_weeks(year)]


# --- ISO weeks -------------------------------------------------------------------------------


def test_2024_has_w01_to_w52_and_2025_w01_holding_30_and_31_december() -> None:
    weeks = iso_weeks(2024)
    assert labels(2024) == [f"2024-W{n:02d}" for n in range(1, 53)] + ["2025-W01"]
    assert weeks[0] == ("2024-W01", date(2024, 1, 1))  # a Monday
    assert weeks[-1] == ("2025-W01", date(2024, 12, 30))


def test_2026_ends_with_w53() -> None:
    # 1 January 2026 is a Thursday: week 1 starts on Monday 29 December 2025.
    assert iso_weeks(2026)[0] == ("2026-W01", date(2025, 12, 29))
    assert labels(2026) == [f"2026-W{n:02d}" for n in range(1, 54)]


def test_2027_starts_in_2026_w53() -> None:
    assert iso_weeks(2027)[0] == ("2026-W53", date(2026, 12, 28))
    assert labels(2027) == ["2026-W53"] + [f"2027-W{n:02d}" for n in range(1, 53)]


def test_a_leap_year_from_sunday_to_monday_holds_54_weeks() -> None:
    # 2012: Sunday 1 January is in 2011-W52, Monday 31 December in 2013-W01.
    assert labels(2012) == ["2011-W52"] + [f"2012-W{n:02d}" for n in range(1, 53)] + ["2013-W01"]


# --- Rows ------------------------------------------------------------------------------------


def benchmark(*, ceiling: dict[int, int] | None = None) -> SettlementTerms:
    return SettlementTerms(
        "odv_benchmark",
        price_list="benchmark",
        share=Decimal("0.90"),
        ceiling=tuple(sorted((ceiling or {}).items())),
        share_above_ceiling=Decimal("0.50") if ceiling else None,
    )


def care(name: str, *, settlement: SettlementTerms | None = None, **plans: Any) -> CareType:
    return CareType(
        name, ("131999061",), (), B, settlement or benchmark(), **plans
    )  # fmt: skip


def agreement(agreement_id: str, *care_types: CareType, stage: str = "implementeren") -> Agreement:
    return Agreement(
        agreement_id, agreement_id, "uitwisseling", stage, (A, B), date(2024, 1, 1),
        date(2024, 12, 31), None, care_types,
    )  # fmt: skip


def line(agreement_id: str, care_type: str, dbc_id: str, *, patient: str, end: str,
         agb: str = B) -> dict[str, Any]:  # fmt: skip
    return {
        "creditor_agb": agb, "debtor_agb": A, "dbc_id": dbc_id, "patient_ref": patient,
        "agreement_id": agreement_id, "care_type": care_type, "zorgproduct_code": "131999061",
        "end_date": pd.Timestamp(end), "method": "odv_benchmark", "unit_price_cents": 100000,
        "share": "0.90", "amount_cents": 90000,
    }  # fmt: skip


def lines_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=LINE_COLUMNS)
    return frame.astype({"end_date": "datetime64[s]"})


def transfers_frame(rows: list[tuple[str, str, str, str, str]]) -> pd.DataFrame:
    """(transfer_id, agreement_id, care_type, date, status) from A to B."""
    return conform(
        pd.DataFrame(
            [
                {"transfer_id": t, "agreement_id": a, "care_type": c, "patient_ref": f"P-{t}",
                 "from_agb": A, "to_agb": B, "transfer_date": d, "status": s, "phase": None}
                for t, a, c, d, s in rows
            ],
            columns=list(TRANSFERS.columns),
        ),
        TRANSFERS,
    )  # fmt: skip


AGREEMENTS = [
    agreement(
        "alliantie",
        care(
            "knie",
            planned_volume=((2024, 10), (2025, 12)),
            planned_weekly=2,
            settlement=benchmark(ceiling={2024: 2, 2025: 50}),
        ),
        care("heup", planned_volume=((2025, 5),)),  # nothing for 2024: no row
        care("schouder"),  # no plan at all: no row, though it settles
        care(
            "pols", settlement=SettlementTerms("parallel", otherwise=benchmark(ceiling={2024: 1}))
        ),  # a ceiling of its otherwise
    ),
    # Exploring, and valid in 2024 only: a row all the same (rows are not filtered by stage).
    agreement("verkenning", care("enkel", planned_weekly=1), stage="verkennen"),
]
LINES = [
    line("alliantie", "knie", "D1", patient="P1", end="2024-03-01"),
    line("alliantie", "knie", "D2", patient="P2", end="2024-03-01"),
    line("alliantie", "knie", "D3", patient="P2", end="2024-05-01"),
    line("alliantie", "knie", "D4", patient="P3", end="2024-06-01"),
    line("alliantie", "schouder", "D5", patient="P4", end="2024-06-01"),
    line("alliantie", "pols", "D6", patient="P5", end="2024-07-01"),
]
TRANSFER_ROWS = [
    ("T01", "alliantie", "knie", "2024-01-01", "performed"),  # 2024-W01
    ("T02", "alliantie", "knie", "2024-01-07", "performed"),  # Sunday: still 2024-W01
    ("T03", "alliantie", "knie", "2024-01-08", "performed"),  # 2024-W02
    ("T04", "alliantie", "knie", "2024-12-30", "performed"),  # 2025-W01
    ("T05", "alliantie", "knie", "2024-12-31", "performed"),  # 2025-W01
    ("T06", "alliantie", "knie", "2025-01-01", "performed"),  # 2025-W01 but not in Y
    ("T07", "alliantie", "knie", "2023-12-31", "performed"),  # not in Y
    ("T08", "alliantie", "knie", "2024-06-03", "planned"),  # not performed
    ("T09", "alliantie", "knie", "2024-06-03", "cancelled"),
    ("T10", "alliantie", "schouder", "2024-06-03", "performed"),  # no row
    ("T11", "verkenning", "enkel", "2024-06-03", "performed"),  # 2024-W23
]


def weeks_2024(planned: int | None, **transfers: int) -> tuple[WeekVolume, ...]:
    return tuple(
        WeekVolume(label, transfers.get(label.replace("-", "_"), 0), planned)
        for label in labels(2024)
    )


def test_volumes_of_2024_by_hand() -> None:
    result = volumes(lines_frame(LINES), transfers_frame(TRANSFER_ROWS), AGREEMENTS, year=2024)
    assert result.year == 2024
    assert list(result.rows) == [
        CareTypeVolume("alliantie", "knie", planned=10, ceiling=2, settled_dbcs=4, patients=3,
                       above_ceiling=2, transfers=5,
                       weeks=weeks_2024(2, **{"2024_W01": 2, "2024_W02": 1, "2025_W01": 2})),
        CareTypeVolume("alliantie", "pols", planned=None, ceiling=1, settled_dbcs=1, patients=1,
                       above_ceiling=0, transfers=0, weeks=weeks_2024(None)),
        CareTypeVolume("verkenning", "enkel", planned=None, ceiling=None, settled_dbcs=0,
                       patients=0, above_ceiling=0, transfers=1,
                       weeks=weeks_2024(1, **{"2024_W23": 1})),
    ]  # fmt: skip


def test_volumes_of_2025_take_2025s_plan_and_nothing_of_2024() -> None:
    result = volumes(lines_frame([]), transfers_frame(TRANSFER_ROWS), AGREEMENTS, year=2025)
    rows = {(r.agreement_id, r.care_type): r for r in result.rows}
    assert sorted(rows) == [("alliantie", "heup"), ("alliantie", "knie"), ("verkenning", "enkel")]
    knie = rows[("alliantie", "knie")]
    assert (knie.planned, knie.ceiling, knie.settled_dbcs, knie.transfers) == (12, 50, 0, 1)
    # 2025 starts in 2025-W01 (Monday 30 December 2024): only T06, of 1 January 2025, counts.
    assert knie.weeks[0] == WeekVolume("2025-W01", 1, 2)
    assert [w.week for w in knie.weeks][-1] == "2026-W01"  # Wednesday 31 December 2025
    assert rows[("alliantie", "heup")].planned == 5


def test_a_transfer_on_the_last_days_of_2026_is_in_w53() -> None:
    agreements = [agreement("a", care("knie", planned_weekly=3))]
    transfers = transfers_frame([("T1", "a", "knie", "2026-12-31", "performed"),
                                 ("T2", "a", "knie", "2026-01-01", "performed")])  # fmt: skip
    (row,) = volumes(lines_frame([]), transfers, agreements, year=2026).rows
    assert (row.weeks[0], row.weeks[-1]) == (
        WeekVolume("2026-W01", 1, 3),
        WeekVolume("2026-W53", 1, 3),
    )
    assert row.transfers == 2 and len(row.weeks) == 53


def test_no_transfers_file_counts_no_transfers() -> None:
    result = volumes(lines_frame(LINES), None, AGREEMENTS, year=2024)
    assert [r.transfers for r in result.rows] == [0, 0, 0]
    assert all(w.transfers == 0 for r in result.rows for w in r.weeks)


def test_nothing_planned_gives_no_rows() -> None:
    result = volumes(lines_frame(LINES), None, [agreement("a", care("schouder"))], year=2024)
    assert result.rows == ()
    assert volumes_to_json(result) == '{"year": 2024, "volumes": []}\n'


# --- Ceilings --------------------------------------------------------------------------------


def test_the_lines_past_the_ceiling_are_those_ranked_after_it() -> None:
    rows = [
        line("a", "knie", "D9", patient="P1", end="2024-02-01"),  # third
        line("a", "knie", "D1", patient="P2", end="2024-02-01", agb="06010003"),  # fourth
        line("a", "knie", "D2", patient="P3", end="2024-02-01"),  # second
        line("a", "knie", "D0", patient="P4", end="2024-01-31"),  # first
        line("a", "heup", "D5", patient="P5", end="2024-01-01"),  # another care type: no ceiling
    ]
    frame = lines_frame(rows)
    # By (end_date, agb, dbc_id): D0 (31 Jan), D2 (B), D9 (B), D1 (06010003); ceiling 2.
    assert list(above_ceiling(frame, {("a", "knie"): 2})) == [True, True, False, False, False]
    assert list(above_ceiling(frame, {("a", "knie"): 0})) == [True, True, True, True, False]
    assert list(above_ceiling(frame, {("a", "knie"): 4})) == [False] * 5
    assert list(above_ceiling(frame, {})) == [False] * 5
    shuffled = frame.sample(frac=1, random_state=7).reset_index(drop=True)
    flagged = set(shuffled.loc[above_ceiling(shuffled, {("a", "knie"): 2}), "dbc_id"])
    assert flagged == {"D9", "D1"}


@pytest.mark.parametrize(("ceiling", "above"), [(0, 3), (1, 2), (2, 1), (3, 0), (4, 0)])
def test_above_ceiling_counts_the_lines_past_it(ceiling: int, above: int) -> None:
    agreements = [agreement("a", care("knie", settlement=benchmark(ceiling={2024: ceiling})))]
    rows = [line("a", "knie", f"D{i}", patient="P1", end=f"2024-0{i}-01") for i in (1, 2, 3)]
    (row,) = volumes(lines_frame(rows), None, agreements, year=2024).rows
    assert (row.ceiling, row.settled_dbcs, row.patients, row.above_ceiling) == (
        ceiling, 3, 1, above
    )  # fmt: skip


# --- Output ----------------------------------------------------------------------------------


def test_json_is_the_contracts_shape_and_does_not_depend_on_row_order() -> None:
    agreements = [agreement("a", care("knie", planned_volume=((2024, 4),), planned_weekly=1,
                                       settlement=benchmark(ceiling={2024: 1})))]  # fmt: skip
    rows = [line("a", "knie", f"D{i}", patient=f"P{i % 2}", end="2024-03-01") for i in range(3)]
    transfers = [(f"T{i}", "a", "knie", f"2024-12-3{i}", "performed") for i in range(2)]
    first = volumes_to_json(
        volumes(lines_frame(rows), transfers_frame(transfers), agreements, year=2024)
    )
    rng = random.Random(3)
    rng.shuffle(rows)
    rng.shuffle(transfers)
    again = volumes_to_json(
        volumes(lines_frame(rows), transfers_frame(transfers), agreements, year=2024)
    )
    assert again == first
    weeks = ", ".join(
        f'{{"week": "{label}", "transfers": {2 if label == "2025-W01" else 0}, "planned": 1}}'
        for label in labels(2024)
    )
    assert first == (
        '{"year": 2024, "volumes": [{"agreement_id": "a", "care_type": "knie", "planned": 4, '
        '"ceiling": 1, "settled_dbcs": 3, "patients": 2, "above_ceiling": 2, "transfers": 2, '
        f'"weeks": [{weeks}]}}]}}\n'
    )


def test_the_table_shows_each_row_and_the_weeks_off_the_plan() -> None:
    result = volumes(lines_frame(LINES), transfers_frame(TRANSFER_ROWS), AGREEMENTS, year=2024)
    table = volumes_table(result).splitlines()
    assert table[0] == "Volumes 2024"
    assert table[3].split() == ["alliantie", "knie", "10", "2", "4", "3", "2", "5"]
    assert table[4].split() == ["alliantie", "pols", "-", "1", "1", "1", "0", "0"]
    assert table[5].split() == ["verkenning", "enkel", "-", "-", "0", "0", "0", "1"]
    assert "alliantie knie: 2 a week planned" in table
    assert "  2024-W01     2 transfers (+0)" not in table  # on plan: not listed
    assert "  2024-W02     1 transfers (-1)" in table
