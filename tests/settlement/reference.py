"""An independent reference of docs/data-format.md §3, §5 and §6: plain loops over Decimal, no pandas,
no sharing of the engine's code. Slow and obvious on purpose. Contract v2: ``otherwise`` terms
and ``NO_CONSENT``, ``price_year``, ceilings, hours lines with VAT, shared costs."""

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
                uzovi = d.get("uzovi", "")
                consented = any(
                    c["uzovi"] == uzovi and _day(c["valid_from"]) <= end  # type: ignore[operator]
                    and (not c["valid_to"] or end <= _day(c["valid_to"]))  # type: ignore[operator]
                    for c in care["parallel_consents"]
                )  # fmt: skip
                if not uzovi or consented:
                    reason = "PARALLEL_CARE_TYPE"
                elif "otherwise" not in terms:
                    reason = "NO_CONSENT"
                else:
                    terms = terms["otherwise"]
            if reason is not None:
                pass
            elif terms["method"] == "fixed_fee":
                unit, share_text, amount = (
                    Decimal(terms["fee_eur"]),
                    "1.00",
                    Decimal(terms["fee_eur"]),
                )
            else:
                price_year = start.year if terms.get("price_year") == "start" else year
                key = (terms["price_list"], price_year, d["zorgproduct_code"])
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
            "_terms": terms, "_agb": d["agb"],
        })  # fmt: skip
    # Ceilings: per (agreement, care type) whose terms have one for Y, rank its lines.
    ranked: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for line in lines:
        ranked.setdefault((line["agreement_id"], line["care_type"]), []).append(line)
    for group in ranked.values():
        terms = group[0]["_terms"]
        ceiling = terms.get("ceiling", {}).get(str(year))
        if terms["method"] != "odv_benchmark" or ceiling is None:
            continue
        group.sort(key=lambda x: (x["end_date"], x["_agb"], x["dbc_id"]))
        for rank, line in enumerate(group):
            if rank >= ceiling:
                line["share"] = _share_text(terms["share_above_ceiling"])
                line["amount"] = (
                    line["unit_price"] * Decimal(terms["share_above_ceiling"])
                ).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    for line in lines:
        del line["_terms"], line["_agb"]
    lines.sort(key=lambda x: (x["debtor_agb"], x["creditor_agb"], x["end_date"], x["dbc_id"]))
    excluded.sort(key=lambda x: (x["agb"], x["dbc_id"]))
    hours, excluded_hours = _hours(files, year)
    costs = _costs(files, year)
    zero = Decimal(0)
    # Per pair: [DBC lines, amount, hours, costs, vat, total].
    pairs: dict[tuple[str, str], list[Any]] = {}

    def pair_of(line: dict[str, Any]) -> list[Any]:
        return pairs.setdefault(
            (line["debtor_agb"], line["creditor_agb"]), [0, zero, zero, zero, zero, zero]
        )

    for line in lines:
        pair = pair_of(line)
        pair[0] += 1
        pair[1] += line["amount"]
        pair[5] += line["amount"]
    for line in hours:
        pair = pair_of(line)
        pair[2] += line["amount"]
        pair[4] += line["vat"]
        pair[5] += line["amount"] + line["vat"]
    for line in costs:
        pair = pair_of(line)
        pair[3] += line["amount"]
        pair[5] += line["amount"]
    hospitals = sorted({x for pair in pairs for x in pair})
    positions = {}
    for h in hospitals:
        receivable = sum(
            (p[5] for (debtor, creditor), p in pairs.items() if creditor == h), Decimal(0)
        )
        payable = sum((p[5] for (debtor, creditor), p in pairs.items() if debtor == h), Decimal(0))
        positions[h] = (receivable, payable, receivable - payable)
    payments: list[tuple[str, str, Decimal]] = []
    if netting == "bilateral":
        for x in hospitals:
            for y in hospitals:
                if x < y:
                    xy = pairs.get((x, y), [zero] * 6)[5]
                    yx = pairs.get((y, x), [zero] * 6)[5]
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
        "hours": [
            line | {key: _money(line[key]) for key in ("rate", "amount", "vat")} for line in hours
        ],
        "costs": [line | {"amount": _money(line["amount"])} for line in costs],
        "excluded": excluded,
        "excluded_hours": excluded_hours,
        "pairs": [
            {
                "debtor_agb": d,
                "creditor_agb": c,
                "lines": n,
                "amount": _money(a),
                "hours": _money(h),
                "costs": _money(k),
                "vat": _money(v),
                "total": _money(t),
            }
            for (d, c), (n, a, h, k, v, t) in sorted(pairs.items())
        ],
        "positions": [
            {"agb": h, "receivable": _money(r), "payable": _money(p), "net": _money(n)}
            for h, (r, p, n) in positions.items()
        ],
        "payments": [{"from_agb": f, "to_agb": t, "amount": _money(a)} for f, t, a in payments],
        "total": _money(sum((p[5] for p in pairs.values()), Decimal(0))),
    }


def _half_up(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _hours(files: dict[str, Any], year: int) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """§5: each hours row of Y, at its agreement's rate of the role on the work date."""
    agreements = {a["agreement_id"]: a for a in files["agreements.json"]}
    lines: list[dict[str, Any]] = []
    excluded: list[dict[str, str]] = []
    for row in files.get("hours.csv") or []:
        day = date.fromisoformat(row["work_date"])
        if day.year != year:
            continue
        a = agreements.get(row["agreement_id"])
        valid_to = _day((a or {}).get("valid_to") or "")
        if (
            a is None or a["stage"] == "verkennen" or day < date.fromisoformat(a["valid_from"])
            or (valid_to is not None and day > valid_to)
        ):  # fmt: skip
            excluded.append({"hours_id": row["hours_id"], "reason": "NO_AGREEMENT"})
            continue
        rates = [
            r for r in a.get("secondment_rates", [])
            if r["role"] == row["role"] and date.fromisoformat(r["valid_from"]) <= day
            and (not r.get("valid_to") or day <= date.fromisoformat(r["valid_to"]))
        ]  # fmt: skip
        if not rates:
            excluded.append({"hours_id": row["hours_id"], "reason": "NO_RATE"})
            continue
        rate = Decimal(rates[0]["rate_eur"])
        vat_rate = rates[0].get("vat_rate", "0.00")
        amount = _half_up(Decimal(row["hours"]) * rate)
        lines.append({
            "creditor_agb": row["employer_agb"], "debtor_agb": row["host_agb"],
            "hours_id": row["hours_id"], "agreement_id": row["agreement_id"], "role": row["role"],
            "work_date": row["work_date"], "hours": f"{Decimal(row['hours']):.2f}", "rate": rate,
            "amount": amount, "vat_rate": _share_text(vat_rate),
            "vat": _half_up(amount * Decimal(vat_rate)),
        })  # fmt: skip
    lines.sort(key=lambda x: (x["debtor_agb"], x["creditor_agb"], x["work_date"], x["hours_id"]))
    excluded.sort(key=lambda x: x["hours_id"])
    return lines, excluded


def _costs(files: dict[str, Any], year: int) -> list[dict[str, Any]]:
    """§6: each cost of Y split by the largest remainder; a line per other party with a part."""
    lines: list[dict[str, Any]] = []
    for a in files["agreements.json"]:
        for cost in a.get("costs", []):
            if cost["year"] != year:
                continue
            cents = int(Decimal(cost["amount_eur"]) * 100)
            total = sum(cost["key"].values())
            parts = {agb: cents * w // total for agb, w in cost["key"].items()}
            left = cents - sum(parts.values())
            for agb in sorted(cost["key"], key=lambda x: (-(cents * cost["key"][x] % total), x))[
                :left
            ]:
                parts[agb] += 1
            for agb, part in parts.items():
                if agb != cost["paid_by"] and part > 0:
                    lines.append({
                        "creditor_agb": cost["paid_by"], "debtor_agb": agb,
                        "agreement_id": a["agreement_id"], "cost_id": cost["cost_id"],
                        "weight": cost["key"][agb], "amount": Decimal(part) / 100,
                    })  # fmt: skip
    lines.sort(key=lambda x: (x["debtor_agb"], x["creditor_agb"], x["agreement_id"], x["cost_id"]))
    return lines
