"""ODV-001 and ODV-002: ODV DBCs and the declarations that should, or should not, exist.

A hospital that performed care at another's request (ODV) may charge only that hospital, never
the insurer (Regeling msz 2016 art. 31; insurers' norm N0496), and the requesting hospital
declares its own DBC. Example: Groene Hart declares its ODV DBC D1 (done for Alrijne) to
insurer 3311 as V7: ODV-001 on V7. Alrijne never declares its own DBC H1 that D1 names:
ODV-002 on D1.
"""

from __future__ import annotations

import pandas as pd

from settlement.audit.declarations import isin
from settlement.audit.findings import ERROR, WARNING, AuditInput, Finding
from spreiding.domain.money import format_cents


def _declared_dbcs(live: pd.DataFrame, dbcs: pd.DataFrame) -> pd.DataFrame:
    """Per live line, the DBCs it declares: same hospital and the same ``dbc_id``, or, without a
    ``dbc_id``, the same patient, zorgproduct and start date."""
    line = live[
        ["declaration_id", "agb", "dbc_id", "patient_ref", "zorgproduct_code", "start_date"]
    ]
    target = dbcs[["agb", "dbc_id", "patient_ref", "zorgproduct_code", "start_date", "odv"]]
    # Only lines that can meet a DBC are joined (a cheap test first: the inner join keeps the
    # same rows in the same order).
    named = line["dbc_id"].notna().to_numpy()
    by_id = line.loc[
        named & isin(line["dbc_id"], target["dbc_id"]), ["declaration_id", "agb", "dbc_id"]
    ].merge(target, on=["agb", "dbc_id"])
    by_fields = (
        line.loc[~named & isin(line["patient_ref"], target["patient_ref"])]
        .drop(columns="dbc_id")
        .merge(target, on=["agb", "patient_ref", "zorgproduct_code", "start_date"])
    )
    columns = ["declaration_id", "agb", "dbc_id", "odv"]
    return pd.concat([by_id[columns], by_fields[columns]], ignore_index=True)


def declared_dbcs(data: AuditInput) -> pd.DataFrame:
    """``_declared_dbcs`` of the live lines, computed once for ODV-001 and ODV-002."""
    if "declared" not in data.shared:
        data.shared["declared"] = _declared_dbcs(data.live, data.dbcs)
    return data.shared["declared"]


def check_odv_001(data: AuditInput) -> list[Finding]:
    """A declaration to the insurer of a DBC marked ODV: the performer may charge only the
    requesting hospital."""
    live = data.live
    declared = declared_dbcs(data)
    odv = declared.loc[declared["odv"].to_numpy(dtype=bool)]
    odv = odv.sort_values(["declaration_id", "dbc_id"]).drop_duplicates("declaration_id")
    hits = live.loc[isin(live["declaration_id"], odv["declaration_id"])].merge(
        odv[["declaration_id", "dbc_id"]], on="declaration_id", suffixes=("_line", "")
    )
    hits = hits.loc[data.in_year(hits["end_date"])]
    requesters = data.dbcs.loc[
        data.dbcs["odv"].to_numpy(dtype=bool), ["agb", "dbc_id", "requesting_agb"]
    ]
    hits = hits.merge(requesters, on=["agb", "dbc_id"], how="left")
    return [
        Finding(
            "ODV-001",
            ERROR,
            row["agb"],
            row["uzovi"],
            row["declaration_id"],
            row["dbc_id"],
            None,
            (),
            int(row["amount_cents"]),
            f"Declaration {row['declaration_id']} ({format_cents(row['amount_cents'])}) "
            f"declares DBC "
            f"{row['dbc_id']}, which {row['agb']} marked ODV: care performed at the request of "
            f"{row['requesting_agb']}. ODV care may be charged only to the requesting hospital, "
            "never to the insurer (Regeling msz art. 31, N0496). Credit this line and settle the "
            "DBC with the requesting hospital.",
        )
        for row in hits.to_dict("records")
    ]


def declared_keys(data: AuditInput) -> set[tuple[str, str]]:
    """The (hospital, DBC) keys the live lines declare: all ODV-002 needs of the declarations,
    so it can be gathered per partition of them and united."""
    declared = declared_dbcs(data)
    return set(zip(declared["agb"], declared["dbc_id"], strict=True))


def check_odv_002(data: AuditInput) -> list[Finding]:
    """An ODV DBC whose requesting hospital never declared its own (primary) DBC: income lost."""
    return odv_002(data.dbcs, declared_keys(data), year=data.year)


def odv_002(dbcs: pd.DataFrame, declared: set[tuple[str, str]], *, year: int) -> list[Finding]:
    """ODV-002 given the DBC keys declared to any insurer (``declared_keys`` of all live
    lines, or the union of it over partitions of them)."""
    odv = dbcs.loc[
        dbcs["odv"].to_numpy(dtype=bool)
        & dbcs["primary_dbc_id"].notna().to_numpy()
        & (dbcs["end_date"].dt.year.to_numpy() == year)
    ]
    names = ["agb", "dbc_id", "requesting_agb", "primary_dbc_id"]
    columns = [odv[name].astype(object).tolist() for name in names]
    return [
        Finding(
            "ODV-002",
            WARNING,
            agb,
            None,
            None,
            dbc_id,
            None,
            (primary,),
            None,
            f"ODV DBC {dbc_id} of {agb} was performed for {requesting}, "
            f"whose own DBC {primary} has not been declared to any insurer. Only "
            f"{requesting} may declare this care; it should declare DBC "
            f"{primary}, or the ODV mark is wrong.",
        )
        for agb, dbc_id, requesting, primary in zip(*columns, strict=True)
        if (requesting, primary) not in declared
    ]
