"""PAR-001, PAR-002, PAR-003: the same care paid twice.

Parallel declaration (two hospitals both charging the insurer for one patient's care) needs
the insurer's consent for the care type; otherwise one hospital should have charged the other
(ODV). The same product for the same patient and start date is paid once (N0927). Example:
Alrijne (V1) and Groene Hart (V2) both declare zorgproduct 131999061 for patient P1 to insurer
3311 in overlapping periods; Samen+'s care type ``liesbreuk`` covers it, without a consent of
3311: PAR-001 on the line of the hospital that does not perform the care type (or, when that
does not decide, on the later declaration).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

import numpy as np
import pandas as pd

from settlement import coverage
from settlement.audit.declarations import codes, key_hashes, later
from settlement.audit.findings import ERROR, WARNING, AuditInput, Finding

COVERAGE = ["pair", "ct", "agreement_id", "care_type", "performing_agb", "consented"]


def cross_hospital_pairs(data: AuditInput) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The overlapping pairs of two hospitals and their covering care types, computed once
    for PAR-001 and PAR-003."""
    if "pairs" not in data.shared:
        pairs = _pair_frame(data)
        data.shared["pairs"] = pairs
        data.shared["coverage"] = _coverage(data, pairs)
    return data.shared["pairs"], data.shared["coverage"]


def _pair_frame(data: AuditInput) -> pd.DataFrame:
    """Overlapping live lines of two hospitals to the same insurer for the same patient."""
    live, pairs = data.live, data.pairs
    a = pairs["a"].to_numpy("int64")
    b = pairs["b"].to_numpy("int64")
    agb = codes(live["agb"])
    different = agb[a] != agb[b]
    a, b = a[different], b[different]
    return pd.DataFrame({"a": a, "b": b})


def _coverage(data: AuditInput, pairs: pd.DataFrame) -> pd.DataFrame:
    """Per pair, each care type that covers both codes, of an agreement in force from the first
    start to the last start with both hospitals as parties: its agreement, performer, and
    whether the pair's insurer consented to parallel declaration from the first start to the
    last end."""
    care = coverage.care_types(data.agreements)
    live = data.live
    a_all = pairs["a"].to_numpy("int64")
    b_all = pairs["b"].to_numpy("int64")
    code = live["zorgproduct_code"]
    # The covers join on one side's code and hospital, then the cheap predicates narrow the
    # candidates down before the other side's code is checked.
    hospital = coverage.hospital_numbers(care, live["agb"])
    pair, ct = coverage.covering(care, _taken(code, a_all), hospital[a_all])
    a, b = a_all[pair], b_all[pair]
    keep = coverage.parties(care, ct, hospital[b])
    pair, ct, a, b = pair[keep], ct[keep], a[keep], b[keep]
    start = live["start_date"].to_numpy()
    first_start = np.minimum(start[a], start[b])
    last_start = np.maximum(start[a], start[b])
    keep = coverage.in_force(care, ct, first_start, last_start)
    pair, ct, a, b = pair[keep], ct[keep], a[keep], b[keep]
    keep = coverage.covers(care, ct, _taken(code, b))
    pair, ct, a, b = pair[keep], ct[keep], a[keep], b[keep]
    end = live["end_date"].to_numpy()
    consented = coverage.consented(
        care,
        ct,
        _taken(live["uzovi"], a).to_numpy(dtype=object),
        np.minimum(start[a], start[b]),
        np.maximum(end[a], end[b]),
    )
    terms = care.terms
    return pd.DataFrame(
        {
            "pair": pair,
            "ct": ct,
            "agreement_id": terms["agreement_id"].to_numpy()[ct],
            "care_type": terms["care_type"].to_numpy()[ct],
            "performing_agb": terms["performing_agb"].to_numpy()[ct],
            "consented": consented,
        },
        columns=COVERAGE,
    )


def _taken(values: pd.Series, rows: np.ndarray) -> pd.Series:
    """``values`` at positions ``rows``, index 0, 1, ... (no Python object per value)."""
    return values.take(rows).reset_index(drop=True)


def _flag(
    data: AuditInput, pairs: pd.DataFrame, flag_b: np.ndarray, *, rule: str, severity: str,
    message: Callable[[dict[Hashable, Any], list[str]], str],
) -> list[Finding]:  # fmt: skip
    """One finding per flagged line, ``related`` every line it was paired with."""
    live = data.live
    flagged = np.where(flag_b, pairs["b"], pairs["a"])
    other = np.where(flag_b, pairs["a"], pairs["b"])
    partners = pd.DataFrame({"line": flagged, "other": _taken(live["declaration_id"], other)})
    partners = partners.loc[data.in_year(live["end_date"].iloc[flagged].reset_index(drop=True))]
    partners = partners.drop_duplicates().sort_values(["line", "other"])
    if partners.empty:
        return []
    lines, first = np.unique(partners["line"].to_numpy(), return_index=True)
    related_of = np.split(partners["other"].to_numpy(), first[1:])
    findings = []
    for row, related in zip(live.iloc[lines].to_dict("records"), related_of, strict=True):
        partner_ids = [str(x) for x in related]
        findings.append(
            Finding(
                rule,
                severity,
                row["agb"],
                row["uzovi"],
                row["declaration_id"],
                None,
                None,
                tuple(partner_ids),
                int(row["amount_cents"]),
                message(row, partner_ids),
            )
        )
    return findings


def check_par_001(data: AuditInput) -> list[Finding]:
    """Two hospitals declared care an agreement covers, without the insurer's consent to
    parallel declaration: one of them should have settled it as ODV."""
    pairs, care_types = cross_hospital_pairs(data)
    if care_types.empty:
        return []
    allowed = care_types.loc[care_types["consented"].to_numpy(dtype=bool), "pair"]
    covered = care_types.loc[~care_types["pair"].isin(allowed)]
    if covered.empty:
        return []
    live = data.live
    performers = covered.groupby("pair")["performing_agb"].agg(set)
    agreements = covered.groupby("pair")["agreement_id"].agg(set)
    index = performers.index.to_numpy()
    chosen = pairs.iloc[index].reset_index(drop=True)
    a, b = chosen["a"].to_numpy(), chosen["b"].to_numpy()
    agb_a = _taken(live["agb"], a).tolist()
    agb_b = _taken(live["agb"], b).tolist()
    a_performs = np.array([i in p for i, p in zip(agb_a, performers, strict=True)], dtype=bool)
    b_performs = np.array([i in p for i, p in zip(agb_b, performers, strict=True)], dtype=bool)
    flag_b = np.where(a_performs != b_performs, b_performs, later(live, a, b))
    # The agreements each line was judged against, for its message.
    ids_a = _taken(live["declaration_id"], a).tolist()
    ids_b = _taken(live["declaration_id"], b).tolist()
    judged: dict[str, set[str]] = {}
    for id_a, id_b, names in zip(ids_a, ids_b, agreements, strict=True):
        for line in (id_a, id_b):
            judged.setdefault(str(line), set()).update(names)

    def message(row: dict[Hashable, Any], related: list[str]) -> str:
        return (
            f"Declaration {row['declaration_id']} of {row['agb']} to insurer {row['uzovi']} "
            f"overlaps {', '.join(related)} of another hospital for the same patient; agreement(s) "
            f"{', '.join(sorted(judged[str(row['declaration_id'])]))} cover both and the insurer "
            "has not consented to parallel declaration for them. One hospital should have "
            "charged the other (ODV) instead of the insurer: credit this line and settle it "
            "between the hospitals."
        )

    return _flag(data, chosen, flag_b, rule="PAR-001", severity=ERROR, message=message)


def check_par_002(data: AuditInput) -> list[Finding]:
    """The same product for the same patient and start date declared again by one hospital."""
    live = data.live
    if live.empty:
        return []
    key = ["agb", "uzovi", "patient_ref", "zorgproduct_code", "start_date"]
    # Only the lines whose key repeats take part: a small share, worked on alone. A repeated
    # hash of the key finds them (and, on a collision, a line more, which the exact
    # ``duplicated`` and ``ngroup`` below leave out).
    repeated = live.loc[_repeated(key_hashes(live, key))]
    if repeated.empty:
        return []
    ordered = repeated.sort_values(["declared_on", "declaration_id"], kind="stable")
    chosen = ordered.duplicated(key, keep="first").to_numpy() & data.in_year(ordered["end_date"])
    if not chosen.any():
        return []
    # Each repeated key numbered once, with its lines sorted: a finding finds them by number.
    number = ordered.groupby(key, sort=False).ngroup().to_numpy("int64")
    members: list[list[str]] = [[] for _ in range(int(number.max()) + 1)]
    for group, line in zip(number.tolist(), ordered["declaration_id"].tolist(), strict=True):
        members[group].append(line)
    for lines in members:
        lines.sort()
    flagged = ordered.loc[chosen]
    names = ["agb", "uzovi", "declaration_id", "zorgproduct_code"]
    columns = [flagged[name].astype(object).tolist() for name in names]
    days = flagged["start_date"].dt.strftime("%Y-%m-%d").tolist()
    amounts = flagged["amount_cents"].astype("int64").tolist()
    findings = []
    for agb, uzovi, line, code, day, cents, group in zip(
        *columns, days, amounts, number[chosen].tolist(), strict=True
    ):
        related = tuple(i for i in members[group] if i != line)
        findings.append(
            Finding(
                "PAR-002",
                ERROR,
                agb,
                uzovi,
                line,
                None,
                None,
                related,
                cents,
                f"Declaration {line} repeats {', '.join(related)}: "
                f"the same zorgproduct {code} for the same patient from "
                f"{day}, declared to insurer {uzovi} more than once "
                "(N0927). Credit the extra line.",
            )
        )
    return findings


def _repeated(hashed: np.ndarray) -> np.ndarray:
    """Per row, whether another row has its hash."""
    order = np.argsort(hashed)
    ordered = hashed[order]
    same = ordered[1:] == ordered[:-1]
    repeats = np.zeros(len(hashed), dtype=bool)
    repeats[order[1:][same]] = True
    repeats[order[:-1][same]] = True
    return repeats


def check_par_003(data: AuditInput) -> list[Finding]:
    """Two hospitals declared the same zorgproductgroep in overlapping periods, under no
    agreement: possibly the same care twice."""
    pairs, care_types = cross_hospital_pairs(data)
    if pairs.empty:
        return []
    live = data.live
    group = codes(live["zorgproduct_code"].str.slice(0, 6))
    same = group[pairs["a"]] == group[pairs["b"]]
    covered = np.zeros(len(pairs), dtype=bool)
    covered[care_types["pair"].to_numpy("int64")] = True
    chosen = pairs.loc[same & ~covered].reset_index(drop=True)
    flag_b = later(live, chosen["a"].to_numpy(), chosen["b"].to_numpy())

    def message(row: dict[Hashable, Any], related: list[str]) -> str:
        return (
            f"Declaration {row['declaration_id']} of {row['agb']} to insurer {row['uzovi']} "
            "overlaps "
            f"{', '.join(related)} of another hospital for the same patient in zorgproductgroep "
            f"{str(row['zorgproduct_code'])[:6]}, and no agreement in force covers both. Check "
            "whether the same care was declared twice."
        )

    return _flag(data, chosen, flag_b, rule="PAR-003", severity=WARNING, message=message)
