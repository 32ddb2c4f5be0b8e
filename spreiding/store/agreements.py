"""Agreements in the database: stored as rows of eleven tables, read back as the values of
``spreiding.domain.agreements``. Contract v2: a care type's row also holds its ``price_year``,
``share_above_ceiling``, ``planned_weekly`` and its ``otherwise`` terms (``otherwise_*``
columns), ceilings are rows of ``settlement_ceiling`` (``terms`` says whose: ``settlement`` or
``otherwise``), and an agreement's ``secondment_rates`` and ``costs`` (with each weight of a
cost's key in ``cost_key``) have tables of their own.

The same agreement stored again changes nothing; another agreement under a stored id is a
conflict that names every field that differs (``agreements (x) is stored with other values:
stage: stored 'uitvoeren', dataset 'verkennen'``). Compared for a principal, a stored agreement
it may not see is neither unchanged nor a conflict but ``hidden``: nothing of it is told.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, insert, select

from spreiding.domain import agreements as domain
from spreiding.domain.access import Principal
from spreiding.domain.errors import DatasetConflict
from spreiding.store import tables, visibility

_table = tables.table_of


def stored_agreements(
    connection: Connection, ids: Collection[str] | None = None
) -> list[domain.Agreement]:
    """Every stored agreement, by id; only those of ``ids`` when given."""
    return _load_agreements(connection, ids)


def store_agreements(connection: Connection, agreements: list[domain.Agreement]) -> int:
    """Store agreements not stored yet; the same agreement again changes nothing; another
    agreement under a stored id is a conflict. Returns how many were added."""
    compared = compare_agreements(connection, agreements)
    if compared.clashes:
        raise DatasetConflict(compared.clashes)
    insert_agreements(connection, compared.fresh)
    return len(compared.fresh)


@dataclass(frozen=True)
class AgreementComparison:
    """What storing agreements would do: ``fresh`` ones are not stored yet, ``unchanged`` are
    stored alike, ``clashes`` name those stored with other values (both versions); ``hidden``
    are stored under an id the principal may not see, alike or not (neither is told)."""

    fresh: list[domain.Agreement]
    unchanged: int
    clashes: list[str]
    hidden: list[domain.Agreement]


def compare_agreements(
    connection: Connection,
    agreements: Iterable[domain.Agreement],
    principal: Principal | None = None,
) -> AgreementComparison:
    """Compare agreements with those stored under their ids (only those are read), for
    ``principal`` (None: one who sees every agreement)."""
    incoming = list(agreements)
    ids = {a.agreement_id for a in incoming}
    stored = {a.agreement_id: a for a in _load_agreements(connection, ids)}
    seen = set(stored)
    if principal is not None and not principal.is_admin and stored:
        seen &= set(visibility.visible_agreement_ids(connection, principal))
    known = [a for a in incoming if a.agreement_id in seen]
    return AgreementComparison(
        fresh=[a for a in incoming if a.agreement_id not in stored],
        unchanged=sum(stored[a.agreement_id] == a for a in known),
        clashes=[
            _agreement_conflict(stored[a.agreement_id], a)
            for a in known
            if stored[a.agreement_id] != a
        ],
        hidden=[a for a in incoming if a.agreement_id in stored and a.agreement_id not in seen],
    )


def _agreement_conflict(stored: domain.Agreement, incoming: domain.Agreement) -> str:
    fields = [
        name
        for name in domain.Agreement.__dataclass_fields__
        if getattr(stored, name) != getattr(incoming, name)
    ]
    stored_json = domain.agreement_to_json(stored)
    incoming_json = domain.agreement_to_json(incoming)

    # A v2 field at its default is left out of the JSON: shown as the value it is.
    def shown(agreement: domain.Agreement, values: dict[str, Any], name: str) -> Any:
        return values.get(name, getattr(agreement, name))

    detail = "; ".join(
        f"{name}: stored {shown(stored, stored_json, name)!r}, "
        f"dataset {shown(incoming, incoming_json, name)!r}"
        if name not in ("care_types", "secondment_rates", "costs")
        else f"{name} differ"
        for name in fields
    )
    return f"agreements ({incoming.agreement_id}) is stored with other values: {detail}"


def insert_agreements(connection: Connection, agreements: list[domain.Agreement]) -> None:
    rows: dict[type, list[dict[str, Any]]] = {
        tables.Agreement: [],
        tables.AgreementParty: [],
        tables.CareType: [],
        tables.CareTypeProduct: [],
        tables.ParallelConsent: [],
        tables.PlannedVolume: [],
        tables.PathwayStep: [],
        tables.SettlementCeiling: [],
        tables.SecondmentRate: [],
        tables.AgreementCost: [],
        tables.CostKey: [],
    }
    for a in agreements:
        rows[tables.Agreement].append(
            {
                "agreement_id": a.agreement_id,
                "name": a.name,
                "category": a.category,
                "stage": a.stage,
                "valid_from": a.valid_from,
                "valid_to": a.valid_to,
                "parent_id": a.parent_id,
                "payment_term_days": a.payment_term_days,
            }
        )
        rows[tables.SecondmentRate] += [
            {
                "agreement_id": a.agreement_id,
                "position": i,
                "role": r.role,
                "rate_cents": r.rate_cents,
                "vat_rate": str(r.vat_rate),
                "valid_from": r.valid_from,
                "valid_to": r.valid_to,
            }
            for i, r in enumerate(a.secondment_rates)
        ]
        for position, cost in enumerate(a.costs):
            cost_key = {"agreement_id": a.agreement_id, "cost_id": cost.cost_id}
            rows[tables.AgreementCost].append(
                cost_key
                | {
                    "position": position,
                    "description": cost.description,
                    "year": cost.year,
                    "amount_cents": cost.amount_cents,
                    "paid_by": cost.paid_by,
                }
            )
            rows[tables.CostKey] += [
                cost_key | {"position": i, "agb": agb, "weight": weight}
                for i, (agb, weight) in enumerate(cost.key)
            ]
        rows[tables.AgreementParty] += [
            {"agreement_id": a.agreement_id, "position": i, "agb": agb}
            for i, agb in enumerate(a.parties)
        ]
        for position, c in enumerate(a.care_types):
            key = {"agreement_id": a.agreement_id, "care_type": c.care_type}
            terms = c.settlement
            other = terms.otherwise
            rows[tables.CareType].append(
                key
                | {
                    "position": position,
                    "performing_agb": c.performing_agb,
                    "method": terms.method,
                    "price_list": terms.price_list,
                    "share": _text(terms.share),
                    "fee_cents": terms.fee_cents,
                    "price_year": terms.price_year,
                    "share_above_ceiling": _text(terms.share_above_ceiling),
                    "planned_weekly": c.planned_weekly,
                    "otherwise_method": None if other is None else other.method,
                    "otherwise_price_list": None if other is None else other.price_list,
                    "otherwise_share": None if other is None else _text(other.share),
                    "otherwise_fee_cents": None if other is None else other.fee_cents,
                    "otherwise_price_year": None if other is None else other.price_year,
                    "otherwise_share_above_ceiling": (
                        None if other is None else _text(other.share_above_ceiling)
                    ),
                }
            )
            for whose, t in (("settlement", terms), ("otherwise", other)):
                if t is not None:
                    rows[tables.SettlementCeiling] += [
                        key | {"terms": whose, "year": year, "dbcs": count}
                        for year, count in t.ceiling
                    ]
            rows[tables.CareTypeProduct] += [
                key | {"kind": "code", "position": i, "code": code}
                for i, code in enumerate(c.zorgproduct_codes)
            ] + [
                key | {"kind": "group", "position": i, "code": code}
                for i, code in enumerate(c.zorgproductgroepen)
            ]
            rows[tables.ParallelConsent] += [
                key
                | {
                    "position": i,
                    "uzovi": p.uzovi,
                    "valid_from": p.valid_from,
                    "valid_to": p.valid_to,
                }
                for i, p in enumerate(c.parallel_consents)
            ]
            rows[tables.PlannedVolume] += [
                key | {"year": year, "patients": patients} for year, patients in c.planned_volume
            ]
            rows[tables.PathwayStep] += [
                key | {"position": i, "phase": s.phase, "at": s.at} for i, s in enumerate(c.pathway)
            ]
    for model, batch in rows.items():
        if batch:
            connection.execute(insert(_table(model)), batch)


def _load_agreements(
    connection: Connection, ids: Collection[str] | None = None
) -> list[domain.Agreement]:
    def fetch(model: type, *order: str) -> list[Any]:
        table = _table(model)
        statement = select(table).order_by(*(table.c[o] for o in order))
        if ids is not None:
            statement = statement.where(table.c.agreement_id.in_(sorted(ids)))
        return list(connection.execute(statement))

    parties: dict[str, list[str]] = {}
    for row in fetch(tables.AgreementParty, "agreement_id", "position"):
        parties.setdefault(row.agreement_id, []).append(row.agb)
    codes: dict[tuple[str, str, str], list[str]] = {}
    for row in fetch(tables.CareTypeProduct, "agreement_id", "care_type", "kind", "position"):
        codes.setdefault((row.agreement_id, row.care_type, row.kind), []).append(row.code)
    consents: dict[tuple[str, str], list[domain.ParallelConsent]] = {}
    for row in fetch(tables.ParallelConsent, "agreement_id", "care_type", "position"):
        consents.setdefault((row.agreement_id, row.care_type), []).append(
            domain.ParallelConsent(row.uzovi, row.valid_from, row.valid_to)
        )
    volumes: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for row in fetch(tables.PlannedVolume, "agreement_id", "care_type", "year"):
        volumes.setdefault((row.agreement_id, row.care_type), []).append((row.year, row.patients))
    steps: dict[tuple[str, str], list[domain.PathwayStep]] = {}
    for row in fetch(tables.PathwayStep, "agreement_id", "care_type", "position"):
        steps.setdefault((row.agreement_id, row.care_type), []).append(
            domain.PathwayStep(row.phase, row.at)
        )
    ceilings: dict[tuple[str, str, str], list[tuple[int, int]]] = {}
    for row in fetch(tables.SettlementCeiling, "agreement_id", "care_type", "terms", "year"):
        ceilings.setdefault((row.agreement_id, row.care_type, row.terms), []).append(
            (row.year, row.dbcs)
        )
    rates: dict[str, list[domain.SecondmentRate]] = {}
    for row in fetch(tables.SecondmentRate, "agreement_id", "position"):
        rates.setdefault(row.agreement_id, []).append(
            domain.SecondmentRate(
                row.role, row.rate_cents, Decimal(row.vat_rate), row.valid_from, row.valid_to
            )
        )
    weights: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for row in fetch(tables.CostKey, "agreement_id", "cost_id", "position"):
        weights.setdefault((row.agreement_id, row.cost_id), []).append((row.agb, row.weight))
    costs: dict[str, list[domain.SharedCost]] = {}
    for row in fetch(tables.AgreementCost, "agreement_id", "position"):
        costs.setdefault(row.agreement_id, []).append(
            domain.SharedCost(
                cost_id=row.cost_id,
                description=row.description,
                year=row.year,
                amount_cents=row.amount_cents,
                paid_by=row.paid_by,
                key=tuple(weights.get((row.agreement_id, row.cost_id), ())),
            )
        )
    care_types: dict[str, list[domain.CareType]] = {}
    for row in fetch(tables.CareType, "agreement_id", "position"):
        key = (row.agreement_id, row.care_type)
        otherwise = None
        if row.otherwise_method is not None:
            otherwise = domain.SettlementTerms(
                method=row.otherwise_method,
                price_list=row.otherwise_price_list,
                share=_decimal(row.otherwise_share),
                fee_cents=row.otherwise_fee_cents,
                price_year=row.otherwise_price_year or "end",
                ceiling=tuple(ceilings.get((*key, "otherwise"), ())),
                share_above_ceiling=_decimal(row.otherwise_share_above_ceiling),
            )
        care_types.setdefault(row.agreement_id, []).append(
            domain.CareType(
                care_type=row.care_type,
                zorgproduct_codes=tuple(codes.get((*key, "code"), ())),
                zorgproductgroepen=tuple(codes.get((*key, "group"), ())),
                performing_agb=row.performing_agb,
                settlement=domain.SettlementTerms(
                    method=row.method,
                    price_list=row.price_list,
                    share=_decimal(row.share),
                    fee_cents=row.fee_cents,
                    price_year=row.price_year,
                    ceiling=tuple(ceilings.get((*key, "settlement"), ())),
                    share_above_ceiling=_decimal(row.share_above_ceiling),
                    otherwise=otherwise,
                ),
                parallel_consents=tuple(consents.get(key, ())),
                planned_volume=tuple(volumes.get(key, ())),
                pathway=tuple(steps.get(key, ())),
                planned_weekly=row.planned_weekly,
            )
        )
    return [
        domain.Agreement(
            agreement_id=row.agreement_id,
            name=row.name,
            category=row.category,
            stage=row.stage,
            parties=tuple(parties.get(row.agreement_id, ())),
            valid_from=row.valid_from,
            valid_to=row.valid_to,
            parent_id=row.parent_id,
            care_types=tuple(care_types.get(row.agreement_id, ())),
            secondment_rates=tuple(rates.get(row.agreement_id, ())),
            payment_term_days=row.payment_term_days,
            costs=tuple(costs.get(row.agreement_id, ())),
        )
        for row in fetch(tables.Agreement, "agreement_id")
    ]


def _text(value: Decimal | None) -> str | None:
    """A share or rate as the text the agreement gives (``0.90`` stays ``0.90``)."""
    return None if value is None else str(value)


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)
