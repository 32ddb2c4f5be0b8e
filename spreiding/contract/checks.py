"""The rules of each file of docs/data-format.md §1, one ``check_<file>`` each, over a ``Rows``.

Example: ``check_dbcs`` flags an ODV DBC without a requesting hospital as ``dbcs.csv:14:
requesting_agb: required when odv is true``.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from spreiding.contract.ranks import among, pair_codes
from spreiding.contract.rows import Rows, isin, key
from spreiding.domain import identifiers
from spreiding.domain.agreements import PHASES, Agreement

KINDS = ("umc", "topklinisch", "algemeen", "zbc")
STATUSES = ("planned", "performed", "cancelled")


def check_hospitals(rows: Rows) -> None:
    rows.required("agb", "name", "kind")
    rows.code("agb", identifiers.agb)
    rows.choice("kind", KINDS)
    # v2: the account a hospital is paid on; ``address`` is free text (street, postcode, town).
    rows.identifier("iban", identifiers.iban)
    rows.unique("agb")


def check_insurers(rows: Rows) -> None:
    rows.required("uzovi", "name")
    rows.code("uzovi", identifiers.uzovi)
    rows.unique("uzovi")


def check_prices(rows: Rows) -> None:
    rows.required("price_list", "year", "zorgproduct_code", "price_eur")
    year = rows["year"]
    rows.flag(
        rows.present("year") & ~year.str.fullmatch(r"[0-9]{4}").fillna(False).astype(bool),
        "year",
        lambda row: f"{row['year']!r} is not a year YYYY",
    )
    rows.code("zorgproduct_code", identifiers.zorgproduct)
    rows.money("price_eur", negative_allowed=False)
    rows.no_formula("price_list")
    rows.unique("price_list", "year", "zorgproduct_code")


def check_patient(rows: Rows) -> None:
    rows.no_bsn("patient_ref")
    rows.no_formula("patient_ref")


def check_dbcs(rows: Rows, hospitals: set[str] | None, insurers: set[str] | None = None) -> None:
    rows.required("dbc_id", "agb", "patient_ref", "zorgproduct_code", "start_date", "odv")
    rows.reference("agb", hospitals, "hospitals.csv", shaped=rows.code("agb", identifiers.agb))
    check_patient(rows)
    rows.code("zorgproduct_code", identifiers.zorgproduct)
    start = rows.date("start_date")
    end = rows.date("end_date")
    rows.flag(
        end < start,
        "end_date",
        lambda row: f"{row['end_date']} is before start_date {row['start_date']}",
    )
    rows.boolean("odv")
    odv = rows["odv"] == "true"
    not_odv = rows["odv"] == "false"
    requesting = rows.present("requesting_agb")
    rows.flag(odv & ~requesting, "requesting_agb", "required when odv is true")
    rows.flag(not_odv & requesting, "requesting_agb", "must be empty when odv is false")
    rows.flag(
        not_odv & rows.present("primary_dbc_id"),
        "primary_dbc_id",
        "must be empty when odv is false",
    )
    rows.reference(
        "requesting_agb",
        hospitals,
        "hospitals.csv",
        shaped=rows.code("requesting_agb", identifiers.agb),
    )
    rows.flag(
        requesting & (rows["requesting_agb"] == rows["agb"]),
        "requesting_agb",
        lambda row: (
            f"{row['requesting_agb']} is the DBC's own hospital; ODV is care performed "
            "at another hospital's request"
        ),
    )
    rows.code("specialism", identifiers.specialism)
    # v2: the insurer the patient's care is declared to (per-insurer consent, §3 step 4).
    rows.reference("uzovi", insurers, "insurers.csv", shaped=rows.code("uzovi", identifiers.uzovi))
    rows.no_formula("dbc_id", "primary_dbc_id")
    primary = rows.present("primary_dbc_id") & requesting
    named = primary.to_numpy()
    # The keys of the DBCs and of the primary DBCs they name, as integers on one scale.
    pairs = [(rows["agb"], rows["dbc_id"])]
    if named.any():
        pairs.append((rows["requesting_agb"][named], rows["primary_dbc_id"][named]))
    codes = pair_codes(pairs)
    rows.unique("agb", "dbc_id", codes=None if codes is None else codes[0])
    missing = pd.Series(False, index=primary.index)
    if named.any():
        # Only the rows that name a primary DBC are looked up.
        if codes is not None:
            found = among(codes[1], codes[0])
        else:
            wanted = key(rows["requesting_agb"][named], rows["primary_dbc_id"][named])
            found = isin(wanted, key(rows["agb"], rows["dbc_id"])).to_numpy()
        missing[named] = ~found
    rows.flag(
        missing,
        "primary_dbc_id",
        lambda row: (
            f"no DBC {row['primary_dbc_id']} of hospital {row['requesting_agb']} in dbcs.csv"
        ),
    )


def check_declarations(
    rows: Rows,
    hospitals: set[str] | None,
    insurers: set[str] | None,
    dbc_keys: pd.Series | None,
) -> None:
    rows.required(
        "declaration_id",
        "agb",
        "uzovi",
        "patient_ref",
        "zorgproduct_code",
        "start_date",
        "end_date",
        "amount_eur",
        "declared_on",
    )
    rows.reference("agb", hospitals, "hospitals.csv", shaped=rows.code("agb", identifiers.agb))
    rows.reference("uzovi", insurers, "insurers.csv", shaped=rows.code("uzovi", identifiers.uzovi))
    check_patient(rows)
    rows.code("zorgproduct_code", identifiers.zorgproduct)
    start = rows.date("start_date")
    end = rows.date("end_date")
    rows.flag(
        end < start,
        "end_date",
        lambda row: f"{row['end_date']} is before start_date {row['start_date']}",
    )
    rows.money("amount_eur", negative_allowed=True)
    rows.date("declared_on")
    rows.flag(
        rows.present("declaratiecode") & (rows["declaratiecode"].str.len() != 6),
        "declaratiecode",
        lambda row: f"{row['declaratiecode']!r} is not a declaratiecode of 6 characters",
    )
    rows.no_formula("declaration_id", "dbc_id")
    rows.unique("declaration_id")
    if dbc_keys is not None:
        # Looked up for the lines that name a DBC only (often none: ten million lines without
        # one spent about 2 s building and looking up keys of empty values).
        unknown = rows.present("dbc_id")
        if unknown.any():
            named = rows.frame.loc[unknown]
            unknown.loc[unknown] = ~isin(key(named["agb"], named["dbc_id"]), dbc_keys)
        rows.flag(
            unknown,
            "dbc_id",
            lambda row: f"no DBC {row['dbc_id']} of hospital {row['agb']} in dbcs.csv",
        )


def check_transfers(
    rows: Rows,
    hospitals: set[str] | None,
    agreements: list[Agreement],
    agreement_ids: set[str] | None,
) -> None:
    rows.required(
        "transfer_id",
        "agreement_id",
        "care_type",
        "patient_ref",
        "from_agb",
        "to_agb",
        "transfer_date",
        "status",
    )
    check_patient(rows)
    _agreement_references(
        rows, hospitals, agreements, agreement_ids, parties=("from_agb", "to_agb")
    )
    rows.flag(
        rows.present("to_agb") & (rows["from_agb"] == rows["to_agb"]),
        "to_agb",
        "a transfer must go to another hospital than it comes from",
    )
    rows.date("transfer_date")
    rows.choice("status", STATUSES)
    rows.choice("phase", PHASES)
    rows.no_formula("transfer_id", "agreement_id", "care_type")
    rows.unique("transfer_id")


def check_hours(
    rows: Rows,
    hospitals: set[str] | None,
    agreements: list[Agreement],
    agreement_ids: set[str] | None,
) -> None:
    """v2 ``hours.csv`` (contract §5): hours a hospital's staff worked at another party of an
    agreement. Example: ``hours.csv:3: hours: 25 is more than 24 hours in a day``."""
    rows.required(
        "hours_id", "agreement_id", "employer_agb", "host_agb", "role", "work_date", "hours"
    )
    _agreement_references(
        rows, hospitals, agreements, agreement_ids, parties=("employer_agb", "host_agb")
    )
    rows.flag(
        rows.present("host_agb") & (rows["employer_agb"] == rows["host_agb"]),
        "host_agb",
        "the host must be another hospital than the employer",
    )
    rows.date("work_date")
    rows.hours("hours")
    rows.no_bsn("person_ref")
    rows.code("specialism", identifiers.specialism)
    rows.no_formula("hours_id", "agreement_id", "role", "person_ref", "care_type")
    rows.unique("hours_id")


def _agreement_references(
    rows: Rows,
    hospitals: set[str] | None,
    agreements: list[Agreement],
    agreement_ids: set[str] | None,
    *,
    parties: tuple[str, str],
) -> None:
    """A row under an agreement: the agreement is known, its ``care_type`` (when given) is one
    of the agreement's, and the hospitals in ``parties`` are known and parties of it."""
    by_id = {a.agreement_id: a for a in agreements}
    rows.reference(
        "agreement_id", agreement_ids, "agreements.json", shaped=rows.present("agreement_id")
    )
    known_agreement = isin(rows["agreement_id"], by_id)
    care_keys = {f"{a.agreement_id}\x1f{c.care_type}" for a in agreements for c in a.care_types}
    rows.flag(
        known_agreement
        & rows.present("care_type")
        & ~isin(key(rows["agreement_id"], rows["care_type"]), care_keys),
        "care_type",
        lambda row: f"{row['care_type']!r} is not a care type of agreement {row['agreement_id']}",
    )
    party_keys = {f"{a.agreement_id}\x1f{p}" for a in agreements for p in a.parties}
    for column in parties:
        ok = rows.code(column, identifiers.agb)
        rows.reference(column, hospitals, "hospitals.csv", shaped=ok)
        if hospitals is not None:
            ok &= isin(rows[column], hospitals)
        rows.flag(
            ok & known_agreement & ~isin(key(rows["agreement_id"], rows[column]), party_keys),
            column,
            _not_a_party(column),
        )


def _not_a_party(column: str) -> Callable[[pd.Series], str]:
    return lambda row: f"{row[column]} is not a party of agreement {row['agreement_id']}"
