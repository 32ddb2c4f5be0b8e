"""The transfer rules: TRF-001, a transfer the alliance bureau registered as performed with no
ODV DBC after it; TRF-002, a transfer for a phase the split care pathway puts elsewhere.

Example: transfer T1 moves a patient from Alrijne to Groene Hart, performed 2024-03-01; Groene
Hart has no ODV DBC at Alrijne's request for that patient open on that day: TRF-001 on T1, the
care is not settled.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from settlement.audit.findings import WARNING, AuditInput, Finding, day_text
from spreiding.domain.agreements import HOME
from spreiding.domain.dataset import sort_rows


def check_trf_001(data: AuditInput) -> list[Finding]:
    """A performed transfer with no ODV DBC at the receiving hospital: income not settled."""
    transfers = data.transfers
    assert transfers is not None
    performed = transfers.loc[
        (transfers["status"] == "performed").to_numpy() & data.in_year(transfers["transfer_date"])
    ]
    dbcs = data.dbcs.loc[
        data.dbcs["odv"].to_numpy(dtype=bool),
        ["agb", "requesting_agb", "patient_ref", "start_date", "end_date"],
    ]
    joined = performed.merge(
        dbcs.rename(columns={"agb": "to_agb", "requesting_agb": "from_agb"}),
        on=["to_agb", "from_agb", "patient_ref"],
    )
    inside = (joined["start_date"] <= joined["transfer_date"]) & (
        joined["end_date"].isna() | (joined["transfer_date"] <= joined["end_date"])
    )
    matched = set(joined.loc[inside.to_numpy(), "transfer_id"])
    return [
        Finding(
            "TRF-001",
            WARNING,
            row["to_agb"],
            None,
            None,
            None,
            row["transfer_id"],
            (),
            None,
            f"Transfer {row['transfer_id']} of a patient from {row['from_agb']} to {row['to_agb']} "
            f"({row['agreement_id']}, {row['care_type']}) was performed on "
            f"{day_text(row['transfer_date'])}, but {row['to_agb']} has no ODV DBC for this "
            f"patient at the request of {row['from_agb']} covering that date. Open and close the "
            "ODV DBC so the care is settled.",
        )
        for row in performed.to_dict("records")
        if row["transfer_id"] not in matched
    ]


def check_trf_002(data: AuditInput) -> list[Finding]:
    """A performed transfer for a phase the care type's split pathway puts at another hospital.

    Example: a ``liesbreuk`` pathway puts ``nazorg`` at ``home``; the patient's first transfer
    T1 went from Alrijne (06010001) to Groene Hart (06010002), so home is Alrijne. A later
    transfer T2 of that patient from Groene Hart to 06010003 for ``nazorg``, performed in Y:
    TRF-002 on T2, at 06010003. The agreement names where each phase happens (docs/data-format.md §1
    ``pathway``); care moved elsewhere is care the agreement does not describe.
    """
    transfers = data.transfers
    assert transfers is not None
    # Where each phase of each pathway happens: a party's AGB, or HOME.
    places: dict[tuple[str, str, str], list[str]] = {}
    for agreement in data.agreements:
        for care in agreement.care_types:
            for step in care.pathway:
                key = (agreement.agreement_id, care.care_type, step.phase)
                places.setdefault(key, []).append(step.at)
    with_pathway = pd.DataFrame(
        sorted({(agreement_id, care_type) for agreement_id, care_type, _ in places}),
        columns=["agreement_id", "care_type"],
        dtype="str",
    )
    candidates = transfers.loc[
        (transfers["status"] == "performed").to_numpy()
        & data.in_year(transfers["transfer_date"])
        & transfers["phase"].notna().to_numpy()
    ].merge(with_pathway, on=["agreement_id", "care_type"])
    if candidates.empty:
        return []
    # Home: the from_agb of the patient's earliest transfer under the same agreement and care
    # type that was not cancelled (by date, then id), whatever its year or phase.
    patient = ["agreement_id", "care_type", "patient_ref"]
    first = sort_rows(
        transfers.loc[(transfers["status"] != "cancelled").to_numpy()],
        [*patient, "transfer_date", "transfer_id"],
    ).drop_duplicates(patient)[[*patient, "from_agb", "transfer_id"]]
    candidates = candidates.merge(
        first.rename(columns={"from_agb": "home_agb", "transfer_id": "home_transfer_id"}),
        on=patient,
        how="left",
    )
    # A candidate is where its pathway puts it when one step of its phase resolves to to_agb.
    steps = pd.DataFrame(
        [(a, c, phase, at) for (a, c, phase), ats in places.items() for at in ats],
        columns=["agreement_id", "care_type", "phase", "at"],
        dtype="str",
    )
    placed = candidates[["transfer_id", *patient[:2], "phase", "to_agb", "home_agb"]].merge(
        steps, on=["agreement_id", "care_type", "phase"]
    )
    at = placed["at"].to_numpy(dtype=object)
    resolved = np.where(at == HOME, placed["home_agb"].to_numpy(dtype=object), at)
    fine = set(placed.loc[resolved == placed["to_agb"].to_numpy(dtype=object), "transfer_id"])
    flagged = candidates.loc[~candidates["transfer_id"].isin(fine).to_numpy()]
    # Plain Python values column by column: far cheaper than ``to_dict`` on Arrow strings.
    names = ["transfer_id", "agreement_id", "care_type", "phase", "from_agb", "to_agb",
             "home_agb", "home_transfer_id"]  # fmt: skip
    columns = {name: flagged[name].astype(object).tolist() for name in names}
    columns["day"] = flagged["transfer_date"].dt.strftime("%Y-%m-%d").tolist()
    return [
        Finding(
            "TRF-002",
            WARNING,
            row["to_agb"],
            None,
            None,
            None,
            row["transfer_id"],
            (),
            None,
            _trf_002_message(
                row, places.get((row["agreement_id"], row["care_type"], row["phase"]), [])
            ),
        )
        for row in (
            dict(zip(columns, values, strict=True))
            for values in zip(*columns.values(), strict=True)
        )
    ]


def _trf_002_message(row: dict[str, Any], at: list[str]) -> str:
    def where(place: str) -> str:
        if place != HOME:
            return place
        return (
            f"the patient's home hospital {row['home_agb']} (where transfer "
            f"{row['home_transfer_id']} started)"
        )

    if at:
        places = " and ".join(dict.fromkeys(where(place) for place in at))
        pathway = f"the pathway puts {row['phase']} at {places}"
    else:
        pathway = f"the pathway has no {row['phase']} step"
    return (
        f"Transfer {row['transfer_id']} of a patient from {row['from_agb']} to {row['to_agb']} "
        f"({row['agreement_id']}, {row['care_type']}) for {row['phase']} was performed on "
        f"{row['day']}, but {pathway}. Register the transfer to the "
        "hospital the pathway names, or agree the new pathway in the agreement."
    )
