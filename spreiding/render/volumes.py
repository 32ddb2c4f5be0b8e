"""Volumes of a year (docs/data-format.md §7) as the contract's JSON (byte-identical for the
same input) and as the table an alliance bureau reads in a terminal: one line per care type,
then, for a care type with ``planned_weekly``, its weeks against the plan."""

from __future__ import annotations

import json
from typing import Any

from settlement.volumes import CareTypeVolume, Volumes
from spreiding.render.i18n import _


def row_to_dict(row: CareTypeVolume) -> dict[str, Any]:
    return {
        "agreement_id": row.agreement_id,
        "care_type": row.care_type,
        "planned": row.planned,
        "ceiling": row.ceiling,
        "settled_dbcs": row.settled_dbcs,
        "patients": row.patients,
        "above_ceiling": row.above_ceiling,
        "transfers": row.transfers,
        "weeks": [
            {"week": w.week, "transfers": w.transfers, "planned": w.planned} for w in row.weeks
        ],
    }


def volumes_to_dict(result: Volumes) -> dict[str, Any]:
    return {"year": result.year, "volumes": [row_to_dict(row) for row in result.rows]}


def volumes_to_json(result: Volumes) -> str:
    return json.dumps(volumes_to_dict(result), ensure_ascii=False) + "\n"


def _count(value: int | None) -> str:
    return "-" if value is None else str(value)


def volumes_table(result: Volumes) -> str:
    """Per care type: planned, ceiling, settled DBCs, patients, above the ceiling, transfers;
    then the weeks of each care type with ``planned_weekly`` whose transfers differ from it."""
    header = (
        f"{_('agreement'):<28} {_('care type'):<20} {_('planned'):>7} {_('ceiling'):>7} "
        f"{_('DBCs'):>6} {_('patients'):>8} {_('above'):>6} {_('transfers'):>9}"
    )
    out = [_("Volumes {year}").format(year=result.year), "", header]
    for row in result.rows:
        out.append(
            f"{row.agreement_id:<28} {row.care_type:<20} {_count(row.planned):>7} "
            f"{_count(row.ceiling):>7} {row.settled_dbcs:>6} {row.patients:>8} "
            f"{row.above_ceiling:>6} {row.transfers:>9}"
        )
    if not result.rows:
        out.append(_("(no care type plans a volume, a weekly number or a ceiling for this year)"))
    for row in result.rows:
        if not row.weeks or row.weeks[0].planned is None:
            continue
        planned = row.weeks[0].planned
        off = [w for w in row.weeks if w.transfers != planned]
        out += ["", _("{agreement} {care_type}: {planned} a week planned").format(
            agreement=row.agreement_id, care_type=row.care_type, planned=planned
        )]  # fmt: skip
        if not off:
            out.append("  " + _("every week {planned} transfers").format(planned=planned))
        for w in off:
            count = _("{count} transfers ({difference})").format(
                count=f"{w.transfers:>4}", difference=f"{w.transfers - planned:+d}"
            )
            out.append(f"  {w.week:<9} {count}")
    return "\n".join(out) + "\n"
