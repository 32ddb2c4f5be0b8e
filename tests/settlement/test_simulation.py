"""The simulation engine (issue 12): hand-computed plans, the replay of an agreement in force
equal to the real settlement (hypothesis), monotone shares, and the exploring Vaatnetwerk
Utrecht simulated from plan and replayed with a draft."""

from __future__ import annotations

import json
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import event, given, settings
from hypothesis import strategies as st

from settlement import simulation as sim
from settlement.engine import settle
from spreiding.contract.reader import read_dataset
from spreiding.domain.dataset import Dataset
from tests import files as f
from tests.conftest import SAMPLES
from tests.strategies import datasets

A, B, C = f.HOSPITAL_A, f.HOSPITAL_B, "06010003"
PROPERTY = settings(max_examples=40, deadline=None)


def dataset_of(files: dict[str, Any]) -> Dataset:
    with tempfile.TemporaryDirectory() as folder:
        return read_dataset(f.write(Path(folder), files))


def plan_files(care: dict[str, Any], **agreement: Any) -> dict[str, Any]:
    files = f.base_files()
    files["hospitals.csv"] = [
        f.hospital(agb=A, name="Alrijne"), f.hospital(agb=B, name="Groene Hart"),
        f.hospital(agb=C, name="Derde"),
    ]  # fmt: skip
    files["agreements.json"] = [f.agreement(stage="verkennen", care_types=[care], **agreement)]
    files["prices.csv"] = [f.price(code="131999061", eur="2000.00")]
    files["dbcs.csv"] = []
    del files["declarations.csv"], files["transfers.csv"]
    return files


def liesbreuk(**extra: Any) -> dict[str, Any]:
    return f.care_type(performing_agb=B, share="0.90") | extra


def cents(s: sim.Simulation) -> dict[str, tuple[int, int, int]]:
    return {p.agb: (p.receivable_cents, p.payable_cents, p.change_cents) for p in s.parties}


def test_120_patients_at_2000_and_share_0_90_move_216000_from_the_home_to_the_performer() -> None:
    d = dataset_of(plan_files(liesbreuk(planned_volume={"2024": 120})))
    s = sim.from_plan(d.agreements[0], d.prices, d.agreements, year=2024)
    # 120 x 2000.00 x 0.90 = 216000.00; without the agreement nothing settles.
    assert cents(s) == {A: (0, 21_600_000, -21_600_000), B: (21_600_000, 0, 21_600_000)}
    assert s.planned == (sim.PlannedCare("liesbreuk", "131999061", B, A, 120),)
    assert len(s.with_.lines) == 120 and s.base.lines.empty
    assert set(s.base.excluded["reason"]) == {"NO_AGREEMENT"}
    # The draft was exploring: simulated as if implementeren and in force all year.
    assert d.agreements[0].stage == "verkennen"


def test_planned_weekly_times_the_iso_weeks_and_the_share_past_the_ceiling() -> None:
    care = liesbreuk(planned_weekly=3)
    care["settlement"] |= {"ceiling": {"2024": 100, "2026": 100}, "share_above_ceiling": "0.50"}
    files = plan_files(care, valid_to=None)
    files["prices.csv"].append(f.price(year="2026", code="131999061", eur="2000.00"))
    d = dataset_of(files)
    # 2024 has 52 ISO weeks: 156 DBCs, 100 at 1800.00 and 56 at 1000.00 = 236000.00.
    s = sim.from_plan(d.agreements[0], d.prices, d.agreements, year=2024)
    assert cents(s)[B] == (23_600_000, 0, 23_600_000)
    # 2026 has 53: 159 DBCs, 100 x 1800.00 + 59 x 1000.00 = 239000.00.
    s = sim.from_plan(d.agreements[0], d.prices, d.agreements, year=2026)
    assert cents(s)[B] == (23_900_000, 0, 23_900_000)
    assert sim.iso_weeks(2024) == 52 and sim.iso_weeks(2026) == 53


def test_three_parties_split_the_volume_the_remainder_to_the_lowest_agb() -> None:
    d = dataset_of(plan_files(liesbreuk(planned_volume={"2024": 7}), parties=[A, B, C]))
    s = sim.from_plan(d.agreements[0], d.prices, d.agreements, year=2024)
    assert [(p.requesting_agb, p.dbcs) for p in s.planned] == [(A, 4), (C, 3)]
    assert cents(s) == {
        A: (0, 720_000, -720_000), B: (1_260_000, 0, 1_260_000), C: (0, 540_000, -540_000),
    }  # fmt: skip
    home = sim.from_plan(d.agreements[0], d.prices, d.agreements, year=2024, home_agb=C)
    assert [(p.requesting_agb, p.dbcs) for p in home.planned] == [(C, 7)]


def test_a_volume_change_rounds_half_up() -> None:
    assert [sim.scaled(120, p) for p in (-20, -10, 0, 10, 20)] == [96, 108, 120, 132, 144]
    assert sim.scaled(5, 10) == 6  # 5.5 -> 6
    assert sim.scaled(5, -10) == 5  # 4.5 -> 5
    assert sim.scaled(5, -100) == 0


def test_hours_at_the_rate_and_shared_costs_count_in_the_plan() -> None:
    files = plan_files(f.care_type(method="fixed_fee", fee_eur="500.00", performing_agb=B)
                       | {"planned_volume": {"2024": 10}})  # fmt: skip
    files["agreements.json"][0] |= {
        "secondment_rates": [{"role": "medisch-specialist", "rate_eur": "185.00",
                              "vat_rate": "0.21", "valid_from": "2024-03-01", "valid_to": None}],
        "costs": [{"cost_id": "bureau", "description": "Bureau", "year": 2024,
                   "amount_eur": "120000.00", "paid_by": A, "key": {A: 2, B: 1}}],
    }  # fmt: skip
    d = dataset_of(files)
    hours = (sim.PlannedHours(A, B, "medisch-specialist", 1000),)
    s = sim.from_plan(d.agreements[0], d.prices, d.agreements, year=2024, hours=hours)
    # B owes A: 10 h x 185.00 = 1850.00 + 21% VAT 388.50, and 40000.00 of the cost;
    # A owes B: 10 x 500.00 = 5000.00.
    assert cents(s) == {
        A: (4_223_850, 500_000, 3_723_850), B: (500_000, 4_223_850, -3_723_850),
    }  # fmt: skip
    # The hours were worked on the first day with a rate.
    assert [d.date() for d in s.with_.hours["work_date"]] == [date(2024, 3, 1)]


def test_a_care_type_without_performer_is_not_planned() -> None:
    d = dataset_of(plan_files(f.care_type(performing_agb=None) | {"planned_volume": {"2024": 5}}))
    s = sim.from_plan(d.agreements[0], d.prices, d.agreements, year=2024)
    assert s.unplanned == ("liesbreuk",) and s.planned == ()
    assert cents(s) == {A: (0, 0, 0), B: (0, 0, 0)}


@given(
    shares=st.lists(
        st.integers(min_value=1, max_value=100).map(lambda n: Decimal(n) / 100),
        min_size=2, max_size=5, unique=True,
    ),
    volume=st.integers(min_value=0, max_value=300),
    price=st.integers(min_value=0, max_value=5_000_000),
    percent=st.sampled_from([-20, -10, 0, 10, 20]),
)  # fmt: skip
@PROPERTY
def test_a_higher_share_never_lowers_the_performers_receivable(
    shares: list[Decimal], volume: int, price: int, percent: int
) -> None:
    files = plan_files(liesbreuk(planned_volume={"2024": volume}))
    files["prices.csv"] = [f.price(code="131999061", eur=f"{price // 100}.{price % 100:02d}")]
    d = dataset_of(files)
    rows = sim.sensitivity(
        d.agreements[0], d.prices, d.agreements, year=2024, shares=sorted(shares),
        volumes=[percent],
    )  # fmt: skip
    received = [next(p for p in r.parties if p.agb == B).receivable_cents for r in rows]
    assert received == sorted(received)
    # Exactly the engine's rounding: every line unit x share half up.
    for row, got in zip(rows, received, strict=True):
        count = sim.scaled(volume, percent)
        assert got == count * ((2 * price * row.share * 100 + 100) // 200)


def in_force_all_year(agreement: Any, year: int) -> bool:
    return (
        agreement.stage != "verkennen"
        and agreement.valid_from <= date(year, 1, 1)
        and (agreement.valid_to is None or agreement.valid_to >= date(year, 12, 31))
    )


@given(
    files=datasets(),
    year=st.sampled_from([2024, 2024, 2025]),
    force=st.sampled_from([None, "formaliseren", "implementeren", "optimaliseren"]),
    valid_to=st.sampled_from([None, "2025-12-31"]),
)
@PROPERTY
def test_replaying_an_agreement_in_force_all_year_gives_the_real_settlement(
    files: dict[str, Any], year: int, force: str | None, valid_to: str | None
) -> None:
    if force is not None:
        # Most drawn agreements bind part of a year only: put the first in force all year
        # (from 2024-01-01, the first year drawn, to the last day or open-ended).
        files["agreements.json"][0] |= {
            "stage": force, "valid_from": "2024-01-01", "valid_to": valid_to,
        }  # fmt: skip
    d = dataset_of(files)
    real = settle(d.dbcs, d.prices, d.agreements, year=year)
    for agreement in d.agreements:
        if not in_force_all_year(agreement, year):
            continue
        event("an agreement in force all year")
        r = sim.replay(agreement, d.dbcs, d.prices, d.agreements, year=year)
        assert r.changes == ()
        assert r.with_.lines.equals(real.lines)
        assert r.with_.excluded.equals(real.excluded)
        for p in r.parties:
            assert (p.receivable_cents, p.payable_cents) == (
                p.base_receivable_cents, p.base_payable_cents,
            )  # fmt: skip
        # The figures are the real pairs between the parties.
        pairs = real.pairs
        among = pairs["debtor_agb"].isin(agreement.parties) & pairs["creditor_agb"].isin(
            agreement.parties
        )
        for p in r.parties:
            assert p.receivable_cents == int(
                pairs.loc[among & (pairs["creditor_agb"] == p.agb), "total_cents"].sum()
            )


def test_replay_settles_what_an_exploring_agreement_left_out() -> None:
    files = plan_files(liesbreuk())
    files["dbcs.csv"] = [
        f.dbc(dbc_id="D1", end="2024-03-02"),
        f.dbc(dbc_id="D2", end="2024-05-02", code="029899011"),  # not covered
        f.dbc(dbc_id="D3", end="", start="2024-12-01"),  # open
    ]
    files["prices.csv"].append(f.price(code="029899011", eur="100.00"))
    d = dataset_of(files)
    r = sim.replay(d.agreements[0], d.dbcs, d.prices, d.agreements, year=2024)
    assert cents(r) == {A: (0, 180_000, -180_000), B: (180_000, 0, 180_000)}
    assert r.changes == (sim.DbcChange(B, "D1", A, None, "NO_AGREEMENT", 180_000, "", False),)
    assert r.excluded == ((B, "D3", A, "OPEN"),)


VAAT = SAMPLES / "vaatnetwerk-utrecht"
UMC, ANTONIUS = "06040409", "06040401"
# The draft the demo simulates (docs/user-guide.md §16): UMC Utrecht operates the aortic
# aneurysms of the network for a fixed fee of 10836.00 (0.90 x the 12040.00 declared).
DRAFT_FILE = Path(__file__).resolve().parents[2] / "docs/examples/concept-vaatnetwerk-aorta.json"
VAAT_DRAFT: dict[str, Any] = json.loads(DRAFT_FILE.read_text(encoding="utf-8"))


def test_vaatnetwerk_utrecht_from_plan_and_replayed_with_a_draft() -> None:
    from spreiding.services import simulation as service

    d = read_dataset(VAAT)
    draft = service.parse_draft(VAAT_DRAFT, d)
    plan = sim.from_plan(draft, d.prices, d.agreements, year=2024)
    # 12 patients over the six other hospitals, 2 each, at 10836.00 (0.90 x 12040.00).
    assert [(p.requesting_agb, p.dbcs, p.zorgproduct_code) for p in plan.planned] == [
        (agb, 2, "089799000") for agb in sorted(set(VAAT_DRAFT["parties"]) - {UMC})
    ]
    assert cents(plan)[UMC] == (13_003_200, 0, 13_003_200)
    assert cents(plan)[ANTONIUS] == (0, 2_167_200, -2_167_200)
    # Replay: the one patient both declared (PS-28A61CCFE302) becomes UMC's ODV DBC for
    # Antonius; in 2024 nothing was settled.
    r = sim.replay(draft, d.dbcs, d.prices, d.agreements, year=2024)
    assert r.changes == (
        sim.DbcChange(UMC, "VAAT-D00015", ANTONIUS, None, "NOT_ODV", 1_083_600, "", True),
    )
    assert cents(r)[UMC] == (1_083_600, 0, 1_083_600)
    assert cents(r)[ANTONIUS] == (0, 1_083_600, -1_083_600)
    line = r.with_.lines.iloc[0]
    assert (line["debtor_agb"], line["creditor_agb"], line["method"]) == (
        ANTONIUS, UMC, "fixed_fee",
    )  # fmt: skip
