"""Write the nine sample datasets, one per alliance of the practice guide (DOMAIN.md).

Deterministic: the same code writes the same bytes (``python -m samples.build``); a test checks
that the committed samples are what this script writes. Codes are fictional but well formed:
AGB ``06`` + 6 digits, UZOVI 4 digits, zorgproduct codes 9 digits.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
import shutil
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
YEAR = 2024

INSURERS = [
    ("3311", "Zilveren Kruis Achmea"),
    ("3343", "VGZ"),
    ("3358", "CZ"),
    ("7029", "Menzis"),
]


@dataclass
class CareSpec:
    care_type: str
    codes: list[str]
    groups: list[str]
    performing: str | None  # hospital key, or None = any party
    settlement: dict[str, Any]
    volume: int  # ODV DBCs to generate
    consents: list[dict[str, Any]] = field(default_factory=list)
    pathway: list[dict[str, str]] = field(default_factory=list)
    planned: int | None = None
    specialism: str = "0303"


@dataclass
class Alliance:
    folder: str
    agreement_id: str
    name: str
    category: str
    stage: str
    hospitals: list[tuple[str, str, str]]  # (agb, name, kind)
    care: list[CareSpec]
    prices: dict[str, dict[str, str]]  # price_list -> code -> price
    valid_from: str = "2024-01-01"
    valid_to: str | None = "2025-12-31"
    parent: dict[str, Any] | None = None
    extra_agreements: list[dict[str, Any]] = field(default_factory=list)
    home: str | None = None  # the hospital where patients start; None = any other party
    seed: int = 1


def pseudonym(alliance: str, n: int) -> str:
    """The alliance's keyed-hash pseudonym of a patient (never a BSN)."""
    return "PS-" + hashlib.sha256(f"{alliance}/{n}".encode()).hexdigest()[:12].upper()


def day(rng: random.Random, start: date, span: int) -> date:
    return start + timedelta(days=rng.randrange(span))


class Writer:
    """Collects the rows of one alliance's dataset and writes its files."""

    def __init__(self, alliance: Alliance):
        self.a = alliance
        self.rng = random.Random(alliance.seed)
        self.short = alliance.folder.split("-")[0][:4].upper()
        self.dbcs: list[dict[str, str]] = []
        self.declarations: list[dict[str, str]] = []
        self.transfers: list[dict[str, str]] = []
        self.patients = 0
        self.counter = 0
        self.parallel_marked: set[str] = set()

    def next_id(self, prefix: str) -> str:
        self.counter += 1
        return f"{self.short}-{prefix}{self.counter:05d}"

    def patient(self) -> tuple[str, str]:
        self.patients += 1
        return pseudonym(self.a.folder, self.patients), INSURERS[self.patients % 4][0]

    def dbc(self, **values: str) -> dict[str, str]:
        row = {
            "dbc_id": self.next_id("D"),
            "agb": "",
            "patient_ref": "",
            "zorgproduct_code": "",
            "start_date": "",
            "end_date": "",
            "odv": "false",
            "requesting_agb": "",
            "primary_dbc_id": "",
            "specialism": "",
            "diagnosis": "",
            "zorgtype": "",
        } | values
        self.dbcs.append(row)
        return row

    def declare(self, dbc: dict[str, str], uzovi: str, amount: str, *, with_dbc_id: bool) -> None:
        end = date.fromisoformat(dbc["end_date"])
        self.declarations.append(
            {
                "declaration_id": self.next_id("V"),
                "agb": dbc["agb"],
                "uzovi": uzovi,
                "patient_ref": dbc["patient_ref"],
                "zorgproduct_code": dbc["zorgproduct_code"],
                "start_date": dbc["start_date"],
                "end_date": dbc["end_date"],
                "amount_eur": amount,
                "declared_on": (end + timedelta(days=14)).isoformat(),
                "dbc_id": dbc["dbc_id"] if with_dbc_id else "",
                "declaratiecode": f"{int(dbc['zorgproduct_code']) % 1000000:06d}"[:6]
                if with_dbc_id
                else "",
            }
        )

    def credit(self, *, days_later: int = 30) -> None:
        """A credit line for the last declaration: the hospital withdraws it."""
        last = self.declarations[-1]
        declared = date.fromisoformat(last["declared_on"]) + timedelta(days=days_later)
        self.declarations.append(
            last
            | {
                "declaration_id": self.next_id("V"),
                "amount_eur": f"-{last['amount_eur']}",
                "declared_on": declared.isoformat(),
            }
        )

    def transfer(
        self, care: CareSpec, patient: str, frm: str, to: str, when: date, status: str
    ) -> None:
        self.transfers.append(
            {
                "transfer_id": self.next_id("T"),
                "agreement_id": self.a.agreement_id,
                "care_type": care.care_type,
                "patient_ref": patient,
                "from_agb": frm,
                "to_agb": to,
                "transfer_date": when.isoformat(),
                "status": status,
                "phase": "interventie" if care.pathway else "",
            }
        )

    def price_of(self, code: str) -> str:
        for prices in self.a.prices.values():
            if code in prices:
                return prices[code]
        return "1000.00"

    def care_pathways(self) -> None:
        """Per care type: patients start at home, the spread part is an ODV DBC elsewhere."""
        agbs = [h[0] for h in self.a.hospitals]
        for care in self.a.care:
            codes = care.codes or [g + "011" for g in care.groups]
            for _ in range(care.volume):
                patient, uzovi = self.patient()
                performer = care.performing or self.rng.choice(agbs[1:])
                homes = [self.a.home] if self.a.home else [a for a in agbs if a != performer]
                home = self.rng.choice([h for h in homes if h != performer] or agbs[:1])
                code = self.rng.choice(codes)
                start = day(self.rng, date(YEAR, 1, 2), 300)
                primary = self.dbc(
                    agb=home,
                    patient_ref=patient,
                    zorgproduct_code=code,
                    start_date=start.isoformat(),
                    end_date=(start + timedelta(days=60)).isoformat(),
                    specialism=care.specialism,
                    diagnosis=care.care_type[:20],
                    zorgtype="11",
                )
                self.declare(primary, uzovi, self.price_of(code), with_dbc_id=True)
                performed = start + timedelta(days=self.rng.randrange(3, 40))
                parallel = care.settlement["method"] == "parallel"
                # Under parallel declaration the performer declares its own part; one DBC per
                # such care type is (wrongly) marked ODV and shows the PARALLEL_CARE_TYPE exclusion.
                marked_odv = not parallel or care.care_type not in self.parallel_marked
                if parallel and marked_odv:
                    self.parallel_marked.add(care.care_type)
                spread = self.dbc(
                    agb=performer,
                    patient_ref=patient,
                    zorgproduct_code=code,
                    start_date=performed.isoformat(),
                    end_date=(performed + timedelta(days=self.rng.randrange(1, 20))).isoformat(),
                    odv="true" if marked_odv else "false",
                    requesting_agb=home if marked_odv else "",
                    primary_dbc_id=primary["dbc_id"] if marked_odv else "",
                    specialism=care.specialism,
                )
                if parallel and not marked_odv:
                    self.declare(spread, uzovi, self.price_of(code), with_dbc_id=False)
                if not parallel:
                    self.transfer(care, patient, home, performer, performed, "performed")

    def write(self, folder: Path) -> None:
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        table(folder / "hospitals.csv", ["agb", "name", "kind"], self.a.hospitals)
        table(folder / "insurers.csv", ["uzovi", "name"], INSURERS)
        price_rows = [
            (name, str(YEAR), code, price)
            for name, prices in self.a.prices.items()
            for code, price in sorted(prices.items())
        ]
        table(
            folder / "prices.csv",
            ["price_list", "year", "zorgproduct_code", "price_eur"],
            price_rows,
        )
        dicts(folder / "dbcs.csv", self.dbcs)
        dicts(folder / "declarations.csv", self.declarations)
        dicts(folder / "transfers.csv", self.transfers)
        agreements = ([self.a.parent] if self.a.parent else []) + [self.agreement()]
        agreements += self.a.extra_agreements
        (folder / "agreements.json").write_text(json.dumps(agreements, indent=2) + "\n")

    def agreement(self) -> dict[str, Any]:
        a = self.a
        return {
            "agreement_id": a.agreement_id,
            "name": a.name,
            "category": a.category,
            "stage": a.stage,
            "parties": [h[0] for h in a.hospitals],
            "valid_from": a.valid_from,
            "valid_to": a.valid_to,
            "parent_id": a.parent["agreement_id"] if a.parent else None,
            "care_types": [
                {
                    "care_type": c.care_type,
                    "zorgproduct_codes": c.codes,
                    "zorgproductgroepen": c.groups,
                    "performing_agb": c.performing,
                    "settlement": c.settlement,
                    "parallel_consents": c.consents,
                    "planned_volume": {str(YEAR): c.planned} if c.planned is not None else {},
                    "pathway": c.pathway,
                }
                for c in a.care
            ],
        }


def table(path: Path, header: list[str], rows: list[tuple[str, ...]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def dicts(path: Path, rows: list[dict[str, str]]) -> None:
    if not rows:
        return
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def odv(price_list: str, share: str) -> dict[str, str]:
    return {"method": "odv_benchmark", "price_list": price_list, "share": share}


PARALLEL = {"method": "parallel"}
SPLIT = [
    {"phase": "diagnostiek", "at": "home"},
    {"phase": "interventie", "at": "PERFORMER"},
    {"phase": "nazorg", "at": "home"},
]


def pathway(performer: str) -> list[dict[str, str]]:
    return [step | {"at": performer} if step["at"] == "PERFORMER" else step for step in SPLIT]


# --- the nine alliances -------------------------------------------------------------------

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

ERASMUS = "06030300"
ERASMUS_PARTNERS = [
    ("06030301", "Maasstad Ziekenhuis", "topklinisch"),
    ("06030302", "Albert Schweitzer ziekenhuis", "topklinisch"),
    ("06030303", "Amphia", "topklinisch"),
    ("06030304", "Franciscus Gasthuis & Vlietland", "topklinisch"),
    ("06030305", "Elisabeth-TweeSteden Ziekenhuis", "topklinisch"),
    ("06030306", "Admiraal de Ruyter Ziekenhuis", "algemeen"),
    ("06030307", "IJsselland Ziekenhuis", "algemeen"),
    ("06030308", "ZorgSaam", "algemeen"),
    ("06030309", "Bravis ziekenhuis", "algemeen"),
    ("06030310", "Van Weel-Bethesda Ziekenhuis", "algemeen"),
    ("06030311", "Ikazia Ziekenhuis", "algemeen"),
    ("06030312", "Beatrixziekenhuis Rivas", "algemeen"),
]
ERASMUS_MC = Alliance(
    folder="erasmus-stamcel",
    agreement_id="erasmus-stamcel-nazorg-2024",
    name="Nazorg stamceltransplantaties Erasmus MC",
    category="verdeling_zorgpad",
    stage="optimaliseren",
    hospitals=[(ERASMUS, "Erasmus MC", "umc"), *ERASMUS_PARTNERS],
    home=ERASMUS,
    care=[
        CareSpec(
            "nazorg-stamcel",
            ["028899041", "028899042"],
            [],
            None,
            odv("erasmus-benchmark", "1.00"),
            26,
            specialism="0313",
            pathway=[
                {"phase": "voortraject", "at": "home"},
                {"phase": "opname", "at": "home"},
                {"phase": "nazorg", "at": "06030301"},
            ],
        ),
    ],
    prices={"erasmus-benchmark": {"028899041": "1875.35", "028899042": "3420.85"}},
    valid_from="2023-01-01",
    valid_to=None,
    seed=33,
)

ONCOMID_HOSPITALS = [
    ("06040401", "Antonius Ziekenhuis", "topklinisch"),
    ("06040402", "Diakonessenhuis", "topklinisch"),
    ("06040403", "Meander Medisch Centrum", "topklinisch"),
    ("06040404", "Tergooi MC", "topklinisch"),
    ("06040405", "Ziekenhuis Rivierenland", "algemeen"),
    ("06040406", "Ziekenhuis Gelderse Vallei", "topklinisch"),
    ("06040407", "Ziekenhuis St Jansdal", "algemeen"),
    ("06040408", "Rivas Beatrix", "algemeen"),
    ("06040409", "UMC Utrecht", "umc"),
]
ONCOMID = Alliance(
    folder="oncomid",
    agreement_id="oncomid-2024",
    name="Oncomid samenwerkingsovereenkomst",
    category="uitwisseling",
    stage="formaliseren",
    hospitals=ONCOMID_HOSPITALS,
    care=[
        CareSpec("mammacarcinoom", [], ["029699"], "06040401", odv("oncomid-benchmark", "0.85"), 8),
        CareSpec("coloncarcinoom", [], ["029899"], "06040403", odv("oncomid-benchmark", "0.85"), 7),
        CareSpec(
            "longcarcinoom",
            ["020199021"],
            [],
            "06040402",
            odv("oncomid-benchmark", "0.90"),
            6,
            specialism="0322",
        ),
        CareSpec(
            "mdo-consult",
            ["990089001"],
            [],
            None,
            {"method": "fixed_fee", "fee_eur": "312.50"},
            6,
            specialism="0362",
        ),
    ],
    prices={
        "oncomid-benchmark": {
            "029699011": "8450.25",
            "029899011": "11234.55",
            "020199021": "9100.05",
        }
    },
    seed=44,
)

SMC, ZGT = "06050501", "06050502"
SAXENBURGH_ZGT = Alliance(
    folder="saxenburgh-zgt",
    agreement_id="smc-zgt-2024",
    name="Saxenburgh MC & ZGT",
    category="uitwisseling",
    stage="implementeren",
    hospitals=[(SMC, "Saxenburgh MC", "algemeen"), (ZGT, "Ziekenhuisgroep Twente", "topklinisch")],
    care=[
        CareSpec(
            "liesbreuk",
            ["131999061"],
            [],
            SMC,
            PARALLEL,
            6,
            planned=150,
            consents=[
                {"uzovi": u, "valid_from": "2024-01-01", "valid_to": "2025-12-31"}
                for u, _ in INSURERS
            ],
        ),
        CareSpec(
            "galblaas",
            ["159999031"],
            [],
            ZGT,
            PARALLEL,
            5,
            planned=100,
            consents=[
                {"uzovi": u, "valid_from": "2024-01-01", "valid_to": "2025-12-31"}
                for u, _ in INSURERS
            ],
        ),
    ],
    prices={"smc-zgt-passant": {"131999061": "2210.00", "159999031": "3015.60"}},
    seed=55,
)

UMCG = "06060600"
HARTNET = Alliance(
    folder="hartnet",
    agreement_id="hartnet-2024",
    name="HartNet Noord-Nederland",
    category="verdeling_zorgpad",
    stage="optimaliseren",
    hospitals=[
        (UMCG, "UMCG", "umc"),
        ("06060601", "Martini Ziekenhuis", "topklinisch"),
        ("06060602", "Ommelander Ziekenhuis Groningen", "algemeen"),
        ("06060603", "Treant", "algemeen"),
        ("06060604", "Wilhelmina Ziekenhuis Assen", "algemeen"),
    ],
    care=[
        CareSpec(
            "hartkatheterisatie",
            [],
            ["979001"],
            UMCG,
            odv("hartnet-benchmark", "1.00"),
            12,
            specialism="0320",
            pathway=pathway(UMCG),
        ),
        CareSpec(
            "hartrevalidatie",
            ["979002011"],
            [],
            None,
            odv("hartnet-benchmark", "0.80"),
            6,
            specialism="0320",
        ),
    ],
    prices={"hartnet-benchmark": {"979001011": "6420.30", "979002011": "1280.45"}},
    seed=66,
)

LUMC, HMC = "06070701", "06070702"
UKC = Alliance(
    folder="ukc-leiden-denhaag",
    agreement_id="ukc-ldh-2024",
    name="Universitair Kankercentrum Leiden | Den Haag",
    category="verdeling_zorgpad",
    stage="optimaliseren",
    hospitals=[(LUMC, "LUMC", "umc"), (HMC, "Haaglanden Medisch Centrum", "topklinisch")],
    care=[
        CareSpec(
            "oesofaguscarcinoom",
            [],
            ["029599"],
            LUMC,
            odv("ukc-benchmark", "0.95"),
            5,
            pathway=pathway(LUMC),
        ),
        CareSpec(
            "operatie-gedetacheerd",
            ["029899011"],
            [],
            HMC,
            {"method": "fixed_fee", "fee_eur": "1450.00"},
            6,
        ),
    ],
    prices={"ukc-benchmark": {"029599011": "14310.65"}},
    seed=77,
)

BORST = Alliance(
    folder="borstcentrum-groningen",
    agreement_id="abcg-2024",
    name="Academisch Borstcentrum Groningen",
    category="uitwisseling",
    stage="implementeren",
    hospitals=[
        ("06080801", "UMCG (borstcentrum)", "umc"),
        ("06080802", "Martini Ziekenhuis (borst)", "topklinisch"),
    ],
    care=[
        CareSpec(
            "mammachirurgie",
            [],
            ["029699"],
            "06080802",
            odv("abcg-benchmark", "0.92"),
            10,
            planned=60,
        ),
    ],
    prices={"abcg-benchmark": {"029699011": "8450.25"}},
    valid_to="2025-12-31",
    seed=88,
)

VAAT_HOSPITALS = [
    ("06090901", "UMC Utrecht (vaat)", "umc"),
    ("06090902", "Antonius (vaat)", "topklinisch"),
    ("06090903", "Diakonessenhuis (vaat)", "topklinisch"),
    ("06090904", "Meander (vaat)", "topklinisch"),
    ("06090905", "Tergooi (vaat)", "topklinisch"),
    ("06090906", "Rivierenland (vaat)", "algemeen"),
    ("22090907", "Vaatkliniek Utrecht ZBC", "zbc"),
]
VAATNETWERK = Alliance(
    folder="vaatnetwerk-utrecht",
    agreement_id="vaatnetwerk-verkenning",
    name="Vaatnetwerk Utrecht (verkenning)",
    category="verdeling_zorgpad",
    stage="verkennen",
    hospitals=VAAT_HOSPITALS,
    care=[
        CareSpec(
            "aneurysma",
            [],
            ["089799"],
            "06090901",
            odv("vaat-benchmark", "1.00"),
            5,
            specialism="0303",
        ),
        CareSpec("varices", ["089798011"], [], None, odv("vaat-benchmark", "1.00"), 4),
    ],
    prices={"vaat-benchmark": {"089799011": "12040.00", "089798011": "1540.70"}},
    valid_to=None,
    seed=99,
)

ALLIANCES = [
    SAMEN_PLUS, AMSTERDAM_FLEVO, ERASMUS_MC, ONCOMID, SAXENBURGH_ZGT, HARTNET, UKC, BORST,
    VAATNETWERK,
]  # fmt: skip


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


def vaatnetwerk_audit_cases(w: Writer) -> None:
    """An agreement still in 'verkennen' binds nothing: no PAR-001, but PAR-003 warns."""
    p, uzovi = w.patient()
    for agb, start in (("06090901", "2024-03-04"), ("06090902", "2024-03-11")):
        d = w.dbc(
            agb=agb,
            patient_ref=p,
            zorgproduct_code="089799011",
            start_date=start,
            end_date="2024-04-30",
        )
        w.declare(d, uzovi, "12040.00", with_dbc_id=True)


def oncomid_cases(w: Writer) -> None:
    """A pilot agreement that overlaps the main one: its DBCs are ambiguous."""
    p, _ = w.patient()
    w.dbc(
        agb="06040402",
        patient_ref=p,
        zorgproduct_code="020199021",
        start_date="2024-09-02",
        end_date="2024-09-20",
        odv="true",
        requesting_agb="06040401",
        specialism="0322",
    )


ONCOMID.extra_agreements.append(
    {
        "agreement_id": "oncomid-pilot-long-2024",
        "name": "Oncomid pilot longzorg",
        "category": "uitwisseling",
        "stage": "implementeren",
        "parties": ["06040401", "06040402"],
        "valid_from": "2024-09-01",
        "valid_to": "2024-12-31",
        "parent_id": "oncomid-2024",
        "care_types": [
            {
                "care_type": "longcarcinoom-pilot",
                "zorgproduct_codes": ["020199021"],
                "zorgproductgroepen": [],
                "performing_agb": "06040402",
                "settlement": odv("oncomid-benchmark", "0.80"),
                "parallel_consents": [],
                "planned_volume": {"2024": 10},
                "pathway": [],
            }
        ],
    }
)

CASES = {
    "samen-plus": lambda w: (samen_plus_cases(w), samen_plus_audit_cases(w)),
    "oncomid": oncomid_cases,
    "amsterdam-flevo": amsterdam_audit_cases,
    "vaatnetwerk-utrecht": vaatnetwerk_audit_cases,
}


def build(root: Path = HERE) -> list[Path]:
    written = []
    for alliance in ALLIANCES:
        writer = Writer(alliance)
        writer.care_pathways()
        if alliance.folder in CASES:
            CASES[alliance.folder](writer)
        folder = root / alliance.folder
        writer.write(folder)
        written.append(folder)
    return written


if __name__ == "__main__":
    for path in build():
        print(path)
