"""Cooperation agreements as domain values, and their JSON form.

An agreement binds two or more hospitals; each care type says which zorgproducten it covers,
who performs the spread care and how it is settled. Example: Samen+'s care type ``liesbreuk``
covers zorgproductgroep ``131999``, is performed by ``06010002`` and settled as ODV at the
``benchmark`` price list times share ``0.90``.

The parser of ``agreements.json`` is ``spreiding.contract.agreements``; what a care type
covers and when an agreement binds is decided, vectorised, in ``settlement.coverage``.

Contract v2 adds, with defaults that leave a v1 agreement as it was (and ``agreement_to_json``
writes a v2 field only when it differs from its default, so a v1 agreement's JSON, and every
fingerprint over it, is unchanged):

- ``SettlementTerms.price_year`` (``"end"`` | ``"start"``), ``ceiling`` (``((year, count),
  ...)``, sorted by year), ``share_above_ceiling`` (``Decimal``) and ``otherwise`` (the
  ``odv_benchmark`` or ``fixed_fee`` terms of a ``parallel`` care type for insurers that did not
  consent);
- ``CareType.planned_weekly`` (patients per ISO week, or None);
- ``Agreement.secondment_rates`` (``SecondmentRate``: ``role``, ``rate_cents``, ``vat_rate``,
  ``valid_from``, ``valid_to``), ``payment_term_days`` (30) and ``costs`` (``SharedCost``:
  ``cost_id``, ``description``, ``year``, ``amount_cents``, ``paid_by``, ``key`` as ``((agb,
  weight), ...)`` in the order given).

Example: ``SecondmentRate("medisch-specialist", 18500, Decimal("0.00"), date(2024, 1, 1), None)``
is ``{"role": "medisch-specialist", "rate_eur": "185.00", "vat_rate": "0.00", "valid_from":
"2024-01-01", "valid_to": null}`` in ``agreements.json``.
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
PRICE_YEARS = ("end", "start")
DEFAULT_PAYMENT_TERM_DAYS = 30


@dataclass(frozen=True)
class SettlementTerms:
    method: str
    price_list: str | None = None
    share: Decimal | None = None
    fee_cents: int | None = None
    # v2: which year's price (the DBC's end_date's or start_date's), a ceiling per year with
    # the share past it, and for ``parallel`` the terms for insurers that did not consent.
    price_year: str = "end"
    ceiling: tuple[tuple[int, int], ...] = ()
    share_above_ceiling: Decimal | None = None
    otherwise: SettlementTerms | None = None


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
    planned_weekly: int | None = None


@dataclass(frozen=True)
class SecondmentRate:
    """The hourly rate one party charges another for a person of ``role`` (contract §5)."""

    role: str
    rate_cents: int
    vat_rate: Decimal
    valid_from: date
    valid_to: date | None


@dataclass(frozen=True)
class SharedCost:
    """A lump sum ``paid_by`` one party, shared over the parties by the weights of ``key``
    (contract §6); a party not in ``key`` weighs 0."""

    cost_id: str
    description: str
    year: int
    amount_cents: int
    paid_by: str
    key: tuple[tuple[str, int], ...]


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
    secondment_rates: tuple[SecondmentRate, ...] = ()
    payment_term_days: int = DEFAULT_PAYMENT_TERM_DAYS
    costs: tuple[SharedCost, ...] = ()


def agreement_to_json(agreement: Agreement) -> dict[str, Any]:
    """The contract's JSON object of an agreement (inverse of the parser).

    A v2 field is written only when it is not its default, so that the JSON of a v1 agreement,
    and the fingerprints hashed over it, stay what they were."""

    def terms(t: SettlementTerms) -> dict[str, Any]:
        out: dict[str, Any] = {"method": t.method}
        if t.price_list is not None:
            out["price_list"] = t.price_list
        if t.share is not None:
            out["share"] = str(t.share)
        if t.fee_cents is not None:
            out["fee_eur"] = format_cents(t.fee_cents)
        if t.price_year != "end":
            out["price_year"] = t.price_year
        # A ceiling comes with its share_above_ceiling, also an empty one ({}: no year capped).
        if t.ceiling or t.share_above_ceiling is not None:
            out["ceiling"] = {f"{y:04d}": n for y, n in t.ceiling}
        if t.share_above_ceiling is not None:
            out["share_above_ceiling"] = str(t.share_above_ceiling)
        if t.otherwise is not None:
            out["otherwise"] = terms(t.otherwise)
        return out

    def day(d: date | None) -> str | None:
        return None if d is None else d.isoformat()

    def care_type(c: CareType) -> dict[str, Any]:
        out: dict[str, Any] = {
            "care_type": c.care_type,
            "zorgproduct_codes": list(c.zorgproduct_codes),
            "zorgproductgroepen": list(c.zorgproductgroepen),
            "performing_agb": c.performing_agb,
            "settlement": terms(c.settlement),
            "parallel_consents": [
                {"uzovi": p.uzovi, "valid_from": day(p.valid_from), "valid_to": day(p.valid_to)}
                for p in c.parallel_consents
            ],
            # Four digits, as the key was read ("0999" stays "0999", not "999").
            "planned_volume": {f"{y:04d}": n for y, n in c.planned_volume},
            "pathway": [{"phase": s.phase, "at": s.at} for s in c.pathway],
        }
        if c.planned_weekly is not None:
            out["planned_weekly"] = c.planned_weekly
        return out

    out: dict[str, Any] = {
        "agreement_id": agreement.agreement_id,
        "name": agreement.name,
        "category": agreement.category,
        "stage": agreement.stage,
        "parties": list(agreement.parties),
        "valid_from": day(agreement.valid_from),
        "valid_to": day(agreement.valid_to),
        "parent_id": agreement.parent_id,
        "care_types": [care_type(c) for c in agreement.care_types],
    }
    if agreement.secondment_rates:
        out["secondment_rates"] = [
            {
                "role": r.role,
                "rate_eur": format_cents(r.rate_cents),
                "vat_rate": str(r.vat_rate),
                "valid_from": day(r.valid_from),
                "valid_to": day(r.valid_to),
            }
            for r in agreement.secondment_rates
        ]
    if agreement.payment_term_days != DEFAULT_PAYMENT_TERM_DAYS:
        out["payment_term_days"] = agreement.payment_term_days
    if agreement.costs:
        out["costs"] = [
            {
                "cost_id": c.cost_id,
                "description": c.description,
                "year": c.year,
                "amount_eur": format_cents(c.amount_cents),
                "paid_by": c.paid_by,
                "key": dict(c.key),
            }
            for c in agreement.costs
        ]
    return out
