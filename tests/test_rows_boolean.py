"""``Rows.boolean`` writes a yes/no in Arrow as the pandas mapping it replaced wrote it."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from spreiding.contract.files import LINE
from spreiding.contract.rows import BOOLEANS, Rows
from spreiding.domain.errors import DatasetError

spellings = st.sampled_from([*BOOLEANS, "TRUE", "Waar", "OnWaar", "FALSE", "yes", "", " 1"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(spellings, st.text(max_size=6)), min_size=1, max_size=30))
def test_boolean_writes_what_the_pandas_mapping_wrote(values: list[str]) -> None:
    frame = pd.DataFrame({"odv": pd.Series(values, dtype="str")})
    frame[LINE] = range(2, len(values) + 2)
    errors: list[DatasetError] = []
    Rows("dbcs.csv", frame, errors).boolean("odv")  # its errors: Rows.flag, as before
    typed = pd.Series(values, dtype="str")
    expected = typed.str.lower().map(BOOLEANS).fillna(typed)
    pd.testing.assert_series_equal(frame["odv"], expected, check_names=False)
