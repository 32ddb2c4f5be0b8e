"""Hypothesis strategies: valid datasets as files (docs/data-format.md §1), small but varied."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

from tests import files as f

HOSPITALS = [f"0601{n:04d}" for n in range(1, 7)]
CODES = ["131999061", "131999062", "029899011", "029899012", "099899017"]
GROUPS = ["131999", "029899"]
# The first and last days of the years are drawn on purpose: a slip at a year's edge (``>``
# for ``>=``) shows only there. ``after`` adds 0 days often, so one-day ranges come too.
YEAR_EDGES = [date(2023, 12, 31), date(2024, 1, 1), date(2024, 12, 31), date(2025, 1, 1)]
DAYS = st.sampled_from(YEAR_EDGES) | st.dates(
    min_value=date(2023, 11, 1), max_value=date(2025, 2, 1)
)
MONEY = st.integers(min_value=0, max_value=5_000_000).map(lambda c: f"{c // 100}.{c % 100:02d}")


def after(day: date) -> st.SearchStrategy[date]:
    """A day on or after ``day`` (built, not filtered: filtering starves hypothesis)."""
    return st.integers(min_value=0, max_value=120).map(lambda n: day + timedelta(days=n))


def within(first: date, last: date) -> st.SearchStrategy[date]:
    """A day from ``first`` to ``last``, the years' edges among them drawn on purpose."""
    days = st.integers(min_value=0, max_value=(last - first).days).map(
        lambda n: first + timedelta(days=n)
    )
    edges = [d for d in YEAR_EDGES if first <= d <= last]
    return st.sampled_from(edges) | days if edges else days


SHARES = st.sampled_from(["1", "0.9", "0.90", "0.875", "0.5", "0.333", "0.01"])


@st.composite
def care_types(draw: st.DrawFn, parties: list[str], index: int) -> dict[str, Any]:
    method = draw(st.sampled_from(["odv_benchmark", "odv_benchmark", "fixed_fee", "parallel"]))
    codes = draw(st.lists(st.sampled_from(CODES), unique=True, max_size=2))
    groups = draw(st.lists(st.sampled_from(GROUPS), unique=True, max_size=1))
    if not codes and not groups:
        codes = [draw(st.sampled_from(CODES))]
    return f.care_type(
        care_type=f"zorg-{index}",
        codes=codes,
        groups=groups,
        performing_agb=draw(st.none() | st.sampled_from(parties)),
        method=method,
        price_list=draw(st.sampled_from(["benchmark", "nza"])),
        share=draw(SHARES),
        fee_eur=draw(MONEY),
    )


@st.composite
def agreements(draw: st.DrawFn, hospitals: list[str], index: int) -> dict[str, Any]:
    parties = draw(st.lists(st.sampled_from(hospitals), min_size=2, max_size=4, unique=True))
    start = draw(DAYS)
    end = draw(st.none() | after(start))
    count = draw(st.integers(min_value=1, max_value=3))
    return f.agreement(
        agreement_id=f"agr-{index}",
        parties=parties,
        stage=draw(
            st.sampled_from(["verkennen", "formaliseren", "implementeren", "optimaliseren"])
        ),
        valid_from=start.isoformat(),
        valid_to=None if end is None else end.isoformat(),
        care_types=[draw(care_types(parties, i)) for i in range(count)],
    )


@st.composite
def datasets(draw: st.DrawFn, *, max_dbcs: int = 30) -> dict[str, Any]:
    """The rows of a valid dataset (file name -> rows), with every settlement situation."""
    n_hospitals = draw(st.integers(min_value=2, max_value=len(HOSPITALS)))
    hospitals = HOSPITALS[:n_hospitals]
    n_agreements = draw(st.integers(min_value=1, max_value=3))
    agreement_rows = [draw(agreements(hospitals, i)) for i in range(n_agreements)]
    prices = [
        f.price(price_list=name, year=str(year), code=code, eur=draw(MONEY))
        for name in ("benchmark", "nza")
        for year in (2024, 2025)
        for code in CODES
        if draw(st.booleans())
    ]
    if not any(p["price_list"] == "benchmark" for p in prices):
        prices.append(f.price(price_list="benchmark", code=CODES[0]))
    if not any(p["price_list"] == "nza" for p in prices):
        prices.append(f.price(price_list="nza", code=CODES[0]))
    dbcs: list[dict[str, str]] = []
    for i in range(draw(st.integers(min_value=0, max_value=max_dbcs))):
        patient = f"P-{draw(st.integers(min_value=1, max_value=8)):04d}"
        end: date | None
        if draw(st.booleans()):
            # Aimed at a care type: its parties, performer and codes, ending on a day its
            # agreement is in force. Drawn freely, nearly every DBC would be excluded and the
            # properties of settled lines would hold of none.
            agreement = draw(st.sampled_from(agreement_rows))
            care = draw(st.sampled_from(agreement["care_types"]))
            agb = care["performing_agb"] or draw(st.sampled_from(agreement["parties"]))
            requesting = draw(st.sampled_from([p for p in agreement["parties"] if p != agb]))
            code = draw(
                st.sampled_from(
                    care["zorgproduct_codes"]
                    + [c for c in CODES if c[:6] in care["zorgproductgroepen"]]
                )
            )
            first = date.fromisoformat(agreement["valid_from"])
            last = date.fromisoformat(agreement["valid_to"] or "2025-12-31")
            # Mostly in 2024, the year most properties settle, when the agreement is in force.
            if first <= date(2024, 12, 31) and last >= date(2024, 1, 1) and draw(st.booleans()):
                first, last = max(first, date(2024, 1, 1)), min(last, date(2024, 12, 31))
            end = draw(within(first, last))
            start = end - timedelta(days=draw(st.integers(min_value=0, max_value=60)))
            odv = True
        else:
            agb = draw(st.sampled_from(hospitals))
            code = draw(st.sampled_from([*CODES, "131777011"]))
            start = draw(DAYS)
            end = draw(st.none() | after(start))
            odv = draw(st.booleans())
            requesting = draw(st.sampled_from([h for h in hospitals if h != agb]))
        own = [d for d in dbcs if d["agb"] == requesting and d["odv"] == "false"]
        if odv and draw(st.booleans()):
            own = [d for d in own if d["patient_ref"] == patient]  # a primary that matches
        primary = ""
        if odv and own and draw(st.booleans()):
            primary = draw(st.sampled_from(own))["dbc_id"]
        dbcs.append(
            f.dbc(
                dbc_id=f"D{i}",
                agb=agb,
                patient=patient,
                code=code,
                start=start.isoformat(),
                end="" if end is None else end.isoformat(),
                odv=odv,
                requesting=requesting,
                primary=primary,
                specialism=draw(st.sampled_from(["", "0303"])),
            )
        )
    return {
        "hospitals.csv": [f.hospital(agb=h, name=f"Ziekenhuis {h[-2:]}") for h in hospitals],
        "insurers.csv": [{"uzovi": f.INSURER, "name": "Zilveren Kruis"}],
        "agreements.json": agreement_rows,
        "prices.csv": prices,
        "dbcs.csv": dbcs,
    }


RULES = ("ODV-001", "ODV-002", "PAR-001", "PAR-002", "PAR-003", "TRF-001", "TRF-002")
# The finding each planted case must give: (rule, declaration, DBC or transfer it names).
PLANTED = {
    "ODV-001": ("ODV-001", "PLANT-ODV1"),
    "ODV-002": ("ODV-002", "PLANT-ODV2"),
    "PAR-001": ("PAR-001", "PLANT-PAR1-B"),
    "PAR-002": ("PAR-002", "PLANT-PAR2-B"),
    "PAR-003": ("PAR-003", "PLANT-PAR3-B"),
    "TRF-001": ("TRF-001", "PLANT-T1"),
    "TRF-002": ("TRF-002", "PLANT-T2"),
}


def plant(files: dict[str, Any], rules: frozenset[str]) -> None:
    """Add, for each of ``rules``, a case that must give exactly the finding ``PLANTED`` names,
    whatever the random rows: its own patient (``Q-...``), codes no random agreement covers
    (group 077777, code 088888011) and an agreement of its own."""
    first, second = files["hospitals.csv"][0]["agb"], files["hospitals.csv"][1]["agb"]
    dbcs, declarations = files["dbcs.csv"], files["declarations.csv"]

    def line(declaration_id: str, agb: str, patient: str, **fields: str) -> dict[str, str]:
        return f.declaration(declaration_id=declaration_id, agb=agb, patient=patient, **fields)

    if "ODV-001" in rules:  # the performer declared its ODV DBC to the insurer
        dbcs.append(f.dbc(dbc_id="PLANT-ODV1", agb=second, requesting=first, patient="Q-ODV1",
                          start="2024-05-01", end="2024-05-02"))  # fmt: skip
        declarations.append(line("PLANT-ODV1", second, "Q-ODV1", start="2024-05-01",
                                 end="2024-05-02", dbc_id="PLANT-ODV1"))  # fmt: skip
    if "ODV-002" in rules:  # the requester's own DBC, never declared
        dbcs.append(f.dbc(dbc_id="PLANT-H2", agb=first, odv=False, patient="Q-ODV2",
                          start="2024-06-01", end="2024-06-02"))  # fmt: skip
        dbcs.append(f.dbc(dbc_id="PLANT-ODV2", agb=second, requesting=first, patient="Q-ODV2",
                          start="2024-06-01", end="2024-06-02", primary="PLANT-H2"))  # fmt: skip
    if "PAR-002" in rules:  # the same line twice; the one declared later is the extra
        for suffix, day in (("A", "2024-07-10"), ("B", "2024-07-11")):
            declarations.append(line(f"PLANT-PAR2-{suffix}", first, "Q-PAR2", start="2024-07-01",
                                     end="2024-07-02", declared_on=day))  # fmt: skip
    if "PAR-003" in rules:  # one zorgproductgroep, two hospitals, no agreement: B is later
        declarations.append(line("PLANT-PAR3-A", first, "Q-PAR3", code="077777011",
                                 start="2024-08-01", end="2024-08-05", declared_on="2024-08-10"))  # fmt: skip
        declarations.append(line("PLANT-PAR3-B", second, "Q-PAR3", code="077777012",
                                 start="2024-08-03", end="2024-08-06", declared_on="2024-08-11"))  # fmt: skip
    if rules & {"PAR-001", "TRF-001", "TRF-002"}:
        # Its pathway puts interventie (PLANT-T1's phase) at the second, nazorg at home.
        pathway = [{"phase": "interventie", "at": second}, {"phase": "nazorg", "at": "home"}]
        files["agreements.json"].append(
            f.agreement(agreement_id="plant", parties=[first, second], care_types=[
                f.care_type(care_type="plant", codes=["088888011"], performing_agb=second)
                | {"pathway": pathway}
            ])
        )  # fmt: skip
    if "PAR-001" in rules:  # both declared care the agreement covers: the performer is flagged
        for suffix, agb in (("A", first), ("B", second)):
            declarations.append(line(f"PLANT-PAR1-{suffix}", agb, "Q-PAR1", code="088888011",
                                     start="2024-09-01", end="2024-09-05"))  # fmt: skip
    if "TRF-001" in rules:  # performed, but no ODV DBC followed
        files["transfers.csv"].append(
            f.transfer(transfer_id="PLANT-T1", agreement_id="plant", care_type="plant",
                       patient="Q-TRF", from_agb=first, to_agb=second, date="2024-10-01")
        )  # fmt: skip
    if "TRF-002" in rules:  # nazorg belongs at home (the first), but went to the second
        files["transfers.csv"].append(
            f.transfer(transfer_id="PLANT-T2", agreement_id="plant", care_type="plant",
                       patient="Q-TRF2", from_agb=first, to_agb=second, date="2024-10-02",
                       phase="nazorg")
        )  # fmt: skip


def audit_datasets(*, min_planted: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    return audit_cases(min_planted=min_planted).map(lambda case: case[0])


@st.composite
def audit_cases(draw: st.DrawFn, *, min_planted: int = 0) -> tuple[dict[str, Any], frozenset[str]]:
    """A valid dataset with declarations and transfers: few patients, overlapping ranges, two
    insurers, duplicates and credit lines, so that every audit rule has something to find; and
    planted cases (``plant``) of at least ``min_planted`` rules that must be found."""
    files = draw(datasets(max_dbcs=15))
    files["insurers.csv"].append({"uzovi": "3343", "name": "VGZ"})
    hospitals = [h["agb"] for h in files["hospitals.csv"]]
    dbcs = files["dbcs.csv"]
    declarations: list[dict[str, str]] = []
    for i in range(draw(st.integers(min_value=0, max_value=25))):
        if dbcs and draw(st.booleans()):
            # A declaration of a stored DBC, by id or by its fields.
            d = draw(st.sampled_from(dbcs))
            agb, patient, code, start = (
                d["agb"],
                d["patient_ref"],
                d["zorgproduct_code"],
                d["start_date"],
            )
            end = d["end_date"] or start
            dbc_id = d["dbc_id"] if draw(st.booleans()) else ""
        else:
            agb = draw(st.sampled_from(hospitals))
            patient = f"P-{draw(st.integers(min_value=1, max_value=8)):04d}"
            code = draw(st.sampled_from(CODES))
            start_day = draw(DAYS)
            start = start_day.isoformat()
            end = draw(after(start_day)).isoformat()
            dbc_id = ""
        line = f.declaration(
            declaration_id=f"V{i:03d}",
            agb=agb,
            uzovi=draw(st.sampled_from([f.INSURER, "3343"])),
            patient=patient,
            code=code,
            start=start,
            end=end,
            amount=draw(st.sampled_from(["2100.00", "1999.00", "450.50"])),
            declared_on=draw(DAYS).isoformat(),
            dbc_id=dbc_id,
        )
        declarations.append(line)
        if draw(st.integers(min_value=0, max_value=5)) == 0:
            declarations.append(
                line | {"declaration_id": f"V{i:03d}c", "amount_eur": f"-{line['amount_eur']}"}
            )
        if draw(st.integers(min_value=0, max_value=5)) == 0:
            declarations.append(line | {"declaration_id": f"V{i:03d}d"})
    files["declarations.csv"] = declarations
    transfers = []
    agreements = files["agreements.json"]
    for i in range(draw(st.integers(min_value=0, max_value=5))):
        agreement = draw(st.sampled_from(agreements))
        parties = agreement["parties"]
        from_agb = draw(st.sampled_from(parties))
        to_agb = draw(st.sampled_from([p for p in parties if p != from_agb]))
        transfers.append(
            f.transfer(
                transfer_id=f"T{i}",
                agreement_id=agreement["agreement_id"],
                care_type=agreement["care_types"][0]["care_type"],
                patient=f"P-{draw(st.integers(min_value=1, max_value=8)):04d}",
                from_agb=from_agb,
                to_agb=to_agb,
                date=draw(DAYS).isoformat(),
                status=draw(st.sampled_from(["planned", "performed", "cancelled"])),
            )
        )
    files["transfers.csv"] = transfers
    planted = frozenset(draw(st.sets(st.sampled_from(RULES), min_size=min_planted)))
    plant(files, planted)
    return files, planted
