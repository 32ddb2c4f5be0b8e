"""An independent reference of docs/data-format.md §3: plain loops over Decimal, no pandas, no sharing of
the engine's code. Slow and obvious on purpose."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any


def _day(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def _covers(care: dict[str, Any], code: str) -> bool:
    return code in care["zorgproduct_codes"] or code[:6] in care["zorgproductgroepen"]


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _share_text(text: str) -> str:
    decimals = len(text.split(".")[1]) if "." in text else 0
    return f"{Decimal(text):.{max(2, decimals)}f}"


def reference_settle(files: dict[str, Any], *, year: int, netting: str) -> dict[str, Any]:
    dbcs = files["dbcs.csv"]
    prices = {
        (p["price_list"], int(p["year"]), p["zorgproduct_code"]): Decimal(p["price_eur"])
        for p in files["prices.csv"]
    }
    lines: list[dict[str, Any]] = []
    excluded: list[dict[str, str]] = []
    for d in dbcs:
        if d["odv"] != "true":
            continue
        start, end = _day(d["start_date"]), _day(d["end_date"])
        assert start is not None
        if end is None:
            if start <= date(year, 12, 31):
                excluded.append({"agb": d["agb"], "dbc_id": d["dbc_id"], "reason": "OPEN"})
            continue
        if end.year != year:
            continue
        found = []
        for a in files["agreements.json"]:
            valid_to = _day(a["valid_to"] or "")
            if a["stage"] == "verkennen":
                continue
            if not (_day(a["valid_from"]) <= end and (valid_to is None or end <= valid_to)):  # type: ignore[operator]
                continue
            if d["agb"] not in a["parties"] or d["requesting_agb"] not in a["parties"]:
                continue
            for care in a["care_types"]:
                if _covers(care, d["zorgproduct_code"]) and care["performing_agb"] in (
                    None,
                    d["agb"],
                ):
                    found.append((a, care))
        reason = None
        if not found:
            reason = "NO_AGREEMENT"
        elif len(found) > 1:
            reason = "AMBIGUOUS_AGREEMENT"
        elif d["primary_dbc_id"] and not any(
            o["agb"] == d["requesting_agb"] and o["dbc_id"] == d["primary_dbc_id"]
            and o["odv"] == "false" and o["patient_ref"] == d["patient_ref"]
            for o in dbcs
        ):  # fmt: skip
            reason = "PRIMARY_MISMATCH"
        if reason is None:
            agreement, care = found[0]
            terms = care["settlement"]
            if terms["method"] == "parallel":
                reason = "PARALLEL_CARE_TYPE"
            elif terms["method"] == "fixed_fee":
                unit, share_text, amount = (
                    Decimal(terms["fee_eur"]),
                    "1.00",
                    Decimal(terms["fee_eur"]),
                )
            else:
                key = (terms["price_list"], year, d["zorgproduct_code"])
                if key not in prices:
                    reason = "NO_PRICE"
                else:
                    unit = prices[key]
                    share_text = _share_text(terms["share"])
                    amount = (unit * Decimal(terms["share"])).quantize(
                        Decimal("0.01"), rounding=ROUND_HALF_UP
                    )
        if reason is not None:
            excluded.append({"agb": d["agb"], "dbc_id": d["dbc_id"], "reason": reason})
            continue
        lines.append({
            "creditor_agb": d["agb"], "debtor_agb": d["requesting_agb"], "dbc_id": d["dbc_id"],
            "patient_ref": d["patient_ref"], "agreement_id": agreement["agreement_id"],
            "care_type": care["care_type"], "zorgproduct_code": d["zorgproduct_code"],
            "end_date": d["end_date"], "method": terms["method"], "unit_price": unit,
            "share": share_text, "amount": amount,
        })  # fmt: skip
    lines.sort(key=lambda x: (x["debtor_agb"], x["creditor_agb"], x["end_date"], x["dbc_id"]))
    excluded.sort(key=lambda x: (x["agb"], x["dbc_id"]))
    pairs: dict[tuple[str, str], list[Any]] = {}
    for line in lines:
        pair = pairs.setdefault((line["debtor_agb"], line["creditor_agb"]), [0, Decimal(0)])
        pair[0] += 1
        pair[1] += line["amount"]
    hospitals = sorted({x for pair in pairs for x in pair})
    positions = {}
    for h in hospitals:
        receivable = sum(
            (p[1] for (debtor, creditor), p in pairs.items() if creditor == h), Decimal(0)
        )
        payable = sum((p[1] for (debtor, creditor), p in pairs.items() if debtor == h), Decimal(0))
        positions[h] = (receivable, payable, receivable - payable)
    payments: list[tuple[str, str, Decimal]] = []
    if netting == "bilateral":
        for x in hospitals:
            for y in hospitals:
                if x < y:
                    xy = pairs.get((x, y), [0, Decimal(0)])[1]
                    yx = pairs.get((y, x), [0, Decimal(0)])[1]
                    if xy != yx:
                        payments.append((x, y, xy - yx) if xy > yx else (y, x, yx - xy))
        payments.sort()
    else:
        nets = {h: positions[h][2] for h in hospitals}
        while any(n != 0 for n in nets.values()):
            payer = sorted((n, h) for h, n in nets.items() if n < 0)[0][1]
            payee = sorted((-n, h) for h, n in nets.items() if n > 0)[0][1]
            amount = min(-nets[payer], nets[payee])
            payments.append((payer, payee, amount))
            nets[payer] += amount
            nets[payee] -= amount
    return {
        "year": year,
        "netting": netting,
        "lines": [
            line | {"unit_price": _money(line["unit_price"]), "amount": _money(line["amount"])}
            for line in lines
        ],
        "excluded": excluded,
        "pairs": [
            {"debtor_agb": d, "creditor_agb": c, "lines": n, "amount": _money(a)}
            for (d, c), (n, a) in sorted(pairs.items())
        ],
        "positions": [
            {"agb": h, "receivable": _money(r), "payable": _money(p), "net": _money(n)}
            for h, (r, p, n) in positions.items()
        ],
        "payments": [{"from_agb": f, "to_agb": t, "amount": _money(a)} for f, t, a in payments],
        "total": _money(sum((line["amount"] for line in lines), Decimal(0))),
    }
