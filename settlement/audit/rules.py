"""The audit rules of CONTRACT §4, one ``check_<rule>`` each, in an immutable catalogue.

Each check is a pure function of the prepared ``AuditInput`` and returns its findings, all of
them. The NZa rules behind them: a hospital that performed care at another's request (ODV) may
charge only that hospital, never the insurer (Regeling msz 2016 art. 31; insurers' norm N0496);
parallel declaration needs the insurer's consent for the care type; the same product for the
same patient and start date is paid once (N0927).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from settlement.audit.declarations import later, live_lines, overlapping_pairs
from spreiding.domain.agreements import Agreement
from spreiding.domain.money import format_cents

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    agb: str
    uzovi: str | None
    declaration_id: str | None
    dbc_id: str | None
    transfer_id: str | None
    related: tuple[str, ...]
    amount_at_stake_cents: int | None
    message: str

    def sort_key(self) -> tuple[str, str, str]:
        subject = self.declaration_id or self.dbc_id or self.transfer_id or ""
        return (self.rule, self.agb, subject)


@dataclass(frozen=True)
class AuditInput:
    """The data of one audit, prepared once for all rules."""

    year: int
    dbcs: pd.DataFrame
    agreements: tuple[Agreement, ...]
    declarations: pd.DataFrame | None
    transfers: pd.DataFrame | None
    live: pd.DataFrame = field(init=False)
    pairs: pd.DataFrame = field(init=False)
    _shared: dict[str, pd.DataFrame] = field(init=False, default_factory=dict)

    def cross_hospital_pairs(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The overlapping pairs of two hospitals and their covering care types, computed once
        for PAR-001 and PAR-003."""
        if "pairs" not in self._shared:
            pairs = _pair_frame(self)
            self._shared["pairs"] = pairs
            self._shared["coverage"] = _coverage(self, pairs)
        return self._shared["pairs"], self._shared["coverage"]

    def __post_init__(self) -> None:
        live = pd.DataFrame() if self.declarations is None else live_lines(self.declarations)
        object.__setattr__(self, "live", live)
        pairs = overlapping_pairs(live) if len(live) else pd.DataFrame({"a": [], "b": []})
        object.__setattr__(self, "pairs", pairs)

    def in_year(self, dates: pd.Series) -> np.ndarray:
        return np.asarray(dates.dt.year.to_numpy() == self.year, dtype=bool)


def _day(value: np.datetime64 | pd.Timestamp) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%d")


# --- ODV-001 and ODV-002: ODV DBCs and declarations ----------------------------------------


def _declared_dbcs(live: pd.DataFrame, dbcs: pd.DataFrame) -> pd.DataFrame:
    """Per live line, the DBCs it declares: same hospital and the same ``dbc_id``, or, without a
    ``dbc_id``, the same patient, zorgproduct and start date."""
    line = live[
        ["declaration_id", "agb", "dbc_id", "patient_ref", "zorgproduct_code", "start_date"]
    ]
    target = dbcs[["agb", "dbc_id", "patient_ref", "zorgproduct_code", "start_date", "odv"]]
    by_id = line.loc[line["dbc_id"].notna(), ["declaration_id", "agb", "dbc_id"]].merge(
        target, on=["agb", "dbc_id"]
    )
    by_fields = (
        line.loc[line["dbc_id"].isna()]
        .drop(columns="dbc_id")
        .merge(target, on=["agb", "patient_ref", "zorgproduct_code", "start_date"])
    )
    columns = ["declaration_id", "agb", "dbc_id", "odv"]
    return pd.concat([by_id[columns], by_fields[columns]], ignore_index=True)


def check_odv_001(data: AuditInput) -> list[Finding]:
    """A declaration to the insurer of a DBC marked ODV: the performer may charge only the
    requesting hospital."""
    live = data.live
    declared = _declared_dbcs(live, data.dbcs)
    odv = declared.loc[declared["odv"].to_numpy(dtype=bool)]
    odv = odv.sort_values(["declaration_id", "dbc_id"]).drop_duplicates("declaration_id")
    hits = live.merge(
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


def check_odv_002(data: AuditInput) -> list[Finding]:
    """An ODV DBC whose requesting hospital never declared its own (primary) DBC: income lost."""
    dbcs = data.dbcs
    odv = dbcs.loc[
        dbcs["odv"].to_numpy(dtype=bool)
        & dbcs["primary_dbc_id"].notna().to_numpy()
        & data.in_year(dbcs["end_date"])
    ]
    declared = _declared_dbcs(data.live, dbcs)
    declared_keys = set(zip(declared["agb"], declared["dbc_id"], strict=True))
    missing = [
        row
        for row in odv.to_dict("records")
        if (row["requesting_agb"], row["primary_dbc_id"]) not in declared_keys
    ]
    return [
        Finding(
            "ODV-002",
            WARNING,
            row["agb"],
            None,
            None,
            row["dbc_id"],
            None,
            (row["primary_dbc_id"],),
            None,
            f"ODV DBC {row['dbc_id']} of {row['agb']} was performed for {row['requesting_agb']}, "
            f"whose own DBC {row['primary_dbc_id']} has not been declared to any insurer. Only "
            f"{row['requesting_agb']} may declare this care; it should declare DBC "
            f"{row['primary_dbc_id']}, or the ODV mark is wrong.",
        )
        for row in missing
    ]


# --- PAR-001, PAR-002, PAR-003: the same care paid twice -----------------------------------


@dataclass(frozen=True)
class _CareTypeRow:
    agreement: Agreement
    index: int


def _pair_frame(data: AuditInput) -> pd.DataFrame:
    """Overlapping live lines of two hospitals to the same insurer for the same patient."""
    live, pairs = data.live, data.pairs
    a = pairs["a"].to_numpy("int64")
    b = pairs["b"].to_numpy("int64")
    agb = live["agb"].to_numpy()
    different = agb[a] != agb[b]
    a, b = a[different], b[different]
    return pd.DataFrame({"a": a, "b": b})


def _coverage(data: AuditInput, pairs: pd.DataFrame) -> pd.DataFrame:
    """Per pair, each care type of an agreement in force that covers both codes: its
    performer, method and whether a consent of the pair's insurer covers both lines."""
    live = data.live
    rows = []
    for agreement in data.agreements:
        if agreement.stage == "verkennen":
            continue
        for care in agreement.care_types:
            rows.append((agreement, care))
    if pairs.empty or not rows:
        return pd.DataFrame(columns=["pair", "ct", "performing_agb", "consented"])
    code = live["zorgproduct_code"].to_numpy()
    code_a, code_b = code[pairs["a"]], code[pairs["b"]]
    agb = live["agb"].to_numpy()
    agb_a, agb_b = agb[pairs["a"]], agb[pairs["b"]]
    start = live["start_date"].to_numpy()
    end = live["end_date"].to_numpy()
    first_start = np.minimum(start[pairs["a"]], start[pairs["b"]])
    last_start = np.maximum(start[pairs["a"]], start[pairs["b"]])
    last_end = np.maximum(end[pairs["a"]], end[pairs["b"]])
    uzovi = live["uzovi"].to_numpy()[pairs["a"]]
    found = []
    for ct, (agreement, care) in enumerate(rows):
        codes = set(care.zorgproduct_codes)
        groups = set(care.zorgproductgroepen)
        covers_a = np.isin(code_a, list(codes)) | np.isin(
            pd.Series(code_a).str.slice(0, 6), list(groups)
        )
        covers_b = np.isin(code_b, list(codes)) | np.isin(
            pd.Series(code_b).str.slice(0, 6), list(groups)
        )
        parties = list(agreement.parties)
        valid_from = np.datetime64(agreement.valid_from, "s")
        valid_to = np.datetime64(agreement.valid_to or date(9999, 12, 31), "s")
        hit = (
            covers_a & covers_b & np.isin(agb_a, parties) & np.isin(agb_b, parties)
            & (first_start >= valid_from) & (last_start <= valid_to)
        )  # fmt: skip
        index = np.flatnonzero(hit)
        if not index.size:
            continue
        consented = np.zeros(index.size, dtype=bool)
        if care.settlement.method == "parallel":
            for consent in care.parallel_consents:
                consent_to = np.datetime64(consent.valid_to or date(9999, 12, 31), "s")
                consented |= (
                    (uzovi[index] == consent.uzovi)
                    & (first_start[index] >= np.datetime64(consent.valid_from, "s"))
                    & (last_end[index] <= consent_to)
                )
        found.append(
            pd.DataFrame(
                {
                    "pair": index,
                    "ct": ct,
                    "agreement_id": agreement.agreement_id,
                    "care_type": care.care_type,
                    "performing_agb": care.performing_agb or "",
                    "consented": consented,
                }
            )
        )
    if not found:
        return pd.DataFrame(
            columns=["pair", "ct", "agreement_id", "care_type", "performing_agb", "consented"]
        )
    return pd.concat(found, ignore_index=True)


def _flag(
    data: AuditInput, pairs: pd.DataFrame, flag_b: np.ndarray, *, rule: str, severity: str,
    message: Callable[[dict[Hashable, Any], list[str]], str],
) -> list[Finding]:  # fmt: skip
    """One finding per flagged line, ``related`` every line it was paired with."""
    live = data.live
    flagged = np.where(flag_b, pairs["b"], pairs["a"])
    other = np.where(flag_b, pairs["a"], pairs["b"])
    ids = live["declaration_id"].to_numpy()
    partners = pd.DataFrame({"line": flagged, "other": ids[other]})
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
    pairs, coverage = data.cross_hospital_pairs()
    if coverage.empty:
        return []
    allowed = coverage.loc[coverage["consented"].to_numpy(dtype=bool), "pair"]
    covered = coverage.loc[~coverage["pair"].isin(allowed)]
    if covered.empty:
        return []
    live = data.live
    agb = live["agb"].to_numpy()
    performers = covered.groupby("pair")["performing_agb"].agg(set)
    agreements = covered.groupby("pair")["agreement_id"].agg(set)
    index = performers.index.to_numpy()
    chosen = pairs.iloc[index].reset_index(drop=True)
    a, b = chosen["a"].to_numpy(), chosen["b"].to_numpy()
    a_performs = np.array([agb[i] in p for i, p in zip(a, performers, strict=True)], dtype=bool)
    b_performs = np.array([agb[i] in p for i, p in zip(b, performers, strict=True)], dtype=bool)
    flag_b = np.where(a_performs != b_performs, b_performs, later(live, a, b))
    # The agreements each line was judged against, for its message.
    ids = live["declaration_id"].to_numpy()
    judged: dict[str, set[str]] = {}
    for i, j, names in zip(a, b, agreements, strict=True):
        for line in (ids[i], ids[j]):
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
    ordered = live.sort_values(["declared_on", "declaration_id"], kind="stable")
    key = ["agb", "uzovi", "patient_ref", "zorgproduct_code", "start_date"]
    extra = ordered.duplicated(key, keep="first")
    groups = ordered.loc[ordered.duplicated(key, keep=False)]
    members = groups.groupby(key, sort=False)["declaration_id"].agg(tuple)
    flagged = ordered.loc[extra.to_numpy() & data.in_year(ordered["end_date"])]
    findings = []
    for row in flagged.to_dict("records"):
        group = members.loc[tuple(row[k] for k in key)]
        related = tuple(sorted(i for i in group if i != row["declaration_id"]))
        findings.append(
            Finding(
                "PAR-002",
                ERROR,
                row["agb"],
                row["uzovi"],
                row["declaration_id"],
                None,
                None,
                related,
                int(row["amount_cents"]),
                f"Declaration {row['declaration_id']} repeats {', '.join(related)}: "
                f"the same zorgproduct {row['zorgproduct_code']} for the same patient from "
                f"{_day(row['start_date'])}, declared to insurer {row['uzovi']} more than once "
                "(N0927). Credit the extra line.",
            )
        )
    return findings


def check_par_003(data: AuditInput) -> list[Finding]:
    """Two hospitals declared the same zorgproductgroep in overlapping periods, under no
    agreement: possibly the same care twice."""
    pairs, coverage = data.cross_hospital_pairs()
    if pairs.empty:
        return []
    live = data.live
    group = live["zorgproduct_code"].str.slice(0, 6).to_numpy()
    same = group[pairs["a"]] == group[pairs["b"]]
    covered = np.zeros(len(pairs), dtype=bool)
    covered[coverage["pair"].to_numpy("int64")] = True
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


# --- TRF-001: transfers without the ODV DBC that should follow them ------------------------


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
            f"{_day(row['transfer_date'])}, but {row['to_agb']} has no ODV DBC for this patient "
            f"at the request of {row['from_agb']} covering that date. Open and close the ODV DBC "
            "so the care is settled.",
        )
        for row in performed.to_dict("records")
        if row["transfer_id"] not in matched
    ]


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    check: Callable[[AuditInput], list[Finding]]
    needs: tuple[str, ...]  # the optional files the rule reads
    money_at_stake: bool  # whether its findings carry the flagged declaration's amount


CATALOGUE: Mapping[str, Rule] = MappingProxyType(
    {
        "ODV-001": Rule("ODV-001", ERROR, check_odv_001, ("declarations",), True),
        "ODV-002": Rule("ODV-002", WARNING, check_odv_002, ("declarations",), False),
        "PAR-001": Rule("PAR-001", ERROR, check_par_001, ("declarations",), True),
        "PAR-002": Rule("PAR-002", ERROR, check_par_002, ("declarations",), True),
        "PAR-003": Rule("PAR-003", WARNING, check_par_003, ("declarations",), True),
        "TRF-001": Rule("TRF-001", WARNING, check_trf_001, ("transfers",), False),
    }
)


def audit(
    dbcs: pd.DataFrame,
    agreements: Sequence[Agreement],
    declarations: pd.DataFrame | None,
    transfers: pd.DataFrame | None,
    *,
    year: int,
) -> list[Finding]:
    """Every finding of every rule whose files are present, in the contract's order."""
    data = AuditInput(year, dbcs, tuple(agreements), declarations, transfers)
    present = {"declarations": declarations is not None, "transfers": transfers is not None}
    findings: list[Finding] = []
    for rule in CATALOGUE.values():
        if all(present[name] for name in rule.needs):
            findings.extend(rule.check(data))
    return sorted(findings, key=Finding.sort_key)
