"""What an agreement would move, before it is signed: the settlement engine run on a prepared
input, never a second copy of its rules (issue 12).

Worked example (from plan): a draft Samen+ care type ``liesbreuk`` performed by Groene Hart
(06010102) for Alrijne (06010101), ``odv_benchmark`` at share 0.90, ``planned_volume`` 120 for
2024, and a 2024 benchmark price of 2000.00 for its first code. ``from_plan`` makes 120
synthetic ODV DBCs (performer Groene Hart, requesting Alrijne, that code, ending on days
spread over the year), puts the draft in force for the year (stage ``implementeren``, valid
from 1 January to 31 December at least) and settles: Groene Hart receivable 216000.00 (120 ×
1800.00), Alrijne payable 216000.00; without the agreement the same DBCs settle nothing
(``NO_AGREEMENT``), so the change is +216000.00 and −216000.00.

The parts: ``model`` (the figures' values, the draft put in force, each party's figures),
``plan`` (the synthetic DBCs and hours of a plan, and ``from_plan``; the choices a plan leaves
open are its docstring), ``replay`` (a past year's real DBCs with the draft in force) and
``sensitivity`` (the plan per share and volume change). Every name is importable from here.
"""

from __future__ import annotations

from settlement.simulation.model import (
    DbcChange,
    PartyFigures,
    PlannedCare,
    PlannedHours,
    SensitivityRow,
    Simulation,
    SimulationReport,
    figures,
    in_force,
    with_share,
)
from settlement.simulation.plan import (
    PLAN_PREFIX,
    from_plan,
    iso_weeks,
    plan_dbcs,
    plan_hours,
    planned_volume,
    representative_code,
    scaled,
)
from settlement.simulation.replay import as_requested, replay, was_in_force
from settlement.simulation.sensitivity import sensitivity, steps

__all__ = [
    "PLAN_PREFIX", "DbcChange", "PartyFigures", "PlannedCare", "PlannedHours", "SensitivityRow",
    "Simulation", "SimulationReport", "as_requested", "figures", "from_plan", "in_force",
    "iso_weeks", "plan_dbcs", "plan_hours", "planned_volume", "replay", "representative_code",
    "scaled", "sensitivity", "steps", "was_in_force", "with_share",
]  # fmt: skip
