"""The contract-v1 datasets that samples/samen-plus and samples/amsterdam-flevo were before
they were rebuilt to follow the practice guide (issue 13): test material, not samples.

``python -m tests.data.build_v1`` writes them to ``tests/data/v1/samen-plus`` and
``tests/data/v1/amsterdam-flevo`` (deterministic; tests/test_samples.py checks the committed
files are what it writes). Many tests pin figures computed by hand on them. They show every
exclusion once (``OPEN``, ``NO_AGREEMENT``, ``PRIMARY_MISMATCH``, ``NO_PRICE``,
``PARALLEL_CARE_TYPE``), every settlement method, a framework agreement, and for each audit
rule of contract v1 a case that fires and a near miss that must not. Their figures do not
follow the guide: for the alliances as the guide describes them see samples/README.md.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from samples.build import PARALLEL, Alliance, CareSpec, Writer, odv, pathway

HERE = Path(__file__).resolve().parent / "v1"

ALR, GHZ = "06010101", "06010102"
SAMEN_PLUS = Alliance(
    folder="samen-plus",
    agreement_id="samen-plus-liesbreuk-2024",
    name="Samen+ uitwerkingsovereenkomst 2024-2025",
    category="uitwisseling",
    stage="implementeren",
    hospitals=[
        (ALR, "Alrijne Ziekenhuis", "topklinisch"),
        (GHZ, "Groene Hart Ziekenhuis", "algemeen"),
    ],
    home=None,
    care=[
        CareSpec(
            "rectumcarcinoom",
            [],
            ["029899"],
            ALR,
            odv("samen-plus-benchmark", "0.90"),
            6,
            pathway=pathway(ALR),
            planned=8,
        ),
        CareSpec(
            "liesbreuk",
            ["131999061", "131999062"],
            [],
            GHZ,
            odv("samen-plus-benchmark", "0.9"),
            10,
            pathway=pathway(GHZ),
            planned=120,
        ),
        CareSpec(
            "schildklier",
            ["099899017"],
            [],
            ALR,
            odv("samen-plus-benchmark", "1"),
            4,
            specialism="0313",
        ),
        CareSpec("middenrifbreuk", [], ["131998"], GHZ, odv("samen-plus-benchmark", "0.875"), 3),
    ],
    prices={
        "samen-plus-benchmark": {
            "029899011": "11234.55",
            "131999061": "1999.00",
            "131999062": "2485.15",
            "099899017": "4310.10",
            "131998011": "3021.17",
        }
    },
    parent={
        "agreement_id": "samen-plus-raam",
        "name": "Samen+ raamovereenkomst",
        "category": "uitwisseling",
        "stage": "implementeren",
        "parties": [ALR, GHZ],
        "valid_from": "2022-01-01",
        "valid_to": None,
        "parent_id": None,
        "care_types": [],
    },
    seed=11,
)

AMC, FLZ = "06020201", "06020202"
AMSTERDAM_FLEVO = Alliance(
    folder="amsterdam-flevo",
    agreement_id="amc-flevo-2024",
    name="Samenwerking Amsterdam UMC & Flevoziekenhuis",
    category="verdeling_zorgpad",
    stage="optimaliseren",
    hospitals=[(AMC, "Amsterdam UMC", "umc"), (FLZ, "Flevoziekenhuis", "algemeen")],
    home=AMC,
    care=[
        CareSpec(
            "urologie",
            [],
            ["109899"],
            FLZ,
            PARALLEL,
            6,
            specialism="0306",
            consents=[
                {"uzovi": "3311", "valid_from": "2024-01-01", "valid_to": "2024-12-31"},
                {"uzovi": "3343", "valid_from": "2024-01-01", "valid_to": "2024-12-31"},
                {"uzovi": "3358", "valid_from": "2024-01-01", "valid_to": None},
                {"uzovi": "7029", "valid_from": "2024-01-01", "valid_to": None},
            ],
            pathway=pathway(FLZ),
        ),
        CareSpec(
            "orthopedie",
            [],
            ["131899"],
            FLZ,
            PARALLEL,
            5,
            specialism="0305",
            consents=[{"uzovi": "3311", "valid_from": "2024-01-01", "valid_to": None}],
        ),
        CareSpec(
            "gynaecologie",
            ["079899011"],
            [],
            FLZ,
            odv("nza-open-dis", "1.00"),
            6,
            specialism="0307",
            planned=40,
        ),
        CareSpec(
            "kno",
            ["039899013"],
            [],
            None,
            {"method": "fixed_fee", "fee_eur": "850.00"},
            5,
            specialism="0302",
        ),
        CareSpec("chirurgie", ["131999061"], [], FLZ, odv("nza-open-dis", "0.95"), 4),
    ],
    prices={"nza-open-dis": {"079899011": "2810.40", "131999061": "2050.00"}},
    seed=22,
)


def samen_plus_cases(w: Writer) -> None:
    """One DBC for each exclusion reason this alliance can show, and the year's edges."""
    p, _ = w.patient()
    w.dbc(
        agb=GHZ,
        patient_ref=p,
        zorgproduct_code="131999061",
        start_date="2024-12-02",
        odv="true",
        requesting_agb=ALR,
        diagnosis="open aan jaareinde",
    )  # OPEN
    p, _ = w.patient()
    w.dbc(
        agb=GHZ,
        patient_ref=p,
        zorgproduct_code="131777011",
        start_date="2024-05-02",
        end_date="2024-05-03",
        odv="true",
        requesting_agb=ALR,
    )  # NO_AGREEMENT: not covered
    p, _ = w.patient()
    q, _ = w.patient()
    other = w.dbc(
        agb=ALR,
        patient_ref=q,
        zorgproduct_code="131999061",
        start_date="2024-06-03",
        end_date="2024-08-01",
    )
    w.dbc(
        agb=GHZ,
        patient_ref=p,
        zorgproduct_code="131999061",
        start_date="2024-06-10",
        end_date="2024-06-11",
        odv="true",
        requesting_agb=ALR,
        primary_dbc_id=other["dbc_id"],
    )  # PRIMARY_MISMATCH: another patient's DBC
    p, _ = w.patient()
    w.dbc(
        agb=GHZ,
        patient_ref=p,
        zorgproduct_code="131998022",
        start_date="2024-09-02",
        end_date="2024-09-04",
        odv="true",
        requesting_agb=ALR,
    )  # NO_PRICE
    p, _ = w.patient()
    w.dbc(
        agb=GHZ,
        patient_ref=p,
        zorgproduct_code="131999062",
        start_date="2024-12-20",
        end_date="2025-01-06",
        odv="true",
        requesting_agb=ALR,
    )  # settles in 2025
    p, _ = w.patient()
    w.dbc(
        agb=ALR, patient_ref=p, zorgproduct_code="099899017", start_date="2024-11-20", zorgtype="21"
    )  # an open DBC of the hospital's own care


def samen_plus_audit_cases(w: Writer) -> None:
    """For each audit rule a case that fires and a near miss that must not."""
    liesbreuk = SAMEN_PLUS.care[1]

    def pathway(
        start: str, *, declare_primary: bool = True, with_dbc_id: bool = True
    ) -> tuple[dict[str, str], dict[str, str], str]:
        p, uzovi = w.patient()
        end = (date.fromisoformat(start) + timedelta(days=60)).isoformat()
        primary = w.dbc(
            agb=ALR, patient_ref=p, zorgproduct_code="131999061", start_date=start, end_date=end
        )
        if declare_primary:
            w.declare(primary, uzovi, "2100.00", with_dbc_id=with_dbc_id)
        odv_start = (date.fromisoformat(start) + timedelta(days=7)).isoformat()
        odv_end = (date.fromisoformat(start) + timedelta(days=9)).isoformat()
        spread = w.dbc(
            agb=GHZ,
            patient_ref=p,
            zorgproduct_code="131999061",
            start_date=odv_start,
            end_date=odv_end,
            odv="true",
            requesting_agb=ALR,
            primary_dbc_id=primary["dbc_id"],
        )
        return primary, spread, uzovi

    # ODV-001 fires: Groene Hart declared its ODV DBC to the insurer.
    _, spread, uzovi = pathway("2024-02-05")
    w.declare(spread, uzovi, "1999.00", with_dbc_id=True)
    # ODV-001 near miss: it did, but credited the line again.
    _, spread, uzovi = pathway("2024-02-12")
    w.declare(spread, uzovi, "1999.00", with_dbc_id=True)
    w.credit()
    # ODV-002 near miss: the primary DBC was declared without its dbc_id (matched by fields).
    pathway("2024-03-04", with_dbc_id=False)
    # PAR-002 fires: Alrijne declared the same primary DBC twice.
    primary, _, uzovi = pathway("2024-03-11")
    w.declare(primary, uzovi, "2100.00", with_dbc_id=True)
    # PAR-002 near miss: a credit line followed by a rebill.
    primary, _, uzovi = pathway("2024-03-18")
    w.credit()
    w.declare(primary, uzovi, "2050.00", with_dbc_id=True)
    w.declarations[-1]["declared_on"] = "2024-07-01"
    # TRF-001 fires: a performed transfer, but Groene Hart opened no ODV DBC.
    p, _ = w.patient()
    w.transfer(liesbreuk, p, ALR, GHZ, date(2024, 4, 2), "performed")
    # TRF-001 near miss: a transfer on the last day of the ODV DBC.
    _, spread, _ = pathway("2024-04-08")
    w.transfer(
        liesbreuk,
        spread["patient_ref"],
        ALR,
        GHZ,
        date.fromisoformat(spread["end_date"]),
        "performed",
    )
    # Transfers not (yet) performed never fire.
    p, _ = w.patient()
    w.transfer(liesbreuk, p, ALR, GHZ, date(2024, 11, 4), "planned")
    w.transfer(liesbreuk, p, ALR, GHZ, date(2024, 10, 1), "cancelled")


def amsterdam_audit_cases(w: Writer) -> None:
    """PAR-003: two hospitals declaring one zorgproductgroep that no care type covers."""
    p, uzovi = w.patient()
    for agb, start in ((AMC, "2024-05-06"), (FLZ, "2024-05-20")):
        d = w.dbc(
            agb=agb,
            patient_ref=p,
            zorgproduct_code="159999031",
            start_date=start,
            end_date="2024-06-28",
        )
        w.declare(d, uzovi, "3015.60", with_dbc_id=True)
    # Near miss: overlapping, but in different zorgproductgroepen.
    p, uzovi = w.patient()
    for agb, code in ((AMC, "159999031"), (FLZ, "159998011")):
        d = w.dbc(
            agb=agb,
            patient_ref=p,
            zorgproduct_code=code,
            start_date="2024-08-05",
            end_date="2024-09-02",
        )
        w.declare(d, uzovi, "1200.00", with_dbc_id=True)


ALLIANCES = [SAMEN_PLUS, AMSTERDAM_FLEVO]
CASES = {
    "samen-plus": lambda w: (samen_plus_cases(w), samen_plus_audit_cases(w)),
    "amsterdam-flevo": amsterdam_audit_cases,
}


def build(root: Path = HERE) -> list[Path]:
    """Write both v1 datasets under ``root`` as the sample builder wrote them."""
    written = []
    for alliance in ALLIANCES:
        writer = Writer(alliance)
        writer.care_pathways()
        CASES[alliance.folder](writer)
        folder = root / alliance.folder
        writer.write(folder)
        written.append(folder)
    return written


if __name__ == "__main__":
    for path in build():
        print(path)
