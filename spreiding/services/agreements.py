"""Agreements: list, read, create and version, checked as the contract checks
``agreements.json``.

Example: a bureau key for ``samen-plus-liesbreuk-2024`` lists that one agreement; it may add
``samen-plus-liesbreuk-2026`` as a new version (its own id, the same parties), after which its
key sees both. The version it replaces stays as it was signed. A bureau registers agreements
only between hospitals of its alliance (``spreiding.services.writes``); another bureau's id is
refused as such an agreement is, showing nothing of it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from sqlalchemy import Connection

from spreiding.contract.agreements import parse_agreements
from spreiding.domain.access import Principal
from spreiding.domain.agreements import Agreement
from spreiding.domain.errors import DatasetConflict, DatasetError, DatasetInvalid
from spreiding.services import trail, writes
from spreiding.services.access import require
from spreiding.services.errors import NotFound
from spreiding.store import visibility
from spreiding.store.agreements import compare_agreements, insert_agreements, stored_agreements
from spreiding.store.datasets import lock_for_import


def list_agreements(connection: Connection, principal: Principal) -> list[Agreement]:
    """The agreements ``principal`` may see, by id."""
    return stored_agreements(connection, visibility.visible_agreement_ids(connection, principal))


def get_agreement(connection: Connection, principal: Principal, agreement_id: str) -> Agreement:
    visible = set(visibility.visible_agreement_ids(connection, principal))
    found = stored_agreements(connection, {agreement_id} & visible)
    if not found:
        raise NotFound(f"there is no agreement {agreement_id!r}")
    return found[0]


def create_agreement(
    connection: Connection, principal: Principal, contract_json: Mapping[str, object]
) -> Agreement:
    """Store one agreement given in the contract's JSON form; raises ``DatasetInvalid`` with
    the contract's errors, ``DatasetConflict`` for another agreement under a stored id."""
    check_create(principal)
    return _create(connection, principal, contract_json)


def check_create(principal: Principal) -> None:
    """Whether ``principal`` may register agreements."""
    require(principal, "admin", "bureau")


def check_version(
    connection: Connection, principal: Principal, agreement_id: str, new_id: str
) -> None:
    """Whether ``principal`` may make ``new_id`` a new version of ``agreement_id``."""
    check_create(principal)
    if agreement_id not in set(visibility.visible_agreement_ids(connection, principal)):
        raise NotFound(f"there is no agreement {agreement_id!r}")
    if new_id == agreement_id:
        message = f"a new version needs an id of its own, not {agreement_id!r}"
        raise DatasetInvalid([DatasetError("request", 0, "agreement_id", message)])


def version_agreement(
    connection: Connection,
    principal: Principal,
    agreement_id: str,
    contract_json: Mapping[str, object],
) -> Agreement:
    """A new version of an agreement: a new agreement (its own id), valid from where the old
    one should stop. The old one is left as it was signed."""
    check_version(connection, principal, agreement_id, str(contract_json["agreement_id"]))
    return _create(connection, principal, contract_json)


def _create(
    connection: Connection, principal: Principal, contract_json: Mapping[str, object]
) -> Agreement:
    lock_for_import(connection)  # one writer at a time, as imports (store.datasets)
    parsed, errors, _ = parse_agreements(
        json.dumps([dict(contract_json)]),
        hospitals={h["agb"] for h in visibility.hospitals(connection)},
        insurers={i["uzovi"] for i in visibility.insurers(connection)},
        price_lists={row["price_list"] for row in visibility.price_lists(connection)},
        known_ids=visibility.agreement_ids(connection),
    )
    if errors:
        raise DatasetInvalid(errors)
    compared = compare_agreements(connection, parsed, principal)
    refused, _ = writes.refused_agreements(connection, principal, compared)
    writes.refuse(refused, lambda _row: ("agreements.json", 0))
    if compared.clashes:
        raise DatasetConflict(compared.clashes)
    insert_agreements(connection, compared.fresh)
    writes.keep_agreements(connection, principal, [a.agreement_id for a in compared.fresh])
    for agreement in compared.fresh:
        trail.record(
            connection,
            principal,
            kind="agreement.create",
            subject=f"agreement:{agreement.agreement_id}",
            hospitals=agreement.parties,
            payload={"agreement_id": agreement.agreement_id, "parent_id": agreement.parent_id},
        )
    return parsed[0]
