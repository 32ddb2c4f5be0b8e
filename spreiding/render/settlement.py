"""A settlement as the contract's JSON (byte-identical for the same input) and as the table a
controller reads in a terminal."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from settlement.engine import Settlement
from spreiding.domain.money import format_cents
from spreiding.domain.runs import StoredRun


def settlement_to_dict(result: Settlement) -> dict[str, Any]:
    lines = result.lines
    return {
        "year": result.year,
        "netting": result.netting,
        "lines": [
            {
                "creditor_agb": line["creditor_agb"],
                "debtor_agb": line["debtor_agb"],
                "dbc_id": line["dbc_id"],
                "patient_ref": line["patient_ref"],
                "agreement_id": line["agreement_id"],
                "care_type": line["care_type"],
                "zorgproduct_code": line["zorgproduct_code"],
                "end_date": line["end_date"].strftime("%Y-%m-%d"),
                "method": line["method"],
                "unit_price": format_cents(line["unit_price_cents"]),
                "share": line["share"],
                "amount": format_cents(line["amount_cents"]),
            }
            | ({"change": line["change"]} if "change" in line else {})
            for line in lines.to_dict("records")
        ],
        "hours": [
            {
                "creditor_agb": line["creditor_agb"],
                "debtor_agb": line["debtor_agb"],
                "hours_id": line["hours_id"],
                "agreement_id": line["agreement_id"],
                "role": line["role"],
                "work_date": line["work_date"].strftime("%Y-%m-%d"),
                "hours": line["hours"],
                "rate": format_cents(line["rate_cents"]),
                "amount": format_cents(line["amount_cents"]),
                "vat_rate": line["vat_rate"],
                "vat": format_cents(line["vat_cents"]),
            }
            | ({"change": line["change"]} if "change" in line else {})
            for line in result.hours.to_dict("records")
        ],
        "costs": [
            {
                "creditor_agb": line["creditor_agb"],
                "debtor_agb": line["debtor_agb"],
                "agreement_id": line["agreement_id"],
                "cost_id": line["cost_id"],
                "weight": int(line["weight"]),
                "amount": format_cents(line["amount_cents"]),
            }
            | ({"change": line["change"]} if "change" in line else {})
            for line in result.costs.to_dict("records")
        ],
        "excluded": [
            {"agb": agb, "dbc_id": dbc_id, "reason": reason}
            for agb, dbc_id, reason in result.excluded[["agb", "dbc_id", "reason"]].itertuples(
                index=False, name=None
            )
        ],
        "excluded_hours": [
            {"hours_id": hours_id, "reason": reason}
            for hours_id, reason in result.excluded_hours[["hours_id", "reason"]].itertuples(
                index=False, name=None
            )
        ],
        "pairs": [
            {
                "debtor_agb": d,
                "creditor_agb": c,
                "lines": n,
                "amount": format_cents(a),
                "hours": format_cents(h),
                "costs": format_cents(k),
                "vat": format_cents(v),
                "total": format_cents(t),
            }
            for d, c, n, a, h, k, v, t in _pair_rows(result.pairs)
        ],
        "positions": [
            {
                "agb": agb,
                "receivable": format_cents(r),
                "payable": format_cents(p),
                "net": format_cents(n),
            }
            for agb, r, p, n in result.positions.itertuples(index=False, name=None)
        ],
        "payments": [
            {"from_agb": f, "to_agb": t, "amount": format_cents(a)}
            for f, t, a in result.payments.itertuples(index=False, name=None)
        ],
        "total": format_cents(result.total_cents),
    }


def _pair_rows(pairs: pd.DataFrame) -> list[tuple[str, str, int, int, int, int, int, int]]:
    """Per pair (debtor, creditor, lines, amount, hours, costs, vat, total) in cents; a part a
    frame does not carry is 0 and the total is always the four parts added."""
    rows = []
    for pair in pairs.to_dict("records"):
        amount, hours, costs, vat = (
            int(pair.get(c, 0)) for c in ("amount_cents", "hours_cents", "costs_cents", "vat_cents")
        )
        total = amount + hours + costs + vat
        debtor, creditor = str(pair["debtor_agb"]), str(pair["creditor_agb"])
        rows.append((debtor, creditor, int(pair["lines"]), amount, hours, costs, vat, total))
    return rows


def settlement_to_json(result: Settlement) -> str:
    return json.dumps(settlement_to_dict(result), ensure_ascii=False) + "\n"


def run_to_dict(run: StoredRun, result: Settlement) -> dict[str, Any]:
    """A stored run: who it is (id, kind, status, fingerprint, what it corrects) and its
    settlement in the contract's shape."""
    return {
        "run_id": run.run_id,
        "kind": run.kind,
        "status": run.status,
        "fingerprint": run.fingerprint,
        "corrects_run_id": run.corrects_run_id,
    } | settlement_to_dict(result)


def run_to_json(run: StoredRun, result: Settlement) -> str:
    return json.dumps(run_to_dict(run, result), ensure_ascii=False) + "\n"


def run_summary(run: StoredRun) -> str:
    corrects = f", corrects run {run.corrects_run_id}" if run.corrects_run_id else ""
    return (
        f"run {run.run_id}: {run.kind} {run.year} ({run.netting}), {run.status}{corrects}, "
        f"total {format_cents(run.total_cents)}, fingerprint {run.fingerprint[:16]}…"
    )


def settlement_table(result: Settlement, names: dict[str, str] | None = None) -> str:
    """Per pair: lines and amount; then exclusions by reason, positions and payments."""
    names = names or {}

    def who(agb: str) -> str:
        return f"{agb} {names[agb]}" if agb in names else agb

    out = [f"Settlement {result.year} ({result.netting})", ""]
    # v2: a pair's DBC lines (count, amount), its hours, costs and VAT, and the four added.
    out.append(
        f"{'debtor':<40} {'creditor':<40} {'lines':>7} {'amount':>15} {'hours':>15} "
        f"{'costs':>15} {'VAT':>15} {'total':>15}"
    )
    sums = [0] * 5
    for d, c, n, *parts in _pair_rows(result.pairs):
        sums = [x + y for x, y in zip(sums, parts, strict=True)]
        money = " ".join(f"{format_cents(x):>15}" for x in parts)
        out.append(f"{who(d):<40} {who(c):<40} {n:>7} {money}")
    money = " ".join(f"{format_cents(x):>15}" for x in sums)
    out.append(f"{'total':<81} {len(result.lines):>7} {money}")
    if len(result.hours) or len(result.costs):
        out.append(f"{len(result.hours)} hours lines, {len(result.costs)} cost lines")
    if len(result.excluded):
        out += ["", "Excluded DBCs"]
        counts = result.excluded.groupby("reason").size()
        out += [f"  {reason:<22} {int(n):>7}" for reason, n in counts.items()]
    if len(result.excluded_hours):
        out += ["", "Excluded hours"]
        counts = result.excluded_hours.groupby("reason").size()
        out += [f"  {reason:<22} {int(n):>7}" for reason, n in counts.items()]
    out += ["", "Payments"]
    if result.payments.empty:
        out.append("  none")
    for f, t, a in result.payments.itertuples(index=False, name=None):
        out.append(f"  {who(f)} pays {who(t)}: {format_cents(a)}")
    return "\n".join(out) + "\n"
