"""Which care types cover a zorgproduct, and whether their agreement binds the hospitals: written
once, for the settlement (docs/data-format.md §3 step 2) and the audit (§4: PAR-001, PAR-003).

A care type covers a zorgproduct code when the code is one of its ``zorgproduct_codes`` or the
code's first six digits, its zorgproductgroep, are one of its ``zorgproductgroepen``. Its
agreement binds from ``valid_from`` to ``valid_to`` (open: no end), once it is past the stage
``verkennen`` (exploring: nothing is binding yet), and only the hospitals that are its parties.

Worked example, from ``samples/samen-plus``: agreement ``samen-plus-liesbreuk-2024`` (stage
``implementeren``, 2024-01-01 to 2025-12-31, parties 06010101 and 06010102) has care types
``liesbreuk`` (codes 131999061, 131999062) and ``middenrifbreuk`` (zorgproductgroep 131998).
``covering`` pairs code 131999061 with ``liesbreuk``, 131998005 with ``middenrifbreuk`` and
131997001 with neither; ``in_force`` holds on 2024-01-01 and on 2025-12-31, not on 2023-12-31
nor 2026-01-01; ``parties`` holds for 06010102 and not for any hospital outside the two.

Everything is vectorised: the care types become flat frames once (``care_types``), and a
column of codes meets them in one join over its distinct codes, never in a loop per care type.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from spreiding.domain.agreements import Agreement, SettlementTerms
from spreiding.domain.money import format_share, share_fraction

OPEN_END = np.datetime64("9999-12-31", "s")
TERMS = [
    "agreement_id", "care_type", "valid_from", "valid_to", "performing_agb", "method",
    "settle_method", "price_list", "fee_cents", "share_num", "share_den", "share_text",
    "price_start", "above_num", "above_den", "above_text",
]  # fmt: skip


@dataclass(frozen=True)
class CareTypes:
    """The care types of the binding agreements, numbered ``ct`` = 0, 1, ... in agreement order.

    ``terms``: one row per care type (position ``ct``), columns ``TERMS``; ``performing_agb``
    and ``price_list`` are "" when absent, a share is an exact fraction ``share_num /
    share_den``. The price list, fee, shares, ``price_start`` (v2 ``price_year: "start"``) and
    ``settle_method`` are those of the terms a line of the care type is settled by: the care
    type's own, or for a ``parallel`` care type its ``otherwise`` terms (``settle_method`` ""
    when it has none: nothing of it is ever settled). ``above_*``: the share past the ceiling
    (the share itself where there is no ceiling). ``ceilings`` (ct, year, ceiling): v2 ceilings
    of those terms. ``codes`` (ct, code) and ``groups`` (ct, group): what each care type covers.
    ``consents`` (ct, uzovi, valid_from, valid_to): the insurers' consents to parallel
    declaration, only of care types settled ``parallel`` (where such a consent means something).
    """

    terms: pd.DataFrame
    codes: pd.DataFrame
    groups: pd.DataFrame
    consents: pd.DataFrame
    ceilings: pd.DataFrame
    agreement_of: np.ndarray  # per care type: its agreement's row in ``party_of``
    hospitals: pd.Index  # every party AGB; column h of ``party_of`` is ``hospitals[h]``
    party_of: np.ndarray  # bool [agreement, hospital]; one more column, never a party
    party_agreement: np.ndarray  # the (agreement, hospital) pairs of ``party_of``, sorted
    party_hospital: np.ndarray

    def __len__(self) -> int:
        return len(self.terms)


def care_types(agreements: Sequence[Agreement]) -> CareTypes:
    """The care types of every agreement past ``verkennen``, as flat frames."""
    binding = [a for a in agreements if a.stage != "verkennen"]  # exploring: nothing binds
    rows: list[dict[str, object]] = []
    codes: list[tuple[int, str]] = []
    groups: list[tuple[int, str]] = []
    consents: list[tuple[int, str, np.datetime64, np.datetime64]] = []
    ceilings: list[tuple[int, int, int]] = []
    agreement_of: list[int] = []
    for number, agreement in enumerate(binding):
        for care in agreement.care_types:
            ct = len(rows)
            own = care.settlement
            # A parallel care type settles only through its ``otherwise`` terms (§3 step 4).
            terms = own.otherwise if own.method == "parallel" else own
            rows.append(
                {
                    "agreement_id": agreement.agreement_id,
                    "care_type": care.care_type,
                    "valid_from": np.datetime64(agreement.valid_from, "s"),
                    "valid_to": _end(agreement.valid_to),
                    "performing_agb": care.performing_agb or "",
                    "method": own.method,
                }
                | _settling(terms)
            )
            if terms is not None and terms.method == "odv_benchmark":
                ceilings += [(ct, year, count) for year, count in terms.ceiling]
            agreement_of.append(number)
            codes += [(ct, code) for code in care.zorgproduct_codes]
            groups += [(ct, group) for group in care.zorgproductgroepen]
            if own.method == "parallel":
                consents += [
                    (ct, c.uzovi, np.datetime64(c.valid_from, "s"), _end(c.valid_to))
                    for c in care.parallel_consents
                ]
    hospitals = pd.Index(sorted({agb for a in binding for agb in a.parties}), dtype="str")
    party_of = np.zeros((len(binding), len(hospitals) + 1), dtype=bool)
    for number, agreement in enumerate(binding):
        party_of[number, hospitals.get_indexer(pd.Index(agreement.parties, dtype="str"))] = True
    party_agreement, party_hospital = np.nonzero(party_of)
    terms_frame = pd.DataFrame(rows, columns=TERMS).astype(
        {
            "fee_cents": "int64",
            "share_num": "int64",
            "share_den": "int64",
            "price_start": "bool",
            "above_num": "int64",
            "above_den": "int64",
        }
    )
    return CareTypes(
        terms=terms_frame.astype({"valid_from": "datetime64[s]", "valid_to": "datetime64[s]"}),
        codes=pd.DataFrame(codes, columns=["ct", "code"]).astype({"ct": "int64", "code": "str"}),
        groups=pd.DataFrame(groups, columns=["ct", "group"]).astype(
            {"ct": "int64", "group": "str"}
        ),
        consents=pd.DataFrame(consents, columns=["ct", "uzovi", "valid_from", "valid_to"]).astype(
            {
                "ct": "int64",
                "uzovi": "str",
                "valid_from": "datetime64[s]",
                "valid_to": "datetime64[s]",
            }
        ),
        ceilings=pd.DataFrame(ceilings, columns=["ct", "year", "ceiling"]).astype("int64"),
        agreement_of=np.array(agreement_of, dtype="int64"),
        hospitals=hospitals,
        party_of=party_of,
        party_agreement=party_agreement.astype("int64"),
        party_hospital=party_hospital.astype("int64"),
    )


def covering(
    care: CareTypes, codes: pd.Series, hospitals: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Every (position, ct) where care type ``ct`` covers ``codes.iloc[position]`` and, given
    ``hospitals`` (``hospital_numbers``), its agreement has ``hospitals[position]`` as a party;
    ordered by position, then ct. The join runs over the distinct codes (and hospitals), then
    fans out to the rows: a row meets only the care types that can concern it."""
    inverse, distinct = _distinct(codes)
    code_of, ct_of = _covered(care, distinct)
    if hospitals is None:
        position, found = _fan_out(inverse, code_of)
        return position, ct_of[found]
    # Each (code, ct) once per party of ct's agreement, keyed by (code, hospital).
    entry, party = _fan_out(care.agreement_of[ct_of], care.party_agreement)
    width = len(care.hospitals) + 1
    key = code_of[entry] * width + care.party_hospital[party]
    ct = ct_of[entry]
    order = np.lexsort((ct, key))
    position, found = _fan_out(inverse * width + hospitals, key[order])
    return position, ct[order][found]


def covers(care: CareTypes, ct: np.ndarray, codes: pd.Series) -> np.ndarray:
    """Per row i: care type ``ct[i]`` covers ``codes.iloc[i]``."""
    inverse, distinct = _distinct(codes)
    code_of, ct_of = _covered(care, distinct)
    size = max(len(care), 1)
    return np.isin(inverse * size + ct, code_of * size + ct_of)


def in_force(care: CareTypes, ct: np.ndarray, first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Per row i: the agreement of care type ``ct[i]`` is in force on every day from
    ``first[i]`` to ``last[i]`` (a validity is one interval, so both ends suffice)."""
    return _within(
        care.terms["valid_from"].to_numpy()[ct], care.terms["valid_to"].to_numpy()[ct], first, last
    )


def hospital_numbers(care: CareTypes, agbs: pd.Series | np.ndarray) -> np.ndarray:
    """Each AGB as its column in ``care.party_of`` (a hospital that is no party anywhere: the
    column that is never a party). Numbered once per row, then looked up per care type."""
    values = pa.array(pd.Series(agbs, dtype="str", copy=False), type=pa.string())
    found = pc.index_in(values, value_set=pa.array(care.hospitals.to_numpy(), type=pa.string()))
    return found.fill_null(len(care.hospitals)).to_numpy().astype("int64")


def parties(care: CareTypes, ct: np.ndarray, hospital: np.ndarray) -> np.ndarray:
    """Per row i: hospital number ``hospital[i]`` (``hospital_numbers``) is a party of the
    agreement of care type ``ct[i]``."""
    return np.asarray(care.party_of[care.agreement_of[ct], hospital], dtype=bool)


def consented(
    care: CareTypes, ct: np.ndarray, uzovi: np.ndarray, first: np.ndarray, last: np.ndarray
) -> np.ndarray:
    """Per row i: insurer ``uzovi[i]`` consented to parallel declaration under care type
    ``ct[i]`` on every day from ``first[i]`` to ``last[i]``."""
    rows = pd.DataFrame({"row": np.arange(len(ct), dtype="int64"), "ct": ct}).merge(
        care.consents, on="ct"
    )
    row = rows["row"].to_numpy("int64")
    ok = (rows["uzovi"].to_numpy() == uzovi[row]) & _within(
        rows["valid_from"].to_numpy(), rows["valid_to"].to_numpy(), first[row], last[row]
    )
    found = np.zeros(len(ct), dtype=bool)
    found[row[ok]] = True
    return found


def _settling(terms: SettlementTerms | None) -> dict[str, object]:
    """The TERMS columns of the terms a care type's lines are settled by (None: none)."""
    if terms is None:
        return {
            "settle_method": "", "price_list": "", "fee_cents": 0, "share_num": 1,
            "share_den": 1, "share_text": "1.00", "price_start": False, "above_num": 1,
            "above_den": 1, "above_text": "1.00",
        }  # fmt: skip
    num, den, share_text = 1, 1, "1.00"
    above_num, above_den, above_text = 1, 1, "1.00"
    if terms.method == "odv_benchmark":
        assert terms.share is not None
        num, den = share_fraction(terms.share)
        share_text = format_share(terms.share)
        above = terms.share_above_ceiling if terms.ceiling else None
        above_num, above_den = (num, den) if above is None else share_fraction(above)
        above_text = share_text if above is None else format_share(above)
    return {
        "settle_method": terms.method,
        "price_list": terms.price_list or "",
        "fee_cents": terms.fee_cents or 0,
        "share_num": num,
        "share_den": den,
        "share_text": share_text,
        "price_start": terms.price_year == "start",
        "above_num": above_num,
        "above_den": above_den,
        "above_text": above_text,
    }


def _end(day: date | None) -> np.datetime64:
    return OPEN_END if day is None else np.datetime64(day, "s")


def _within(
    valid_from: np.ndarray, valid_to: np.ndarray, first: np.ndarray, last: np.ndarray
) -> np.ndarray:
    return np.asarray((valid_from <= first) & (last <= valid_to), dtype=bool)


def _fan_out(keys: np.ndarray, table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (i, j) where ``keys[i] == table[j]``, for a sorted ``table``; ordered by i, then
    j. A join of integer keys without hashing: each key's matches are one run of ``table``."""
    first, count = runs(keys, table)
    position = np.repeat(np.arange(len(keys), dtype="int64"), count)
    offset = np.arange(len(position), dtype="int64") - np.repeat(np.cumsum(count) - count, count)
    return position, np.repeat(first, count) + offset


def runs(keys: np.ndarray, table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per key: where its run in the sorted ``table`` starts, and how long it is. Where the
    keys are small non-negative numbers (a code's and a hospital's number), each possible key
    is looked up once and the rows gather the answer: two binary searches per row otherwise."""
    if len(keys) and len(table) and keys.min() >= 0:
        size = int(max(keys.max(), table.max())) + 1
        if size <= max(len(keys), 1 << 16):
            every = np.arange(size, dtype=table.dtype)
            starts = np.searchsorted(table, every, side="left")
            counts = np.searchsorted(table, every, side="right") - starts
            return starts[keys], counts[keys]
    first = np.searchsorted(table, keys, side="left")
    return first, np.searchsorted(table, keys, side="right") - first


def _distinct(codes: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Per row the number of its code among the distinct codes, and those codes."""
    inverse, distinct = pd.factorize(
        pd.Series(codes, dtype="str").reset_index(drop=True), use_na_sentinel=False
    )
    return inverse.astype("int64"), pd.Series(distinct, dtype="str")


def _covered(care: CareTypes, distinct: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Every (distinct code u, ct) where ct covers ``distinct[u]``: by code or by group,
    once each, ordered by u, then ct."""
    frame = pd.DataFrame(
        {"u": np.arange(len(distinct), dtype="int64"), "code": distinct.to_numpy()}
    ).assign(group=distinct.str.slice(0, 6).to_numpy())
    found = pd.concat(
        [
            frame.merge(care.codes, on="code")[["u", "ct"]],
            frame.merge(care.groups, on="group")[["u", "ct"]],
        ],
        ignore_index=True,
    ).drop_duplicates()
    code_of = found["u"].to_numpy("int64")
    ct_of = found["ct"].to_numpy("int64")
    order = np.lexsort((ct_of, code_of))
    return code_of[order], ct_of[order]
