"""Cooperation agreements as domain values, and their JSON form.

An agreement binds two or more hospitals; each care type says which zorgproducten it covers,
who performs the spread care and how it is settled. Example: Samen+'s care type ``liesbreuk``
covers zorgproductgroep ``131999``, is performed by ``06010002`` and settled as ODV at the
``benchmark`` price list times share ``0.90``.

The parser of ``agreements.json`` is ``spreiding.contract.agreements``; what a care type
covers and when an agreement binds is decided, vectorised, in ``settlement.coverage``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from spreiding.domain.money import format_cents

FILE = "agreements.json"
CATEGORIES = ("verdeling_zorgpad", "uitwisseling")
STAGES = ("verkennen", "formaliseren", "implementeren", "optimaliseren")
METHODS = ("odv_benchmark", "fixed_fee", "parallel")
PHASES = ("diagnostiek", "voortraject", "interventie", "opname", "nazorg")
HOME = "home"


@dataclass(frozen=True)
class SettlementTerms:
    method: str
    price_list: str | None = None
    share: Decimal | None = None
    fee_cents: int | None = None


@dataclass(frozen=True)
class ParallelConsent:
    uzovi: str
    valid_from: date
    valid_to: date | None


@dataclass(frozen=True)
class PathwayStep:
    phase: str
    at: str


@dataclass(frozen=True)
class CareType:
    care_type: str
    zorgproduct_codes: tuple[str, ...]
    zorgproductgroepen: tuple[str, ...]
    performing_agb: str | None
    settlement: SettlementTerms
    parallel_consents: tuple[ParallelConsent, ...] = ()
    planned_volume: tuple[tuple[int, int], ...] = ()
    pathway: tuple[PathwayStep, ...] = ()


@dataclass(frozen=True)
class Agreement:
    agreement_id: str
    name: str
    category: str
    stage: str
    parties: tuple[str, ...]
    valid_from: date
    valid_to: date | None
    parent_id: str | None
    care_types: tuple[CareType, ...] = field(default=())


def agreement_to_json(agreement: Agreement) -> dict[str, Any]:
    """The contract's JSON object of an agreement (inverse of the parser)."""

    def terms(t: SettlementTerms) -> dict[str, Any]:
        out: dict[str, Any] = {"method": t.method}
        if t.price_list is not None:
            out["price_list"] = t.price_list
        if t.share is not None:
            out["share"] = str(t.share)
        if t.fee_cents is not None:
            out["fee_eur"] = format_cents(t.fee_cents)
        return out

    def day(d: date | None) -> str | None:
        return None if d is None else d.isoformat()

    return {
        "agreement_id": agreement.agreement_id,
        "name": agreement.name,
        "category": agreement.category,
        "stage": agreement.stage,
        "parties": list(agreement.parties),
        "valid_from": day(agreement.valid_from),
        "valid_to": day(agreement.valid_to),
        "parent_id": agreement.parent_id,
        "care_types": [
            {
                "care_type": c.care_type,
                "zorgproduct_codes": list(c.zorgproduct_codes),
                "zorgproductgroepen": list(c.zorgproductgroepen),
                "performing_agb": c.performing_agb,
                "settlement": terms(c.settlement),
                "parallel_consents": [
                    {"uzovi": p.uzovi, "valid_from": day(p.valid_from), "valid_to": day(p.valid_to)}
                    for p in c.parallel_consents
                ],
                "planned_volume": {str(y): n for y, n in c.planned_volume},
                "pathway": [{"phase": s.phase, "at": s.at} for s in c.pathway],
            }
            for c in agreement.care_types
        ],
    }
