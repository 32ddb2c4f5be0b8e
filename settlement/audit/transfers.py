"""TRF-001: a transfer the alliance bureau registered as performed, with no ODV DBC after it.

Example: transfer T1 moves a patient from Alrijne to Groene Hart, performed 2024-03-01; Groene
Hart has no ODV DBC at Alrijne's request for that patient open on that day: TRF-001 on T1, the
care is not settled.
"""

from __future__ import annotations

from settlement.audit.findings import WARNING, AuditInput, Finding, day_text


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
