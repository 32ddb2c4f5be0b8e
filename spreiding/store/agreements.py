"""Agreements in the database: stored as rows of seven tables, read back as the values of
``spreiding.domain.agreements``.

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
    detail = "; ".join(
        f"{name}: stored {stored_json[name]!r}, dataset {incoming_json[name]!r}"
        if name != "care_types"
        else "care_types differ"
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
            }
        )
        rows[tables.AgreementParty] += [
            {"agreement_id": a.agreement_id, "position": i, "agb": agb}
            for i, agb in enumerate(a.parties)
        ]
        for position, c in enumerate(a.care_types):
            key = {"agreement_id": a.agreement_id, "care_type": c.care_type}
            terms = c.settlement
            rows[tables.CareType].append(
                key
                | {
                    "position": position,
                    "performing_agb": c.performing_agb,
                    "method": terms.method,
                    "price_list": terms.price_list,
                    "share": None if terms.share is None else str(terms.share),
                    "fee_cents": terms.fee_cents,
                }
            )
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
    care_types: dict[str, list[domain.CareType]] = {}
    for row in fetch(tables.CareType, "agreement_id", "position"):
        key = (row.agreement_id, row.care_type)
        care_types.setdefault(row.agreement_id, []).append(
            domain.CareType(
                care_type=row.care_type,
                zorgproduct_codes=tuple(codes.get((*key, "code"), ())),
                zorgproductgroepen=tuple(codes.get((*key, "group"), ())),
                performing_agb=row.performing_agb,
                settlement=domain.SettlementTerms(
                    method=row.method,
                    price_list=row.price_list,
                    share=None if row.share is None else Decimal(row.share),
                    fee_cents=row.fee_cents,
                ),
                parallel_consents=tuple(consents.get(key, ())),
                planned_volume=tuple(volumes.get(key, ())),
                pathway=tuple(steps.get(key, ())),
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
        )
        for row in fetch(tables.Agreement, "agreement_id")
    ]
