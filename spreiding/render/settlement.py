"""A settlement as the contract's JSON (byte-identical for the same input) and as the table a
controller reads in a terminal."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from settlement.engine import Settlement
from spreiding.domain.money import format_cents
from spreiding.domain.runs import StoredRun
from spreiding.render.i18n import _
from spreiding.render.numbers import euros


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
    """One line on a stored run, in the current language, its total in euros the Dutch way."""
    corrects = (
        _(", corrects run {run}").format(run=run.corrects_run_id) if run.corrects_run_id else ""
    )
    return _(
        "run {run_id}: {kind} {year} ({netting}), {status}{corrects}, total {total}, "
        "fingerprint {fingerprint}…"
    ).format(
        run_id=run.run_id,
        kind=_(run.kind),
        year=run.year,
        netting=_(run.netting),
        status=_(run.status),
        corrects=corrects,
        total=euros(run.total_cents),
        fingerprint=run.fingerprint[:16],
    )


def run_to_public(run: StoredRun) -> dict[str, Any]:
    """A stored run's header as the API gives it (``RunPublic``): for ``runs list`` as JSON."""
    return {
        "run_id": run.run_id,
        "kind": run.kind,
        "status": run.status,
        "year": run.year,
        "netting": run.netting,
        "fingerprint": run.fingerprint,
        "corrects_run_id": run.corrects_run_id,
        "total": format_cents(run.total_cents),
    }


def runs_table(runs: list[StoredRun]) -> str:
    """Stored runs, one a line; an empty list says so."""
    if not runs:
        return _("no runs") + "\n"
    header = (
        f"{_('run'):>5}  {_('kind'):<11} {_('year'):<5} {_('netting'):<13} {_('status'):<8} "
        f"{_('total'):>18}  {_('fingerprint')}"
    )
    out = [header]
    for run in runs:
        kind = _(run.kind) + (f" ({run.corrects_run_id})" if run.corrects_run_id else "")
        out.append(
            f"{run.run_id:>5}  {kind:<11} {run.year:<5} {_(run.netting):<13} "
            f"{_(run.status):<8} {euros(run.total_cents):>18}  {run.fingerprint[:16]}…"
        )
    return "\n".join(out) + "\n"


def settlement_table(result: Settlement, names: dict[str, str] | None = None) -> str:
    """Per pair: lines and amount; then exclusions by reason, positions and payments. Amounts
    in euros the Dutch way (``€ 1.234,56``), the words in the current language."""
    names = names or {}

    def who(agb: str) -> str:
        return f"{agb} {names[agb]}" if agb in names else agb

    out = [_("Settlement {year} ({netting})").format(year=result.year, netting=_(result.netting))]
    out.append("")
    # v2: a pair's DBC lines (count, amount), its hours, costs and VAT, and the four added.
    # The words outside the f-string: Babel's extraction does not look inside one.
    debtor, creditor, lines, amount = _("debtor"), _("creditor"), _("lines"), _("amount")
    hours, costs, vat, total = _("hours"), _("costs"), _("VAT"), _("total")
    out.append(
        f"{debtor:<40} {creditor:<40} {lines:>7} {amount:>16} "
        f"{hours:>16} {costs:>16} {vat:>16} {total:>16}"
    )
    sums = [0] * 5
    for d, c, n, *parts in _pair_rows(result.pairs):
        sums = [x + y for x, y in zip(sums, parts, strict=True)]
        money = " ".join(f"{euros(x):>16}" for x in parts)
        out.append(f"{who(d):<40} {who(c):<40} {n:>7} {money}")
    money = " ".join(f"{euros(x):>16}" for x in sums)
    out.append(f"{total:<81} {len(result.lines):>7} {money}")
    if len(result.hours) or len(result.costs):
        out.append(
            _("{hours} hours lines, {costs} cost lines").format(
                hours=len(result.hours), costs=len(result.costs)
            )
        )
    if len(result.excluded):
        out += ["", _("Excluded DBCs")]
        counts = result.excluded.groupby("reason").size()
        out += [f"  {reason:<22} {int(n):>7}" for reason, n in counts.items()]
    if len(result.excluded_hours):
        out += ["", _("Excluded hours")]
        counts = result.excluded_hours.groupby("reason").size()
        out += [f"  {reason:<22} {int(n):>7}" for reason, n in counts.items()]
    out += ["", _("Payments")]
    if result.payments.empty:
        out.append("  " + _("none"))
    for f, t, a in result.payments.itertuples(index=False, name=None):
        out.append(
            "  "
            + _("{payer} pays {payee}: {amount}").format(
                payer=who(f), payee=who(t), amount=euros(a)
            )
        )
    return "\n".join(out) + "\n"
