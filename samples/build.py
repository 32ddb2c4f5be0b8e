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
    insurers: list[tuple[str, str]] = field(default_factory=lambda: INSURERS)
    # When given, these agreements are written instead of the one generated from ``care``.
    agreements: list[dict[str, Any]] | None = None
    # v2: a hospital's (iban, address); when given, hospitals.csv has both columns.
    accounts: dict[str, tuple[str, str]] | None = None


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
        self.hours: list[dict[str, str]] = []
        self.patients = 0
        self.counter = 0
        self.parallel_marked: set[str] = set()

    def next_id(self, prefix: str) -> str:
        self.counter += 1
        return f"{self.short}-{prefix}{self.counter:05d}"

    def patient(self) -> tuple[str, str]:
        self.patients += 1
        insurers = self.a.insurers
        return pseudonym(self.a.folder, self.patients), insurers[self.patients % len(insurers)][0]

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
        """Per care type: patients start at home, the spread part is an ODV DBC elsewhere.
        (Alliances given by ``care``, as the contract-v1 test datasets of tests/data/build_v1.py
        are; the nine samples are written row by row by their ``BUILDERS``.)"""
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
        if self.a.accounts is None:
            table(folder / "hospitals.csv", ["agb", "name", "kind"], self.a.hospitals)
        else:
            accounts = self.a.accounts
            table(
                folder / "hospitals.csv",
                ["agb", "name", "kind", "iban", "address"],
                [(*h, *accounts[h[0]]) for h in self.a.hospitals],
            )
        table(folder / "insurers.csv", ["uzovi", "name"], self.a.insurers)
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
        dicts(folder / "hours.csv", self.hours)
        if self.a.agreements is not None:
            agreements = self.a.agreements
        else:
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

# The Utrecht hospitals of Oncomid and the Vaatnetwerk (St Jansdal only in the Vaatnetwerk,
# Alexander Monro, a ZBC, only in Oncomid).
ONCOMID_HOSPITALS = [
    ("06040401", "Antonius Ziekenhuis", "topklinisch"),
    ("06040402", "Diakonessenhuis", "topklinisch"),
    ("06040403", "Meander Medisch Centrum", "topklinisch"),
    ("06040404", "Tergooi MC", "topklinisch"),
    ("06040405", "Ziekenhuis Rivierenland", "algemeen"),
    ("06040406", "Ziekenhuis Gelderse Vallei", "topklinisch"),
    ("06040408", "Beatrixziekenhuis (Rivas)", "algemeen"),
    ("06040409", "UMC Utrecht", "umc"),
    ("22040410", "Alexander Monro Ziekenhuis", "zbc"),
]
ST_JANSDAL_H = ("06040407", "Ziekenhuis St Jansdal", "algemeen")


# --- alliances built row by row (contract v2) ----------------------------------------------
#
# Every hospital has one AGB code and one name in every sample: a hospital in two alliances is
# written from the same tuple (UMCG and Martini in HartNet and the Borstcentrum, the Utrecht
# hospitals in Oncomid and the Vaatnetwerk, Beatrixziekenhuis in Oncomid and Erasmus MC's
# stem-cell aftercare).

ZORG_EN_ZEKERHEID = ("3313", "Zorg & Zekerheid")
ZILVEREN_KRUIS, VGZ, CZ, MENZIS = INSURERS
HOSPITAL = {h[0]: h for h in [*ONCOMID_HOSPITALS, ST_JANSDAL_H]}
UMCG_H = ("06060600", "UMCG", "umc")
MARTINI_H = ("06060601", "Martini Ziekenhuis", "topklinisch")


def agreement_of(
    agreement_id: str,
    name: str,
    category: str,
    stage: str,
    parties: list[str],
    valid_from: str,
    valid_to: str | None,
    care_types: list[dict[str, Any]],
    **extra: Any,
) -> dict[str, Any]:
    return {
        "agreement_id": agreement_id,
        "name": name,
        "category": category,
        "stage": stage,
        "parties": parties,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "parent_id": None,
        "care_types": care_types,
    } | extra


def care_of(
    care_type: str,
    *,
    codes: list[str] | None = None,
    groups: list[str] | None = None,
    performing: str | None,
    settlement: dict[str, Any],
    consents: list[dict[str, Any]] | None = None,
    planned: dict[str, int] | None = None,
    pathway: list[dict[str, str]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "care_type": care_type,
        "zorgproduct_codes": codes or [],
        "zorgproductgroepen": groups or [],
        "performing_agb": performing,
        "settlement": settlement,
        "parallel_consents": consents or [],
        "planned_volume": planned or {},
        "pathway": pathway or [],
    } | extra


def transfer_row(
    w: Writer, agreement_id: str, care_type: str, patient: str, frm: str, to: str, when: date,
    phase: str = "",
) -> None:  # fmt: skip
    w.transfers.append(
        {
            "transfer_id": w.next_id("T"),
            "agreement_id": agreement_id,
            "care_type": care_type,
            "patient_ref": patient,
            "from_agb": frm,
            "to_agb": to,
            "transfer_date": when.isoformat(),
            "status": "performed",
            "phase": phase,
        }
    )


def own_dbc(
    w: Writer, agb: str, patient: str, code: str, start: date, days: int, specialism: str
) -> dict[str, str]:
    return w.dbc(
        agb=agb,
        patient_ref=patient,
        zorgproduct_code=code,
        start_date=start.isoformat(),
        end_date=(start + timedelta(days=days)).isoformat(),
        specialism=specialism,
        zorgtype="11",
    )


# Saxenburgh MC & ZGT: each declares its own care, ZGT sends an agreed number of patients a
# week to SMC for hernia and gallbladder surgery; nothing is settled between them.
SMC_H = ("06050501", "Saxenburgh MC", "algemeen")
ZGT_H = ("06050502", "Ziekenhuisgroep Twente", "topklinisch")
SMC, ZGT = SMC_H[0], ZGT_H[0]
SAXENBURGH_CARE = [
    # care type, zorgproductgroep, ZGT's intake code, SMC's operation code, patients, per week
    ("liesbreuk", "131999", "131999011", "131999061", 14, 3),
    ("galblaas", "159999", "159999011", "159999031", 8, 2),
]
SAXENBURGH_CONSENTS = [
    {"uzovi": u, "valid_from": "2022-01-01", "valid_to": None} for u, _ in (MENZIS, ZILVEREN_KRUIS)
]
SAXENBURGH_ZGT = Alliance(
    folder="saxenburgh-zgt",
    agreement_id="smc-zgt-2024",
    name="Saxenburgh MC & ZGT",
    category="uitwisseling",
    stage="formaliseren",
    hospitals=[SMC_H, ZGT_H],
    care=[],
    prices={},
    insurers=[ZILVEREN_KRUIS, MENZIS],
    agreements=[
        agreement_of(
            "smc-zgt-2024",
            "Saxenburgh MC & ZGT (regiomaatschap chirurgie)",
            "uitwisseling",
            "formaliseren",
            [SMC, ZGT],
            "2022-01-01",
            None,
            [
                care_of(
                    care,
                    groups=[group],
                    performing=SMC,
                    settlement=PARALLEL,
                    consents=SAXENBURGH_CONSENTS,
                    planned_weekly=weekly,
                )
                for care, group, _intake, _operation, _n, weekly in SAXENBURGH_CARE
            ],
        )
    ],
    seed=55,
)


def saxenburgh_rows(w: Writer) -> None:
    """ZGT does intake and diagnostics and declares them; SMC operates and declares that."""
    for _care, _group, intake_code, operation_code, patients, _weekly in SAXENBURGH_CARE:
        for _ in range(patients):
            patient, uzovi = w.patient()
            start = day(w.rng, date(YEAR, 1, 8), 280)
            intake = own_dbc(w, ZGT, patient, intake_code, start, 45, "0303")
            w.declare(intake, uzovi, "310.00", with_dbc_id=True)
            operated = start + timedelta(days=w.rng.randrange(14, 35))
            operation = own_dbc(w, SMC, patient, operation_code, operated, 42, "0303")
            w.declare(operation, uzovi, "2210.00", with_dbc_id=True)


# UKC Leiden | Den Haag: LUMC surgeons operate at HMC; HMC declares its operations and pays
# LUMC for its surgeons' hours.
LUMC_H = ("06070701", "LUMC", "umc")
HMC_H = ("06070702", "Haaglanden Medisch Centrum", "topklinisch")
LUMC, HMC = LUMC_H[0], HMC_H[0]
UKC_CARE = [
    # care type, zorgproductgroep, code, specialism
    ("borstkanker", "029699", "029699011", "0303"),
    ("darmkanker", "029899", "029899011", "0303"),
    ("hoofd-halsoncologie", "029199", "029199011", "0302"),
]
UKC_RATE = {
    "role": "medisch-specialist",
    "rate_eur": "185.00",
    "vat_rate": "0.00",
    "valid_from": "2024-01-01",
    "valid_to": None,
}
UKC = Alliance(
    folder="ukc-leiden-denhaag",
    agreement_id="ukc-ldh-2024",
    name="Universitair Kankercentrum Leiden | Den Haag",
    category="verdeling_zorgpad",
    stage="optimaliseren",
    hospitals=[LUMC_H, HMC_H],
    care=[],
    prices={},
    insurers=[ZILVEREN_KRUIS, ZORG_EN_ZEKERHEID, VGZ, CZ, MENZIS],
    agreements=[
        agreement_of(
            "ukc-ldh-2024",
            "Universitair Kankercentrum Leiden | Den Haag",
            "verdeling_zorgpad",
            "optimaliseren",
            [LUMC, HMC],
            "2024-01-01",
            None,
            [
                care_of(care, groups=[group], performing=HMC, settlement=PARALLEL)
                for care, group, _code, _specialism in UKC_CARE
            ],
            secondment_rates=[UKC_RATE],
        )
    ],
    seed=77,
)


def ukc_rows(w: Writer) -> None:
    """Operations at HMC, declared by HMC; three of every four by a LUMC surgeon, whose hours
    on the operating day HMC pays LUMC for."""
    surgeons = [pseudonym("ukc-lumc-chirurg", n) for n in range(1, 4)]
    for n in range(12):
        care, _group, code, specialism = UKC_CARE[n % 3]
        patient, uzovi = w.patient()
        operated = day(w.rng, date(YEAR, 1, 8), 330)
        operation = own_dbc(w, HMC, patient, code, operated, 30, specialism)
        w.declare(operation, uzovi, "9850.00", with_dbc_id=True)
        if n % 4 == 3:
            continue  # an HMC surgeon operates: nothing to charge
        w.hours.append(
            {
                "hours_id": w.next_id("U"),
                "agreement_id": "ukc-ldh-2024",
                "employer_agb": LUMC,
                "host_agb": HMC,
                "role": "medisch-specialist",
                "work_date": operated.isoformat(),
                "hours": w.rng.choice(["4.50", "6.00", "7.25", "8.00"]),
                "person_ref": w.rng.choice(surgeons),
                "care_type": care,
                "specialism": specialism,
            }
        )


# Academisch Borstcentrum Groningen: 90% of patients are treated at the Martini site, which
# declares; UMCG and Martini contribute from their own operations, no joint budget.
UMCG, MARTINI = UMCG_H[0], MARTINI_H[0]
BORST_CARE = care_of("borstkanker", groups=["029699"], performing=MARTINI, settlement=PARALLEL)
BORST = Alliance(
    folder="borstcentrum-groningen",
    agreement_id="abg-2024",
    name="Academisch Borstcentrum Groningen",
    category="uitwisseling",
    stage="optimaliseren",
    hospitals=[UMCG_H, MARTINI_H],
    care=[],
    prices={},
    insurers=[MENZIS],
    agreements=[
        agreement_of(
            "abg-2022",
            "Academisch Borstcentrum Groningen 2022-2024",
            "uitwisseling",
            "implementeren",
            [UMCG, MARTINI],
            "2022-09-01",
            "2024-08-31",
            [BORST_CARE],
        ),
        agreement_of(
            "abg-2024",
            "Academisch Borstcentrum Groningen 2024-2026 (verlenging)",
            "uitwisseling",
            "optimaliseren",
            [UMCG, MARTINI],
            "2024-09-01",
            "2026-08-31",
            [BORST_CARE],
        ),
    ],
    seed=88,
)


def borst_rows(w: Writer) -> None:
    """Patients enter at either site for radiological diagnostics; nine in ten are treated at
    the Martini site, which declares the treatment."""
    for n in range(20):
        patient, uzovi = w.patient()
        start = day(w.rng, date(YEAR, 1, 8), 300)
        treated_at = UMCG if n % 10 == 9 else MARTINI
        if n % 2:  # diagnostics at the UMCG site, declared by the UMCG, before treatment
            diagnostics = own_dbc(w, UMCG, patient, "029699011", start, 13, "0361")
            w.declare(diagnostics, uzovi, "640.00", with_dbc_id=True)
            start += timedelta(days=21)
        treatment = own_dbc(w, treated_at, patient, "029699021", start, 90, "0303")
        w.declare(treatment, uzovi, "8450.25", with_dbc_id=True)


# Vaatnetwerk Utrecht: exploring; letters of intent, no binding agreement, no shift of care.
VAAT_AGBS = ["06040409", "06040401", "06040402", "06040403", "06040404", "06040405", "06040407"]
VAAT_CARE = [
    ("aorta-aneurysma", "089799"),
    ("carotis", "089798"),
    ("perifeer-vaatlijden", "089797"),
]
VAATNETWERK = Alliance(
    folder="vaatnetwerk-utrecht",
    agreement_id="vaatnetwerk-verkenning",
    name="Vaatnetwerk Utrecht (verkenning)",
    category="uitwisseling",
    stage="verkennen",
    hospitals=[HOSPITAL[agb] for agb in sorted(VAAT_AGBS)],
    care=[],
    prices={},
    agreements=[
        agreement_of(
            "vaatnetwerk-verkenning",
            "Vaatnetwerk Utrecht: intentieverklaring vaatchirurgen",
            "uitwisseling",
            "verkennen",
            sorted(VAAT_AGBS),
            "2023-01-01",
            None,
            [
                care_of(care, groups=[group], performing=None, settlement=PARALLEL)
                for care, group in VAAT_CARE
            ],
        ),
        agreement_of(
            "vaatnetwerk-meander-tergooi-2024",
            "Intentieverklaring Meander MC en Tergooi MC: carotis en aorta",
            "uitwisseling",
            "verkennen",
            ["06040403", "06040404"],
            "2024-01-01",
            None,
            [
                care_of(care, groups=[group], performing=None, settlement=PARALLEL)
                for care, group in VAAT_CARE[:2]
            ],
            parent_id="vaatnetwerk-verkenning",
        ),
    ],
    seed=99,
)


def vaatnetwerk_rows(w: Writer) -> None:
    """Each hospital treats and declares its own patients; one patient seen by two hospitals."""
    for n in range(7):
        patient, uzovi = w.patient()
        _care, group = VAAT_CARE[n % 3]
        start = day(w.rng, date(YEAR, 1, 8), 300)
        own = own_dbc(w, VAAT_AGBS[n], patient, group + "011", start, 60, "0303")
        w.declare(own, uzovi, "5200.00", with_dbc_id=True)
    vaatnetwerk_audit_cases(w)


# Erasmus MC stem-cell aftercare: Erasmus declares a DBC per phase and settles the aftercare
# with the referring partner that performs it; each partner joined bilaterally.
ERASMUS_H = ("06030300", "Erasmus MC", "umc")
ERASMUS = ERASMUS_H[0]
ERASMUS_PARTNERS = [
    # hospital, the year its bilateral agreement started (None: the guide gives 2011-2020)
    (("06030301", "Maasstad Ziekenhuis", "topklinisch"), "2006-01-01"),
    (("06030302", "Albert Schweitzer ziekenhuis", "topklinisch"), "2015-01-01"),
    (("06030303", "Amphia", "topklinisch"), "2011-01-01"),
    (("06030304", "Franciscus Gasthuis & Vlietland", "topklinisch"), "2014-01-01"),
    (("06030305", "Elisabeth-TweeSteden Ziekenhuis", "topklinisch"), "2016-01-01"),
    (("06030306", "Admiraal de Ruyter Ziekenhuis", "algemeen"), "2020-01-01"),
    (("06030307", "IJsselland Ziekenhuis", "algemeen"), None),
    (("06030308", "ZorgSaam", "algemeen"), None),
    (("06030309", "Bravis ziekenhuis", "algemeen"), None),
    (("06030310", "Van Weel-Bethesda Ziekenhuis", "algemeen"), None),
    (("06030311", "Ikazia Ziekenhuis", "algemeen"), None),
    (HOSPITAL["06040408"], None),
]
STAMCEL_PHASES = [  # phase, Erasmus's zorgproduct code, days, declared amount
    ("voortraject", "028899031", 28, "4125.60"),
    ("opname", "028899051", 35, "38410.00"),
    ("nazorg", "028899041", 90, "1875.35"),
]
STAMCEL_NAZORG = "028899041"


def stamcel_agreement(partner: str, since: str) -> dict[str, Any]:
    return agreement_of(
        f"erasmus-stamcel-{partner}",
        "Nazorg autologe stamceltransplantaties Erasmus MC",
        "verdeling_zorgpad",
        "optimaliseren",
        [ERASMUS, partner],
        since,
        None,
        [
            care_of(
                "nazorg-stamcel",
                codes=[STAMCEL_NAZORG],
                performing=partner,
                settlement=odv("erasmus-benchmark", "1.00"),
                pathway=[
                    {"phase": "voortraject", "at": ERASMUS},
                    {"phase": "opname", "at": ERASMUS},
                    {"phase": "nazorg", "at": partner},
                ],
            )
        ],
    )


ERASMUS_MC = Alliance(
    folder="erasmus-stamcel",
    agreement_id="erasmus-stamcel",
    name="Nazorg stamceltransplantaties Erasmus MC",
    category="verdeling_zorgpad",
    stage="optimaliseren",
    hospitals=[ERASMUS_H, *(h for h, _ in ERASMUS_PARTNERS)],
    care=[],
    prices={"erasmus-benchmark": {STAMCEL_NAZORG: "1875.35"}},
    agreements=[stamcel_agreement(h[0], since or "2020-01-01") for h, since in ERASMUS_PARTNERS],
    seed=33,
)


def erasmus_rows(w: Writer) -> None:
    """Per patient of a partner: Erasmus declares the three phase DBCs; the partner performs
    the aftercare at Erasmus's request (an ODV DBC) and the bureau records that transfer."""
    for n in range(24):
        partner = ERASMUS_PARTNERS[n % len(ERASMUS_PARTNERS)][0][0]
        patient, uzovi = w.patient()
        start = day(w.rng, date(YEAR, 1, 8), 150)
        declared: dict[str, dict[str, str]] = {}
        for phase, code, days, amount in STAMCEL_PHASES:
            dbc = own_dbc(w, ERASMUS, patient, code, start, days, "0313")
            dbc["diagnosis"] = phase
            w.declare(dbc, uzovi, amount, with_dbc_id=True)
            declared[phase] = dbc
            start += timedelta(days=days + 1)
        aftercare = declared["nazorg"]
        begin = date.fromisoformat(aftercare["start_date"])
        w.dbc(
            agb=partner,
            patient_ref=patient,
            zorgproduct_code=STAMCEL_NAZORG,
            start_date=begin.isoformat(),
            end_date=aftercare["end_date"],
            odv="true",
            requesting_agb=ERASMUS,
            primary_dbc_id=aftercare["dbc_id"],
            specialism="0313",
        )
        agreement_id = f"erasmus-stamcel-{partner}"
        # The bureau recorded the last patient's move as 'opname', a phase the pathway puts at
        # Erasmus MC: TRF-002 warns (every other transfer is the near miss).
        phase = "opname" if n == 23 else "nazorg"
        transfer_row(w, agreement_id, "nazorg-stamcel", patient, ERASMUS, partner, begin, phase)


BUILDERS = {
    "saxenburgh-zgt": saxenburgh_rows,
    "ukc-leiden-denhaag": ukc_rows,
    "borstcentrum-groningen": borst_rows,
    "vaatnetwerk-utrecht": vaatnetwerk_rows,
    "erasmus-stamcel": erasmus_rows,
}

# HartNet: five hospitals split cardiology pathways; each declares its own part, nothing is
# settled per DBC; the transformation money is pre-financed and shared.
HARTNET_H = [
    UMCG_H,
    MARTINI_H,
    ("06060602", "Ommelander Ziekenhuis Groningen", "algemeen"),
    ("06060603", "Treant", "algemeen"),
    ("06060604", "Wilhelmina Ziekenhuis Assen", "algemeen"),
]
HARTNET_AGBS = [h[0] for h in HARTNET_H]
HARTNET_CARE = [
    # care type, zorgproductgroep, regional diagnostics code, UMCG intervention code
    ("boezemfibrilleren", "979001", "979001011", "979001041"),
    ("aortaklepstenose", "979003", "979003011", "979003051"),
]
HARTNET = Alliance(
    folder="hartnet",
    agreement_id="hartnet",
    name="HartNet Noord-Nederland",
    category="verdeling_zorgpad",
    stage="optimaliseren",
    hospitals=HARTNET_H,
    care=[],
    prices={},
    insurers=[ZILVEREN_KRUIS, VGZ, CZ],
    agreements=[
        agreement_of(
            "hartnet",
            "HartNet Noord-Nederland: regionale organisatie cardiologische zorg",
            "verdeling_zorgpad",
            "optimaliseren",
            HARTNET_AGBS,
            "2018-01-01",
            None,
            [
                care_of(
                    care,
                    groups=[group],
                    performing=UMCG,
                    settlement=PARALLEL,
                    pathway=[
                        {"phase": "diagnostiek", "at": "home"},
                        {"phase": "interventie", "at": UMCG},
                        {"phase": "nazorg", "at": "home"},
                    ],
                )
                for care, group, _diagnostics, _intervention in HARTNET_CARE
            ],
            costs=[
                {
                    "cost_id": "transformatie-2024",
                    "description": "Transformatiegelden acht nieuwe zorgpaden 2024, "
                    "voorgeschoten door het UMCG",
                    "year": 2024,
                    "amount_eur": "150000.00",
                    "paid_by": UMCG,
                    "key": {agb: 1 for agb in HARTNET_AGBS},
                }
            ],
        )
    ],
    seed=66,
)


def hartnet_rows(w: Writer) -> None:
    """A regional hospital diagnoses and declares; the UMCG intervenes and declares that; the
    patient returns to the regional hospital for aftercare. No DBC is ODV."""
    for n in range(12):
        _care, _group, diagnostics_code, intervention_code = HARTNET_CARE[n % 2]
        home = HARTNET_AGBS[1 + n % 4]
        patient, uzovi = w.patient()
        start = day(w.rng, date(YEAR, 1, 8), 250)
        diagnostics = own_dbc(w, home, patient, diagnostics_code, start, 27, "0320")
        w.declare(diagnostics, uzovi, "845.10", with_dbc_id=True)
        intervention = own_dbc(
            w, UMCG, patient, intervention_code, start + timedelta(28), 20, "0320"
        )
        w.declare(intervention, uzovi, "11980.00", with_dbc_id=True)


BUILDERS["hartnet"] = hartnet_rows

# Oncomid: nine hospitals exchange high-volume oncology; doctors travel with their patients
# (shared care) and the hospitals charge each other for their hours; the common MDO portal is
# a cost shared by all.
UMCU = "06040409"
ONCOMID_AGBS = sorted(h[0] for h in ONCOMID_HOSPITALS)
ONCOMID_REGIONAL = [agb for agb in ONCOMID_AGBS if agb != UMCU]
ONCOMID_CARE = [
    # care type, zorgproductgroep, code, the hospital the care is concentrated in, specialism
    ("schildklier", "099899", "099899017", "06040402", "0303"),
    ("borst", "029699", "029699011", "22040410", "0303"),
    ("colon", "029899", "029899011", "06040401", "0303"),
    ("prostaat", "109899", "109899011", "06040403", "0306"),
]
ONCOMID_RATE = {
    "role": "medisch-specialist",
    "rate_eur": "170.00",
    "vat_rate": "0.00",
    "valid_from": "2024-01-01",
    "valid_to": None,
}
ONCOMID = Alliance(
    folder="oncomid",
    agreement_id="oncomid",
    name="Oncomid samenwerkingsovereenkomst",
    category="uitwisseling",
    stage="formaliseren",
    hospitals=ONCOMID_HOSPITALS,
    care=[],
    prices={},
    insurers=[ZILVEREN_KRUIS, VGZ, CZ],
    agreements=[
        agreement_of(
            "oncomid",
            "Oncomid samenwerkingsovereenkomst alle tumorsoorten (model RAKU)",
            "uitwisseling",
            "formaliseren",
            ONCOMID_AGBS,
            "2019-01-01",
            None,
            [
                care_of(care, groups=[group], performing=None, settlement=PARALLEL)
                for care, group, _code, _at, _specialism in ONCOMID_CARE
            ],
            secondment_rates=[ONCOMID_RATE],
            costs=[
                {
                    "cost_id": "mdo-portaal-2024",
                    "description": "Gemeenschappelijk MDO-portaal (Vitaly) 2024, betaald door "
                    "het UMC Utrecht",
                    "year": 2024,
                    "amount_eur": "40000.00",
                    "paid_by": UMCU,
                    "key": {agb: 1 for agb in ONCOMID_AGBS},
                }
            ],
        )
    ],
    seed=44,
)


def oncomid_hours(
    w: Writer, employer: str, host: str, when: date, care: str, specialism: str
) -> None:
    w.hours.append(
        {
            "hours_id": w.next_id("U"),
            "agreement_id": "oncomid",
            "employer_agb": employer,
            "host_agb": host,
            "role": "medisch-specialist",
            "work_date": when.isoformat(),
            "hours": w.rng.choice(["3.50", "5.00", "6.25", "8.00"]),
            "person_ref": pseudonym(f"oncomid-arts-{employer}", w.rng.randrange(1, 4)),
            "care_type": care,
            "specialism": specialism,
        }
    )


def oncomid_rows(w: Writer) -> None:
    """High-volume care: diagnostics and aftercare at the patient's own hospital, the
    intervention where the care is concentrated, each hospital declaring its own part; a UMC
    Utrecht surgeon travels along for every third. Low-volume care at the UMC Utrecht: the
    patient's own surgeon travels along (shared care)."""
    for n in range(16):
        care, _group, code, at, specialism = ONCOMID_CARE[n % 4]
        home = ONCOMID_REGIONAL[n % len(ONCOMID_REGIONAL)]
        if home == at:
            home = UMCU
        patient, uzovi = w.patient()
        start = day(w.rng, date(YEAR, 1, 8), 280)
        diagnostics = own_dbc(w, home, patient, code[:6] + "001", start, 20, specialism)
        w.declare(diagnostics, uzovi, "720.00", with_dbc_id=True)
        operated = start + timedelta(days=28)
        intervention = own_dbc(w, at, patient, code, operated, 30, specialism)
        w.declare(intervention, uzovi, "7450.00", with_dbc_id=True)
        if n % 3 == 0:
            oncomid_hours(w, UMCU, at, operated, care, specialism)
    for n in range(4):
        home = ONCOMID_REGIONAL[(2 * n + 1) % len(ONCOMID_REGIONAL)]
        patient, uzovi = w.patient()
        operated = day(w.rng, date(YEAR, 2, 1), 280)
        intervention = own_dbc(w, UMCU, patient, "029599011", operated, 30, "0303")
        w.declare(intervention, uzovi, "18300.00", with_dbc_id=True)
        oncomid_hours(w, home, UMCU, operated, "", "0303")


BUILDERS["oncomid"] = oncomid_rows

# Samen+: the hospital where the patient starts opens and declares the DBC; the hospital that
# only operates opens a background DBC, marks it ODV and closes it by hand; once a year the two
# settle those DBCs at benchmark prices. The surgeon of the patient's own hospital goes along
# and operates at the other (hours charged by the agreement's rate, VAT as the agreement says).
ALR_H = ("06010101", "Alrijne Ziekenhuis", "algemeen")
GHZ_H = ("06010102", "Groene Hart Ziekenhuis", "algemeen")
ALR, GHZ = ALR_H[0], GHZ_H[0]
SAMEN_PLUS_CARE = [
    # care type, codes, zorgproductgroepen, where it is operated, patients, hours a day
    ("rectumcarcinoom", [], ["029899"], ALR, 6, "6.50"),
    ("liesbreuk", ["131999061", "131999062"], [], ALR, 11, "2.00"),
    ("schildklier", ["099899017"], [], GHZ, 4, "3.25"),
    ("middenrifbreuk", [], ["131998"], GHZ, 4, "4.00"),
]
SAMEN_PLUS_PRICES = {
    "029899011": "11234.55",
    "131999061": "1999.00",
    "131999062": "2485.15",
    "099899017": "4310.10",
    "131998011": "3021.17",
}
SAMEN_PLUS_RATE = {
    "role": "medisch-specialist",
    "rate_eur": "160.00",
    "vat_rate": "0.21",
    "valid_from": "2024-01-01",
    "valid_to": None,
}
SAMEN_PLUS = Alliance(
    folder="samen-plus",
    agreement_id="samen-plus",
    name="Samen+",
    category="uitwisseling",
    stage="optimaliseren",
    hospitals=[ALR_H, GHZ_H],
    care=[],
    prices={"samen-plus-benchmark": SAMEN_PLUS_PRICES},
    insurers=[ZORG_EN_ZEKERHEID, VGZ],
    accounts={
        ALR: ("NL38BNGH0285012345", "Simon Smitweg 1, 2353 GA Leiderdorp"),
        GHZ: ("NL67INGB0006543210", "Bleulandweg 10, 2803 HH Gouda"),
    },
    agreements=[
        agreement_of(
            "samen-plus",
            "Samen+ samenwerkingsovereenkomst Alrijne en Groene Hart",
            "uitwisseling",
            "optimaliseren",
            [ALR, GHZ],
            "2014-01-01",
            None,
            [
                care_of(
                    care,
                    codes=codes,
                    groups=groups,
                    performing=at,
                    settlement=odv("samen-plus-benchmark", "1.00"),
                    pathway=[
                        {"phase": "diagnostiek", "at": "home"},
                        {"phase": "interventie", "at": at},
                        {"phase": "nazorg", "at": "home"},
                    ],
                )
                for care, codes, groups, at, _n, _hours in SAMEN_PLUS_CARE
            ],
            secondment_rates=[SAMEN_PLUS_RATE],
        )
    ],
    seed=11,
)


def insured_dbc(
    w: Writer, agb: str, patient: str, uzovi: str, code: str, start: date, end: date | None,
    specialism: str, **odv_fields: str,
) -> dict[str, str]:  # fmt: skip
    """A DBC carrying the insurer it is declared to (contract v2 ``uzovi``)."""
    return w.dbc(
        agb=agb,
        patient_ref=patient,
        zorgproduct_code=code,
        start_date=start.isoformat(),
        end_date=end.isoformat() if end else "",
        specialism=specialism,
        zorgtype="11",
        **odv_fields,
        uzovi=uzovi,
    )


def background(primary: dict[str, str], requesting: str) -> dict[str, str]:
    """The fields of an ODV DBC opened at ``requesting``'s request, naming its DBC."""
    return {"odv": "true", "requesting_agb": requesting, "primary_dbc_id": primary["dbc_id"]}


def secondment(
    w: Writer, agreement_id: str, employer: str, host: str, when: date, hours: str,
    care: str, specialism: str, person: str,
) -> None:  # fmt: skip
    w.hours.append(
        {
            "hours_id": w.next_id("U"),
            "agreement_id": agreement_id,
            "employer_agb": employer,
            "host_agb": host,
            "role": "medisch-specialist",
            "work_date": when.isoformat(),
            "hours": hours,
            "person_ref": person,
            "care_type": care,
            "specialism": specialism,
        }
    )


def samen_plus_rows(w: Writer) -> None:
    """Per patient: the outpatient track and the DBC at the hospital where the patient starts
    (declared there), the operation at the other hospital as a background ODV DBC closed by
    hand, the bureau's transfer, and the travelling surgeon's hours. A year's slips as the audit
    finds them: a background DBC declared too (ODV-001), a DBC declared twice (PAR-002), a
    patient's own DBC never declared (ODV-002), a background DBC not yet closed at year end
    (OPEN), and an operation recorded as done but postponed to 2025 (TRF-001)."""
    for care, codes, groups, at, patients, hours in SAMEN_PLUS_CARE:
        home = GHZ if at == ALR else ALR
        surgeons = [pseudonym(f"samen-plus-chirurg-{home}", n) for n in range(1, 3)]
        for n in range(patients):
            patient, uzovi = w.patient()
            code = codes[n % len(codes)] if codes else groups[0] + "011"
            start = day(w.rng, date(YEAR, 1, 8), 240)
            own = insured_dbc(w, home, patient, uzovi, code, start, start + timedelta(90), "0303")
            price = SAMEN_PLUS_PRICES[code]
            if not (care == "schildklier" and n == 1):  # ODV-002: Alrijne never declared it
                w.declare(own, uzovi, price, with_dbc_id=True)
            if care == "liesbreuk" and n == 2:  # PAR-002: Groene Hart declared it twice
                w.declare(own, uzovi, price, with_dbc_id=True)
            operated = start + timedelta(days=w.rng.randrange(14, 35))
            closed: date | None = operated + timedelta(days=w.rng.randrange(1, 6))
            if care == "liesbreuk" and n == patients - 1:  # OPEN: operated in late December
                operated, closed = date(YEAR, 12, 23), None
                own["end_date"] = ""
                w.declarations.pop()
            spread = insured_dbc(
                w, at, patient, uzovi, code, operated, closed, "0303", **background(own, home)
            )
            if care == "middenrifbreuk" and n == 0:  # ODV-001: Groene Hart declared it too
                w.declare(spread, uzovi, price, with_dbc_id=True)
            transfer_row(w, "samen-plus", care, patient, home, at, operated, "interventie")
            secondment(w, "samen-plus", home, at, operated, hours, care, "0303", surgeons[n % 2])
    # TRF-001: the bureau recorded an operation at Groene Hart as done; it was postponed to
    # 2025, so there is no background DBC (and no hours) in 2024.
    patient, uzovi = w.patient()
    start = date(YEAR, 10, 7)
    insured_dbc(w, ALR, patient, uzovi, "099899017", start, None, "0303")
    transfer_row(
        w, "samen-plus", "schildklier", patient, ALR, GHZ, date(YEAR, 11, 18), "interventie"
    )


BUILDERS["samen-plus"] = samen_plus_rows

# Amsterdam UMC & Flevoziekenhuis: Amsterdam UMC patients are operated at the Flevoziekenhuis
# in five specialisms; with Zilveren Kruis's consent both hospitals declare their own part
# (parallel); for the patients of other insurers the Flevoziekenhuis performs at Amsterdam UMC's
# request (an ODV DBC with the insurer) and is paid by the care type's ``otherwise`` terms.
# Amsterdam UMC doctors operating at the Flevoziekenhuis are seconded from their own hospital.
AMC_H = ("06020201", "Amsterdam UMC", "umc")
FLZ_H = ("06020202", "Flevoziekenhuis", "algemeen")
AMC, FLZ = AMC_H[0], FLZ_H[0]
OPEN_DIS = "nza-open-dis"
AMC_FLEVO_CARE = [
    # care type, zorgproductgroep, Amsterdam UMC's code, the Flevoziekenhuis's operation code,
    # specialism ("" = not guessed), patients, hours of the seconded doctor an operation,
    # the uitwerkingsovereenkomst's start, Zilveren Kruis's consent from, the otherwise terms,
    # planned patients in 2024
    ("chirurgie", "029899", "029899001", "029899011", "0303", 6, "3.00", "2009-01-01",
     "2022-01-01", odv(OPEN_DIS, "1.00"), 40),
    ("orthopedie", "131899", "131899011", "131899021", "0305", 6, "2.50", "2024-01-01",
     "2024-01-01", odv(OPEN_DIS, "1.00"), 30),
    ("gynaecologie", "079899", "079899001", "079899011", "0307", 6, "2.75", "2024-01-01",
     "2024-01-01", odv(OPEN_DIS, "1.00"), 30),
    ("plastische-chirurgie", "199299", "199299011", "199299031", "0304", 4, "3.50",
     "2024-01-01", "2024-01-01", odv(OPEN_DIS, "1.00"), 15),
    ("mond-kaakchirurgie", "039799", "039799011", "039799021", "", 4, "1.75", "2024-01-01",
     "2024-01-01", {"method": "fixed_fee", "fee_eur": "1150.00"}, 15),
]  # fmt: skip
AMC_FLEVO_PRICES = {
    "029899011": "9874.20",
    "131899021": "6840.50",
    "079899011": "2810.40",
    "199299031": "3395.75",
}
AMC_FLEVO_RATE = {
    "role": "medisch-specialist",
    "rate_eur": "175.00",
    "vat_rate": "0.00",
    "valid_from": "2024-01-01",
    "valid_to": None,
}
# Insurers of the patients in turn: half Zilveren Kruis.
AMC_FLEVO_INSURED = [ZILVEREN_KRUIS, VGZ, ZILVEREN_KRUIS, CZ, ZILVEREN_KRUIS, MENZIS]


def amc_flevo_agreement(
    care: str, group: str, specialism_from: str, consent_from: str, otherwise: dict[str, Any],
    planned: int,
) -> dict[str, Any]:  # fmt: skip
    return agreement_of(
        f"amc-flevo-{care}",
        f"Uitwerkingsovereenkomst {care} Amsterdam UMC & Flevoziekenhuis",
        "verdeling_zorgpad",
        "optimaliseren" if specialism_from < "2024" else "implementeren",
        [AMC, FLZ],
        specialism_from,
        None,
        [
            care_of(
                care,
                groups=[group],
                performing=FLZ,
                settlement=PARALLEL | {"otherwise": otherwise},
                consents=[
                    {"uzovi": ZILVEREN_KRUIS[0], "valid_from": consent_from, "valid_to": None}
                ],
                planned={str(YEAR): planned},
                pathway=[
                    {"phase": "diagnostiek", "at": "home"},
                    {"phase": "interventie", "at": FLZ},
                    {"phase": "nazorg", "at": "home"},
                ],
            )
        ],
        parent_id="amc-flevo-raam",
        secondment_rates=[AMC_FLEVO_RATE],
    )


AMSTERDAM_FLEVO = Alliance(
    folder="amsterdam-flevo",
    agreement_id="amc-flevo-raam",
    name="Samenwerking Amsterdam UMC & Flevoziekenhuis",
    category="verdeling_zorgpad",
    stage="optimaliseren",
    hospitals=[AMC_H, FLZ_H],
    care=[],
    prices={OPEN_DIS: AMC_FLEVO_PRICES},
    accounts={
        AMC: ("NL54ABNA0451234567", "Meibergdreef 9, 1105 AZ Amsterdam"),
        FLZ: ("NL81RABO0312345678", "Hospitaalweg 1, 1315 RA Almere"),
    },
    agreements=[
        agreement_of(
            "amc-flevo-raam",
            "Raamovereenkomst Samenwerking Amsterdam UMC & Flevoziekenhuis",
            "verdeling_zorgpad",
            "optimaliseren",
            [AMC, FLZ],
            "2009-01-01",
            None,
            [],
        ),
        *(
            amc_flevo_agreement(care, group, since, consent, otherwise, planned)
            for care, group, _a, _f, _s, _n, _h, since, consent, otherwise, planned in AMC_FLEVO_CARE
        ),
    ],
    seed=22,
)


def amsterdam_flevo_rows(w: Writer) -> None:
    """Per patient: diagnostics at Amsterdam UMC, declared there; the operation at the
    Flevoziekenhuis, declared by it for a Zilveren Kruis patient (consent) and otherwise an ODV
    DBC with the patient's insurer, which Amsterdam UMC pays by the otherwise terms; three
    operations in four by the patient's own Amsterdam UMC doctor, seconded (hours). One slip: the Flevoziekenhuis declared a VGZ patient's operation itself,
    as if VGZ had consented (PAR-001)."""
    for care, _group, amc_code, flz_code, specialism, patients, hours, *_rest in AMC_FLEVO_CARE:
        doctors = [pseudonym(f"amc-flevo-{care}", n) for n in range(1, 3)]
        for n in range(patients):
            patient, _ = w.patient()
            uzovi = AMC_FLEVO_INSURED[n % len(AMC_FLEVO_INSURED)][0]
            start = day(w.rng, date(YEAR, 1, 8), 240)
            own = insured_dbc(
                w, AMC, patient, uzovi, amc_code, start, start + timedelta(70), specialism
            )
            w.declare(own, uzovi, "1480.00", with_dbc_id=True)
            operated = start + timedelta(days=w.rng.randrange(14, 35))
            closed = operated + timedelta(days=w.rng.randrange(1, 10))
            declares = uzovi == ZILVEREN_KRUIS[0] or (care == "orthopedie" and n == 1)
            fields = {} if declares else background(own, AMC)
            operation = insured_dbc(
                w, FLZ, patient, uzovi, flz_code, operated, closed, specialism, **fields
            )
            if declares:
                w.declare(operation, uzovi, "4120.00", with_dbc_id=True)
            if n % 4 != 3:
                secondment(
                    w,
                    f"amc-flevo-{care}",
                    AMC,
                    FLZ,
                    operated,
                    hours,
                    care,
                    specialism,
                    doctors[n % 2],
                )


BUILDERS["amsterdam-flevo"] = amsterdam_flevo_rows

ALLIANCES = [
    SAMEN_PLUS, AMSTERDAM_FLEVO, ERASMUS_MC, ONCOMID, SAXENBURGH_ZGT, HARTNET, UKC, BORST,
    VAATNETWERK,
]  # fmt: skip


def vaatnetwerk_audit_cases(w: Writer) -> None:
    """An agreement still in 'verkennen' binds nothing: no PAR-001, but PAR-003 warns."""
    p, uzovi = w.patient()
    for agb, start in (("06040409", "2024-03-04"), ("06040401", "2024-03-11")):
        d = w.dbc(
            agb=agb,
            patient_ref=p,
            zorgproduct_code="089799011",
            start_date=start,
            end_date="2024-04-30",
        )
        w.declare(d, uzovi, "12040.00", with_dbc_id=True)


def build(root: Path = HERE) -> list[Path]:
    written = []
    for alliance in ALLIANCES:
        writer = Writer(alliance)
        if alliance.folder in BUILDERS:
            BUILDERS[alliance.folder](writer)
        else:
            writer.care_pathways()
        folder = root / alliance.folder
        writer.write(folder)
        written.append(folder)
    return written


if __name__ == "__main__":
    for path in build():
        print(path)
