"""The audit's coverage of overlapping pairs (the join behind PAR-001 and PAR-003) against a
straightforward reference: a loop over every pair, agreement and care type, written here from
docs/data-format.md §4 and settlement/coverage.py's rule, on random agreements and lines.

A care type covers a pair when it covers both codes (a code listed, or its first six digits a
listed zorgproductgroep), its agreement is past ``verkennen``, has both hospitals as parties and
is in force from the first start to the last start; the pair is consented under it when the
care type is settled ``parallel`` and the pair's insurer consented from the first start to the
last end.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pandas as pd
from hypothesis import event, given, settings
from hypothesis import strategies as st

from settlement.audit.findings import AuditInput
from settlement.audit.parallel import cross_hospital_pairs
from spreiding.domain.agreements import Agreement, CareType, ParallelConsent, SettlementTerms

HOSPITALS = ("06010101", "06010102", "06010103", "06010104")
INSURERS = ("3311", "3343")
GROUPS = ("131998", "131999")
CODES = (*(f"{g}{c:03d}" for g in GROUPS for c in (1, 2, 3)), "132000001")
FIRST = date(2023, 11, 1)
TERMS = {
    "odv_benchmark": SettlementTerms("odv_benchmark", "benchmark", Decimal("0.90")),
    "fixed_fee": SettlementTerms("fixed_fee", fee_cents=45000),
    "parallel": SettlementTerms("parallel"),
}

days = st.integers(min_value=0, max_value=250).map(lambda n: FIRST + timedelta(days=n))


@st.composite
def ranges(draw: st.DrawFn, *, open_end: bool) -> tuple[date, date | None]:
    """A validity (open_end: from early on, often without end) or a line's range."""
    if open_end:
        start = FIRST + timedelta(days=draw(st.integers(min_value=0, max_value=150)))
        length = draw(st.none() | st.integers(min_value=0, max_value=500))
    else:
        start = draw(days)
        length = draw(st.integers(min_value=0, max_value=120))
    return start, None if length is None else start + timedelta(days=length)


@st.composite
def care_types(draw: st.DrawFn, name: str, parties: tuple[str, ...]) -> CareType:
    method = draw(st.sampled_from(["parallel", "parallel", "odv_benchmark", "fixed_fee"]))
    consents = []
    for uzovi in draw(st.lists(st.sampled_from(INSURERS), min_size=1, max_size=2, unique=True)):
        valid_from, valid_to = draw(ranges(open_end=True))
        consents.append(ParallelConsent(uzovi, valid_from, valid_to))
    return CareType(
        name,
        tuple(draw(st.lists(st.sampled_from(CODES), max_size=3, unique=True))),
        tuple(draw(st.lists(st.sampled_from(GROUPS), max_size=2, unique=True))),
        draw(st.none() | st.sampled_from(parties)),
        TERMS[method],
        tuple(consents),
    )


@st.composite
def agreements(draw: st.DrawFn, number: int) -> Agreement:
    parties = tuple(sorted(draw(st.sets(st.sampled_from(HOSPITALS), min_size=3))))
    valid_from, valid_to = draw(ranges(open_end=True))
    size = draw(st.integers(min_value=1, max_value=3))
    return Agreement(
        f"a{number}",
        f"a{number}",
        "uitwisseling",
        draw(st.sampled_from(["verkennen", "implementeren", "formaliseren", "optimaliseren"])),
        parties,
        valid_from,
        valid_to,
        None,
        tuple(draw(care_types(f"c{number}-{i}", parties)) for i in range(size)),
    )


@st.composite
def declarations(draw: st.DrawFn) -> pd.DataFrame:
    rows = []
    for i in range(draw(st.integers(min_value=6, max_value=16))):
        start, end = draw(ranges(open_end=False))
        assert end is not None
        rows.append(
            {
                "declaration_id": f"V{i:02d}",
                "agb": draw(st.sampled_from(HOSPITALS)),
                "uzovi": draw(st.sampled_from(INSURERS)),
                "patient_ref": "P1" if i % 3 else "P2",
                "zorgproduct_code": draw(st.sampled_from(CODES)),
                "start_date": start,
                "end_date": end,
                "amount_cents": draw(st.integers(min_value=1, max_value=10**6)),
                "declared_on": end,
            }
        )
    frame = pd.DataFrame(rows)
    for column in ("start_date", "end_date", "declared_on"):
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[s]")
    text = ["declaration_id", "agb", "uzovi", "patient_ref", "zorgproduct_code"]
    return frame.astype(dict.fromkeys(text, "str"))


def covers(care: CareType, code: str) -> bool:
    return code in care.zorgproduct_codes or code[:6] in care.zorgproductgroepen


def within(first: date, last: date, valid_from: date, valid_to: date | None) -> bool:
    return valid_from <= first and (valid_to is None or last <= valid_to)


def reference(
    agreements: list[Agreement], lines: pd.DataFrame
) -> set[tuple[str, str, str, str, str, bool]]:
    """Per overlapping pair of two hospitals (same insurer and patient), each covering care
    type: (first line, second line, agreement, care type, performer, consented)."""
    found = set()
    rows = lines.to_dict("records")
    for a in rows:
        for b in rows:
            if a["declaration_id"] >= b["declaration_id"] or a["agb"] == b["agb"]:
                continue
            if (a["uzovi"], a["patient_ref"]) != (b["uzovi"], b["patient_ref"]):
                continue
            if not (a["start_date"] <= b["end_date"] and b["start_date"] <= a["end_date"]):
                continue
            first = min(a["start_date"], b["start_date"]).date()
            last_start = max(a["start_date"], b["start_date"]).date()
            last_end = max(a["end_date"], b["end_date"]).date()
            for agreement in agreements:
                if agreement.stage == "verkennen":
                    continue
                if a["agb"] not in agreement.parties or b["agb"] not in agreement.parties:
                    continue
                if not within(first, last_start, agreement.valid_from, agreement.valid_to):
                    continue
                for care in agreement.care_types:
                    if not (covers(care, a["zorgproduct_code"]) and covers(care, b["zorgproduct_code"])):  # fmt: skip
                        continue
                    consented = care.settlement.method == "parallel" and any(
                        c.uzovi == a["uzovi"] and within(first, last_end, c.valid_from, c.valid_to)
                        for c in care.parallel_consents
                    )
                    found.add(
                        (a["declaration_id"], b["declaration_id"], agreement.agreement_id,
                         care.care_type, care.performing_agb or "", consented)
                    )  # fmt: skip
    return found


def engine(agreements: list[Agreement], lines: pd.DataFrame) -> set[tuple[str, ...]]:
    data = AuditInput(2024, pd.DataFrame(), tuple(agreements), lines, None)
    pairs, coverage = cross_hospital_pairs(data)
    assert not coverage.duplicated(["pair", "ct"]).any()
    ids = data.live["declaration_id"].to_numpy()
    a = ids[pairs["a"].to_numpy()[coverage["pair"].to_numpy()]]
    b = ids[pairs["b"].to_numpy()[coverage["pair"].to_numpy()]]
    first = [min(x, y) for x, y in zip(a, b, strict=True)]
    second = [max(x, y) for x, y in zip(a, b, strict=True)]
    return set(
        zip(first, second, coverage["agreement_id"], coverage["care_type"],
            coverage["performing_agb"], coverage["consented"].astype(bool), strict=True)
    )  # fmt: skip


@given(
    agreements=st.integers(min_value=1, max_value=4).flatmap(
        lambda n: st.tuples(*(agreements(i) for i in range(n)))
    ),
    lines=declarations(),
)
@settings(max_examples=100, deadline=None)
def test_the_coverage_join_finds_what_a_loop_over_every_care_type_finds(
    agreements: tuple[Agreement, ...], lines: pd.DataFrame
) -> None:
    found = reference(list(agreements), lines)
    event("covered pairs" if found else "no covered pair")
    event("a consented pair" if any(row[-1] for row in found) else "no consented pair")
    assert engine(list(agreements), lines) == found


def test_a_pair_covered_twice_under_one_agreement_and_once_under_another() -> None:
    both = ("06010101", "06010102")
    care = CareType("c", ("131999001",), ("131999",), None, TERMS["fixed_fee"], ())
    agreements = [
        Agreement("a", "a", "uitwisseling", "implementeren", both, date(2024, 1, 1), None, None,
                  (care, CareType("d", (), ("131999",), "06010101", TERMS["parallel"], ()))),
        Agreement("b", "b", "uitwisseling", "implementeren", both, date(2024, 1, 1), None, None,
                  (care,)),
    ]  # fmt: skip
    lines = pd.DataFrame(
        {
            "declaration_id": ["V1", "V2"], "agb": list(both), "uzovi": ["3311", "3311"],
            "patient_ref": ["P1", "P1"], "zorgproduct_code": ["131999001", "131999002"],
            "start_date": pd.to_datetime(["2024-02-01", "2024-02-10"]).astype("datetime64[s]"),
            "end_date": pd.to_datetime(["2024-03-01", "2024-03-10"]).astype("datetime64[s]"),
            "amount_cents": [100, 200],
            "declared_on": pd.to_datetime(["2024-03-01", "2024-03-10"]).astype("datetime64[s]"),
        }
    ).astype({"declaration_id": "str", "agb": "str", "uzovi": "str", "patient_ref": "str",
              "zorgproduct_code": "str"})  # fmt: skip
    expected = {
        ("V1", "V2", "a", "c", "", False),
        ("V1", "V2", "a", "d", "06010101", False),
        ("V1", "V2", "b", "c", "", False),
    }
    assert engine(agreements, lines) == reference(agreements, lines) == expected
