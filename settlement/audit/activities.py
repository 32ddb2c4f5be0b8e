"""ACT-001: care performed at another institution without an agreement that covers it.

A ZH308 zorgactiviteitrecord whose field 1616 (AFWIJKENDE INSTELLINGSCODE ZORGACTIVITEIT) is
filled says the activity was performed at that institution, not at the declaring hospital:
spread care (ODV). The NZa rules allow that only under an agreement between the two; so for
each declaration with such activities, some care type of an agreement must cover it: stage not
``verkennen``, both the declaring hospital and the performing institution parties, the care
type covering the declaration's zorgproduct code, ``performing_agb`` empty or the performing
institution, and the agreement valid on the activity's start date. When none does, one
finding on the declaration (reported when its end_date falls in the year), the money at stake
its amount, ``related`` the numbers of the activities concerned.

Example: declaration V1 of 06010101 (zorgproduct 131999061, EUR 1,999.00, ending in 2024)
with activity 1 performed at 06010102, and no agreement between the two covering 131999061:
``Finding("ACT-001", "error", "06010101", "3311", "V1", None, None, ("1",), 199900, ...)``.

Not in the audit's catalogue (it reads activities, which only a ZH308 import has): called
by ``spreiding.services.formats`` on the activities of the files it reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from settlement.audit.findings import ERROR, Finding
from spreiding.domain.agreements import Agreement, CareType

RULE = "ACT-001"


def _covers(care_type: CareType, code: str) -> bool:
    return code in care_type.zorgproduct_codes or code[:6] in care_type.zorgproductgroepen


def _agreed(
    agreements: Sequence[Agreement], declaring: str, performing: str, code: str, day: date
) -> bool:
    for agreement in agreements:
        if agreement.stage == "verkennen":
            continue
        if declaring not in agreement.parties or performing not in agreement.parties:
            continue
        if day < agreement.valid_from or (agreement.valid_to and day > agreement.valid_to):
            continue
        for care_type in agreement.care_types:
            if care_type.performing_agb not in (None, performing):
                continue
            if _covers(care_type, code):
                return True
    return False


def check_act_001(
    declarations: pd.DataFrame,
    activities: pd.DataFrame,
    agreements: Sequence[Agreement],
    *,
    year: int,
) -> list[Finding]:
    """``declarations``: the canonical frame; ``activities``: ``declaration_id``,
    ``activity_number``, ``start_date`` (a date) and ``performed_at`` (None: performed by the
    declaring hospital)."""
    lines = {row["declaration_id"]: row for row in declarations.to_dict("records")}
    unagreed: dict[str, list[tuple[str, str]]] = {}
    for activity in activities.to_dict("records"):
        performing = activity["performed_at"]
        line = lines.get(activity["declaration_id"])
        if not performing or line is None or performing == line["agb"]:
            continue
        if pd.Timestamp(line["end_date"]).year != year:
            continue
        day = pd.Timestamp(activity["start_date"]).date()
        code = line["zorgproduct_code"]
        if not _agreed(agreements, line["agb"], performing, code, day):
            unagreed.setdefault(line["declaration_id"], []).append(
                (str(activity["activity_number"]), performing)
            )
    findings = []
    for declaration_id, found in unagreed.items():
        line = lines[declaration_id]
        where = ", ".join(sorted({performing for _number, performing in found}))
        findings.append(
            Finding(
                rule=RULE,
                severity=ERROR,
                agb=line["agb"],
                uzovi=line["uzovi"],
                declaration_id=declaration_id,
                dbc_id=None,
                transfer_id=None,
                related=tuple(sorted(number for number, _performing in found)),
                amount_at_stake_cents=int(line["amount_cents"]),
                message=(
                    f"Declaration {declaration_id} of {line['agb']} includes care performed at "
                    f"{where}, but no agreement in force between them covers zorgproduct "
                    f"{line['zorgproduct_code']}"
                ),
            )
        )
    return sorted(findings, key=Finding.sort_key)
