"""A simulation (issue 12) as JSON (amounts as the contract's money strings, byte-identical for
the same input), as a table for a terminal, and as the server-made SVG chart of the
sensitivity: each party's net against the share (at the planned volume), so a board sees where
it breaks even.

Example JSON (from plan only): ``{"year": 2024, "agreement_id": "...", "plan": {"parties":
[{"agb": "06010102", "receivable": "216000.00", "payable": "0.00", "net": "216000.00",
"without_net": "0.00", "change": "216000.00"}], "planned": [...], ...}, "replay": null,
"sensitivity": []}``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from html import escape
from typing import Any

from settlement.simulation import PartyFigures, SensitivityRow, Simulation, SimulationReport
from spreiding.domain.money import format_cents, format_share
from spreiding.render.i18n import _
from spreiding.render.numbers import euros


def _party(p: PartyFigures, base: str) -> dict[str, Any]:
    return {
        "agb": p.agb,
        "receivable": format_cents(p.receivable_cents),
        "payable": format_cents(p.payable_cents),
        "net": format_cents(p.net_cents),
        f"{base}_receivable": format_cents(p.base_receivable_cents),
        f"{base}_payable": format_cents(p.base_payable_cents),
        f"{base}_net": format_cents(p.base_net_cents),
        "change": format_cents(p.change_cents),
    }


def simulation_to_dict(s: Simulation) -> dict[str, Any]:
    base = "without" if s.mode == "plan" else "actual"
    out: dict[str, Any] = {
        "parties": [_party(p, base) for p in s.parties],
        "excluded": [
            {"agb": a, "dbc_id": d, "requesting_agb": q, "reason": r} for a, d, q, r in s.excluded
        ],
    }
    if s.mode == "plan":
        out["planned"] = [
            {
                "care_type": p.care_type,
                "zorgproduct_code": p.zorgproduct_code,
                "performing_agb": p.performing_agb,
                "requesting_agb": p.requesting_agb,
                "dbcs": p.dbcs,
            }
            for p in s.planned
        ]
        out["unplanned"] = list(s.unplanned)
    else:
        out["changes"] = [
            {
                "agb": c.agb,
                "dbc_id": c.dbc_id,
                "requesting_agb": c.requesting_agb,
                "before": None if c.before_cents is None else format_cents(c.before_cents),
                "before_reason": c.before_reason or None,
                "after": None if c.after_cents is None else format_cents(c.after_cents),
                "after_reason": c.after_reason or None,
                "converted": c.converted,
            }
            for c in s.changes
        ]
    return out


def report_to_dict(report: SimulationReport) -> dict[str, Any]:
    return {
        "year": report.plan.year,
        "agreement_id": report.agreement.agreement_id,
        "plan": simulation_to_dict(report.plan),
        "replay": None if report.replay is None else simulation_to_dict(report.replay),
        "sensitivity": [
            {
                "share": format_share(row.share),
                "volume_percent": row.volume_percent,
                "parties": [
                    {
                        "agb": p.agb,
                        "receivable": format_cents(p.receivable_cents),
                        "payable": format_cents(p.payable_cents),
                        "net": format_cents(p.net_cents),
                    }
                    for p in row.parties
                ],
            }
            for row in report.sensitivity
        ],
    }


def report_to_json(report: SimulationReport) -> str:
    return json.dumps(report_to_dict(report), ensure_ascii=False) + "\n"


def _figures_table(s: Simulation, names: dict[str, str]) -> list[str]:
    base = _("without") if s.mode == "plan" else _("actual")
    hospital, receivable, payable = _("hospital"), _("receivable"), _("payable")
    net, change = _("net"), _("change")
    out = [f"{hospital:<32} {receivable:>16} {payable:>16} {net:>16} {base:>16} {change:>16}"]
    for p in s.parties:
        label = f"{p.agb} {names.get(p.agb, '')}"[:32]
        out.append(
            f"{label:<32} {euros(p.receivable_cents):>16} {euros(p.payable_cents):>16} "
            f"{euros(p.net_cents):>16} {euros(p.base_net_cents):>16} "
            f"{euros(p.change_cents):>16}"
        )
    return out


def report_table(report: SimulationReport) -> str:
    plan, replay, sensitivity, names = (
        report.plan,
        report.replay,
        report.sensitivity,
        report.names,
    )
    year, agreement_id = plan.year, report.agreement.agreement_id
    out = [_("Simulation of {agreement} in {year}").format(agreement=agreement_id, year=year)]
    out += ["", _("From plan")]
    for p in plan.planned:
        out.append(
            "  "
            + _("{care_type}: {count} DBCs {code} at {performer} for {requesting}").format(
                care_type=p.care_type,
                count=p.dbcs,
                code=p.zorgproduct_code,
                performer=p.performing_agb,
                requesting=p.requesting_agb,
            )
        )
    for care in plan.unplanned:
        out.append("  " + _("{care_type}: planned, but no performing hospital").format(
            care_type=care))  # fmt: skip
    if not plan.planned:
        out.append("  " + _("(no care type plans a volume for this year)"))
    out += _figures_table(plan, names)
    if replay is not None:
        out += ["", _("Replay of the year's DBCs")]
        out += _figures_table(replay, names)
        out += ["", _("DBCs that change hands: {count}").format(count=len(replay.changes))]
        for c in replay.changes:
            before = c.before_reason if c.before_cents is None else euros(c.before_cents)
            after = c.after_reason if c.after_cents is None else euros(c.after_cents)
            out.append(f"  {c.agb} {c.dbc_id:<16} {c.requesting_agb:<9} {before:>20} -> {after}")
        out += [_("DBCs that stay excluded: {count}").format(count=len(replay.excluded))]
        for a, d, q, r in replay.excluded:
            out.append(f"  {a} {d:<16} {q:<9} {r}")
    if sensitivity:
        agbs = [p.agb for p in sensitivity[0].parties]
        out += ["", _("Sensitivity: net per hospital")]
        share, volume = _("share"), _("volume")
        out.append(f"{share:>6} {volume:>7} " + " ".join(f"{a:>16}" for a in agbs))
        for row in sensitivity:
            out.append(
                f"{format_share(row.share):>6} {row.volume_percent:>+6d}% "
                + " ".join(f"{euros(p.net_cents):>16}" for p in row.parties)
            )
    return "\n".join(out) + "\n"


COLOURS = ("#1f4e79", "#c0504d", "#4f8a3c", "#8064a2", "#d08a00", "#2c8c99", "#7f7f7f")
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 720, 360, 110, 170, 30, 50


def chart_points(
    rows: Sequence[SensitivityRow],
) -> tuple[str, list[str], list[tuple[str, list[int]]]]:
    """What the chart plots: by share at the volume change nearest 0 when more than one share
    is given, else by volume; the axis, its labels and each party's nets."""
    shares = sorted({r.share for r in rows})
    if len(shares) > 1:
        volume = min({r.volume_percent for r in rows}, key=lambda v: (abs(v), v))
        chosen = [r for r in rows if r.volume_percent == volume]
        labels = [format_share(r.share) for r in chosen]
        axis = "share"
    else:
        chosen = sorted(rows, key=lambda r: r.volume_percent)
        labels = [f"{r.volume_percent:+d}%" for r in chosen]
        axis = "volume"
    agbs = [p.agb for p in chosen[0].parties] if chosen else []
    series = [(agb, [r.parties[i].net_cents for r in chosen]) for i, agb in enumerate(agbs)]
    return axis, labels, series


def sensitivity_svg(rows: Sequence[SensitivityRow], *, names: dict[str, str], title: str) -> str:
    """A line per party: its net against the share (or the volume), a dashed zero line where
    it breaks even. Integer coordinates: the same rows give the same text."""
    axis, labels, series = chart_points(rows)
    values = [v for _, vs in series for v in vs] + [0]
    low, high = min(values), max(values)
    span = max(high - low, 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> int:
        return LEFT + (plot_w * i) // max(len(labels) - 1, 1)

    def y(v: int) -> int:
        return TOP + (plot_h * (high - v)) // span

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="sim-title" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" class="simulation">',
        f'<title id="sim-title">{escape(title)}</title>',
        f'<line x1="{LEFT}" y1="{y(0)}" x2="{LEFT + plot_w}" y2="{y(0)}" stroke="#555" '
        'stroke-dasharray="4 3"/>',
        f'<text x="{LEFT - 8}" y="{y(0) + 4}" font-size="12" text-anchor="end">€ 0,00</text>',
        f'<text x="{LEFT - 8}" y="{y(high) + 4}" font-size="12" text-anchor="end">'
        f"{escape(euros(high))}</text>",
        f'<text x="{LEFT - 8}" y="{y(low) + 4}" font-size="12" text-anchor="end">'
        f"{escape(euros(low))}</text>",
    ]
    for i, label in enumerate(labels):
        parts.append(
            f'<text x="{x(i)}" y="{HEIGHT - BOTTOM + 18}" font-size="12" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    word = "aandeel" if axis == "share" else "volume t.o.v. plan"
    parts.append(
        f'<text x="{LEFT + plot_w // 2}" y="{HEIGHT - 8}" font-size="13" '
        f'text-anchor="middle">{escape(word)}</text>'
    )
    for n, (agb, nets) in enumerate(series):
        colour = COLOURS[n % len(COLOURS)]
        points = " ".join(f"{x(i)},{y(v)}" for i, v in enumerate(nets))
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5"/>'
        )
        legend_y = TOP + 18 * n
        parts.append(
            f'<line x1="{WIDTH - RIGHT + 12}" y1="{legend_y}" x2="{WIDTH - RIGHT + 32}" '
            f'y2="{legend_y}" stroke="{colour}" stroke-width="3"/>'
            f'<text x="{WIDTH - RIGHT + 38}" y="{legend_y + 4}" font-size="12">'
            f"{escape(names.get(agb, agb)[:18])}</text>"
        )
    if not series:
        parts.append('<text x="20" y="40" font-size="14">Geen gevoeligheidsanalyse.</text>')
    parts.append("</svg>")
    return "".join(parts) + "\n"


def shares_label(shares: Sequence[Decimal]) -> str:
    return ", ".join(format_share(s) for s in shares)
