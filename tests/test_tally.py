"""``Rows.flag``'s counting (``contract.tally``): a frame alone, or blocks of one file sharing
a tally, report a rule's first five lines and one count of the rest, in the same words."""

from __future__ import annotations

import pandas as pd

from spreiding.contract.files import LINE
from spreiding.contract.rows import Rows
from spreiding.contract.tally import Tally
from spreiding.domain.errors import DatasetError


def _frame(first: int, values: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame({"amount_eur": pd.Series(values, dtype="str")})
    frame[LINE] = range(first, first + len(values))
    return frame


def test_blocks_sharing_a_tally_report_what_the_whole_file_reports() -> None:
    values = ["x"] * 4 + ["1"] + ["y"] * 3 + ["-2"] * 3 + ["z"] * 2
    whole: list[DatasetError] = []
    Rows("d.csv", _frame(2, values), whole).money("amount_eur", negative_allowed=False)

    tally = Tally()
    streamed: list[DatasetError] = []
    for start in range(0, len(values), 3):
        block = _frame(2 + start, values[start : start + 3])
        Rows("d.csv", block, streamed, tally=tally).money("amount_eur", negative_allowed=False)
    streamed.extend(tally.counts("d.csv"))

    assert sorted(streamed, key=str) == sorted(whole, key=str)
    counts = [e for e in whole if "more rows" in e.message]
    assert [str(e) for e in counts] == [
        "d.csv:8: amount_eur: 4 more rows with the same error, from this line to line 14"
    ]
    assert len(whole) == 5 + 1 + 3
