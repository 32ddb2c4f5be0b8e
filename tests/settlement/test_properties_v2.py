"""Money invariants of the contract v2 settlement on generated datasets (hypothesis): v1 datasets
with insurers on the DBCs, otherwise terms, start-year prices, ceilings, secondment rates, hours
and shared costs added."""

from __future__ import annotations

import tempfile
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import event, given, settings
from hypothesis import strategies as st

from settlement.costs import split
from settlement.engine import Settlement, settle
from spreiding.contract.reader import read_dataset
from spreiding.render.settlement import settlement_to_dict
from tests import files as f
from tests.settlement.reference import reference_settle
from tests.strategies import DAYS, MONEY, SHARES, datasets

NETTINGS = st.sampled_from(["bilateral", "multilateral"])
YEARS = st.sampled_from([2024, 2024, 2023, 2025])
PROPERTY = settings(max_examples=40, deadline=None)
VGZ = "7029"
ROLES = ["medisch-specialist", "assistent"]
VAT = st.sampled_from(["0.00", "0.21", "0.09", "0.5", "0.125"])
HOURS = st.integers(min_value=1, max_value=2400).map(lambda h: f"{h // 100}.{h % 100:02d}")


@st.composite
def v2_datasets(draw: st.DrawFn) -> dict[str, Any]:
    files = draw(datasets(max_dbcs=20))
    files["insurers.csv"].append({"uzovi": VGZ, "name": "VGZ"})
    for row in files["dbcs.csv"]:
        row["uzovi"] = draw(st.sampled_from(["", f.INSURER, VGZ]))
    hours: list[dict[str, str]] = []
    for agreement in files["agreements.json"]:
        for care in agreement["care_types"]:
            terms = care["settlement"]
            if terms["method"] == "parallel":
                if draw(st.booleans()):
                    start = draw(DAYS)
                    end = start + timedelta(days=draw(st.integers(min_value=0, max_value=400)))
                    care["parallel_consents"] = [
                        {"uzovi": draw(st.sampled_from([f.INSURER, VGZ])),
                         "valid_from": start.isoformat(), "valid_to": end.isoformat()}
                    ]  # fmt: skip
                kind = draw(st.sampled_from(["none", "odv_benchmark", "fixed_fee"]))
                if kind == "odv_benchmark":
                    terms["otherwise"] = {"method": kind, "price_list": "benchmark",
                                          "share": draw(SHARES)}  # fmt: skip
                elif kind == "fixed_fee":
                    terms["otherwise"] = {"method": kind, "fee_eur": draw(MONEY)}
                target = terms.get("otherwise")
            else:
                target = terms
            if target is not None and target["method"] == "odv_benchmark":
                if draw(st.booleans()):
                    target["price_year"] = draw(st.sampled_from(["start", "end"]))
                if draw(st.booleans()):
                    target["ceiling"] = {
                        str(y): draw(st.integers(min_value=0, max_value=4))
                        for y in (2023, 2024, 2025)
                        if draw(st.booleans())
                    }
                    target["share_above_ceiling"] = draw(SHARES)
        rates = []
        for role in ROLES:
            if draw(st.booleans()):
                first = draw(DAYS)
                switch = first + timedelta(days=draw(st.integers(min_value=0, max_value=300)))
                rates.append({"role": role, "rate_eur": draw(MONEY), "vat_rate": draw(VAT),
                              "valid_from": first.isoformat(), "valid_to": switch.isoformat()})  # fmt: skip
                if draw(st.booleans()):
                    rates.append({"role": role, "rate_eur": draw(MONEY), "vat_rate": draw(VAT),
                                  "valid_from": (switch + timedelta(days=1)).isoformat(),
                                  "valid_to": None})  # fmt: skip
        agreement["secondment_rates"] = rates
        parties = agreement["parties"]
        for _ in range(draw(st.integers(min_value=0, max_value=4))):
            employer, host = draw(st.permutations(parties))[:2]
            role = draw(st.sampled_from([*ROLES, "verpleegkundige"]))
            day = draw(DAYS)
            if rates and draw(st.booleans()):
                # Aimed at a rate: its role, on a day of its range (and of the agreement's
                # validity, where the two meet), so that hours lines are settled often.
                aimed = draw(st.sampled_from(rates))
                if agreement["stage"] == "verkennen" and draw(st.booleans()):
                    agreement["stage"] = "formaliseren"
                first = max(date.fromisoformat(aimed["valid_from"]),
                            date.fromisoformat(agreement["valid_from"]))  # fmt: skip
                last = min(date.fromisoformat(aimed["valid_to"] or "2025-12-31"),
                           date.fromisoformat(agreement["valid_to"] or "2025-12-31"))  # fmt: skip
                if max(first, date(2024, 1, 1)) <= min(last, date(2024, 12, 31)):
                    first, last = max(first, date(2024, 1, 1)), min(last, date(2024, 12, 31))
                span = max((last - first).days, 0)
                role = aimed["role"]
                day = first + timedelta(days=draw(st.integers(0, span)))
            hours.append({
                "hours_id": f"U{len(hours)}", "agreement_id": agreement["agreement_id"],
                "employer_agb": employer, "host_agb": host, "role": role,
                "work_date": day.isoformat(), "hours": draw(HOURS),
            })  # fmt: skip
        costs = []
        for n in range(draw(st.integers(min_value=0, max_value=2))):
            weights = [draw(st.integers(min_value=0, max_value=5)) for _ in parties]
            if sum(weights) == 0:
                weights[0] = 1
            costs.append({
                "cost_id": f"K{n}", "description": "kosten", "year": draw(YEARS),
                "amount_eur": draw(MONEY), "paid_by": draw(st.sampled_from(parties)),
                "key": dict(zip(parties, weights, strict=True)),
            })  # fmt: skip
        agreement["costs"] = costs
    if hours:
        files["hours.csv"] = hours
    return files


def settled(files: dict[str, Any], *, year: int, netting: str) -> Settlement:
    with tempfile.TemporaryDirectory() as folder:
        dataset = read_dataset(f.write(Path(folder), files))
    return settle(
        dataset.dbcs, dataset.prices, dataset.agreements, year=year,
        netting=netting, hours=dataset.hours,  # type: ignore[arg-type]
    )  # fmt: skip


@given(files=v2_datasets(), year=YEARS, netting=NETTINGS)
@settings(max_examples=80, deadline=None)
def test_v2_engine_agrees_with_the_decimal_reference(
    files: dict[str, Any], year: int, netting: str
) -> None:
    result = settled(files, year=year, netting=netting)
    event(f"hours lines: {min(len(result.hours), 2)}, cost lines: {min(len(result.costs), 2)}")
    event(f"NO_CONSENT: {int((result.excluded['reason'] == 'NO_CONSENT').any())}")
    event(f"excluded hours: {min(len(result.excluded_hours), 1)}")
    if (result.lines["share"] != "1.00").any() and (result.lines["method"] == "fixed_fee").any():
        event("odv_benchmark and fixed_fee lines together")
    assert settlement_to_dict(result) == reference_settle(files, year=year, netting=netting)


@given(files=v2_datasets(), year=YEARS, netting=NETTINGS)
@PROPERTY
def test_every_pair_total_is_the_sum_of_its_parts(
    files: dict[str, Any], year: int, netting: str
) -> None:
    result = settled(files, year=year, netting=netting)
    owed: Counter[tuple[str, str, str]] = Counter()
    for frame, column, part in (
        (result.lines, "amount_cents", "amount_cents"),
        (result.hours, "amount_cents", "hours_cents"),
        (result.hours, "vat_cents", "vat_cents"),
        (result.costs, "amount_cents", "costs_cents"),
    ):
        for d, c, cents in zip(
            frame["debtor_agb"], frame["creditor_agb"], frame[column], strict=True
        ):
            owed[(d, c, part)] += int(cents)
    parts = ("amount_cents", "hours_cents", "costs_cents", "vat_cents")
    for pair in result.pairs.to_dict("records"):
        key = (pair["debtor_agb"], pair["creditor_agb"])
        for part in parts:
            assert pair[part] == owed[(*key, part)]
        assert pair["total_cents"] == sum(pair[part] for part in parts)
        assert pair["lines"] == int(
            (
                (result.lines["debtor_agb"] == key[0]) & (result.lines["creditor_agb"] == key[1])
            ).sum()
        )
    assert {(d, c) for d, c, _ in owed} == set(
        zip(result.pairs["debtor_agb"], result.pairs["creditor_agb"], strict=True)
    )
    assert int(result.positions["net_cents"].sum()) == 0
    assert int(result.pairs["total_cents"].sum()) == result.total_cents
    balance: Counter[str] = Counter()
    for payment in result.payments.to_dict("records"):
        balance[payment["to_agb"]] += payment["amount_cents"]
        balance[payment["from_agb"]] -= payment["amount_cents"]
    nets = dict(zip(result.positions["agb"], result.positions["net_cents"], strict=True))
    assert {agb: balance[agb] for agb in nets} == {agb: int(n) for agb, n in nets.items()}


@given(files=v2_datasets(), year=YEARS)
@PROPERTY
def test_a_ceiling_ranks_by_end_date_agb_and_dbc_id(files: dict[str, Any], year: int) -> None:
    result = settlement_to_dict(settled(files, year=year, netting="bilateral"))
    terms_of = {}
    for agreement in files["agreements.json"]:
        for care in agreement["care_types"]:
            terms = care["settlement"].get("otherwise", care["settlement"])
            terms_of[(agreement["agreement_id"], care["care_type"])] = terms
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for line in result["lines"]:
        groups.setdefault((line["agreement_id"], line["care_type"]), []).append(line)
    for key, lines in groups.items():
        terms = terms_of[key]
        ceiling = terms.get("ceiling", {}).get(str(year))
        if ceiling is None or terms["method"] != "odv_benchmark":
            continue
        event("a care type with a ceiling of the year has lines")
        if len(lines) > ceiling > 0:
            event("lines on both sides of a ceiling")
        ranked = sorted(lines, key=lambda x: (x["end_date"], x["creditor_agb"], x["dbc_id"]))
        below = [share_text(terms["share"])] * min(ceiling, len(ranked))
        above = [share_text(terms["share_above_ceiling"])] * max(len(ranked) - ceiling, 0)
        assert [x["share"] for x in ranked] == below + above


def share_text(share: str) -> str:
    """The share as the JSON writes it: as given, at least two decimals."""
    decimals = len(share.split(".")[1]) if "." in share else 0
    return f"{Decimal(share):.{max(2, decimals)}f}"


@given(
    cents=st.integers(min_value=0, max_value=10**13),
    weights=st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=8).filter(
        lambda w: sum(w) > 0
    ),
)
@settings(max_examples=300, deadline=None)
def test_a_cost_split_sums_to_the_cost_by_the_largest_remainder(
    cents: int, weights: list[int]
) -> None:
    key = [(f"0601{i:04d}", w) for i, w in enumerate(weights)]
    parts = split(cents, list(reversed(key)))
    total = sum(weights)
    assert sum(part for _, _, part in parts) == cents
    assert [(agb, w) for agb, w, _ in parts] == key  # in AGB order, whatever the key's
    got_extra = []
    for agb, w, part in parts:
        floor = cents * w // total
        assert part in (floor, floor + 1)
        got_extra.append((part > floor, -(cents * w % total), agb))
    left = sum(1 for extra, _, _ in got_extra if extra)
    if left and left < len(parts):
        event("some parties take a cent left over, others not")
    # The cents left go to the largest remainders, ties to the lower AGB: the first ``left``
    # parties by (-remainder, agb) are exactly the ones that got one.
    order = sorted(got_extra, key=lambda x: (x[1], x[2]))
    assert all(extra for extra, _, _ in order[:left])
    assert not any(extra for extra, _, _ in order[left:])


@given(files=datasets(), year=YEARS, netting=NETTINGS)
@PROPERTY
def test_a_v1_dataset_has_no_hours_or_costs_and_pairs_total_their_lines(
    files: dict[str, Any], year: int, netting: str
) -> None:
    result = settlement_to_dict(settled(files, year=year, netting=netting))
    assert result["hours"] == result["costs"] == result["excluded_hours"] == []
    for pair in result["pairs"]:
        assert (pair["hours"], pair["costs"], pair["vat"]) == ("0.00", "0.00", "0.00")
        assert pair["total"] == pair["amount"]
    assert list(result) == [
        "year", "netting", "lines", "hours", "costs", "excluded", "excluded_hours", "pairs",
        "positions", "payments", "total",
    ]  # fmt: skip
