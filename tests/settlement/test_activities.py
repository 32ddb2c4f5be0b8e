"""ACT-001: care performed at another institution (ZH308 field 1616) needs an agreement in
force between the two hospitals covering the declared zorgproduct. samples/samen-plus: the
liesbreuk care type (131999061) is performed by 06010102, valid 2024-01-01 to 2025-12-31."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from settlement.audit.activities import check_act_001
from settlement.audit.findings import Finding
from spreiding.contract.reader import read_dataset
from tests.conftest import V1

DATASET = read_dataset(V1 / "samen-plus")
assert DATASET.declarations is not None
DECLARATIONS = DATASET.declarations


def findings(*activities: tuple[str, str, dt.date, str | None], year: int = 2024) -> list[Finding]:
    frame = pd.DataFrame(
        activities, columns=["declaration_id", "activity_number", "start_date", "performed_at"]
    )
    return check_act_001(DECLARATIONS, frame, DATASET.agreements, year=year)


def test_care_performed_by_the_agreed_hospital_is_no_finding() -> None:
    # V00026: 06010101 declares 131999061; the liesbreuk care type has 06010102 perform it.
    assert findings(("SAME-V00026", "1", dt.date(2024, 6, 3), "06010102")) == []
    # Performed by the declaring hospital itself, or not elsewhere at all: nothing to check.
    assert findings(("SAME-V00026", "1", dt.date(2024, 6, 3), "06010101")) == []
    assert findings(("SAME-V00026", "1", dt.date(2024, 6, 3), None)) == []


def test_the_wrong_performer_a_non_party_and_a_day_before_the_agreement_are_findings() -> None:
    # V00103: 06010102 declares 131999061 performed at 06010101, which the care type does not let
    # perform it; and V00026 performed at a hospital that is no party.
    found = findings(
        ("SAME-V00103", "2", dt.date(2024, 2, 12), "06010101"),
        ("SAME-V00103", "1", dt.date(2024, 2, 12), "06010101"),
        ("SAME-V00026", "1", dt.date(2024, 6, 3), "06099999"),
    )
    assert found == [
        Finding(
            "ACT-001", "error", "06010101", "7029", "SAME-V00026", None, None, ("1",), 199_900,
            "Declaration SAME-V00026 of 06010101 includes care performed at 06099999, but no "
            "agreement in force between them covers zorgproduct 131999061",
        ),
        Finding(
            "ACT-001", "error", "06010102", "7029", "SAME-V00103", None, None, ("1", "2"),
            199_900,
            "Declaration SAME-V00103 of 06010102 includes care performed at 06010101, but no "
            "agreement in force between them covers zorgproduct 131999061",
        ),
    ]  # fmt: skip


def test_the_first_day_of_the_agreement_is_covered_the_day_before_is_not() -> None:
    assert findings(("SAME-V00062", "1", dt.date(2024, 1, 1), "06010102")) == []
    (finding,) = findings(("SAME-V00062", "1", dt.date(2023, 12, 31), "06010102"))
    assert (finding.declaration_id, finding.amount_at_stake_cents) == ("SAME-V00062", 199_900)


def test_only_declarations_ending_in_the_year_are_reported() -> None:
    assert findings(("SAME-V00026", "1", dt.date(2024, 6, 3), "06099999"), year=2025) == []
