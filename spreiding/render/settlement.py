"""A settlement as the contract's JSON (byte-identical for the same input) and as the table a
controller reads in a terminal."""

from __future__ import annotations

import json
from typing import Any

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
        "excluded": [
            {"agb": agb, "dbc_id": dbc_id, "reason": reason}
            for agb, dbc_id, reason in result.excluded[["agb", "dbc_id", "reason"]].itertuples(
                index=False, name=None
            )
        ],
        "pairs": [
            {"debtor_agb": d, "creditor_agb": c, "lines": int(n), "amount": format_cents(a)}
            for d, c, n, a in result.pairs.itertuples(index=False, name=None)
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
    out.append(f"{'debtor':<40} {'creditor':<40} {'lines':>7} {'amount':>15}")
    for d, c, n, a in result.pairs.itertuples(index=False, name=None):
        out.append(f"{who(d):<40} {who(c):<40} {n:>7} {format_cents(a):>15}")
    out.append(f"{'total':<81} {len(result.lines):>7} {format_cents(result.total_cents):>15}")
    if len(result.excluded):
        out += ["", "Excluded DBCs"]
        counts = result.excluded.groupby("reason").size()
        out += [f"  {reason:<22} {int(n):>7}" for reason, n in counts.items()]
    out += ["", "Payments"]
    if result.payments.empty:
        out.append("  none")
    for f, t, a in result.payments.itertuples(index=False, name=None):
        out.append(f"  {who(f)} pays {who(t)}: {format_cents(a)}")
    return "\n".join(out) + "\n"
