"""Agreements: list, read, create and version, checked as the contract checks
``agreements.json``.

Example: a bureau key for ``samen-plus-liesbreuk-2024`` lists that one agreement; it may add
``samen-plus-liesbreuk-2026`` as a new version (its own id, the same parties), after which its
key sees both. The version it replaces stays as it was signed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from sqlalchemy import Connection

from spreiding.contract.agreements import parse_agreements
from spreiding.domain.access import Principal
from spreiding.domain.agreements import Agreement
from spreiding.domain.errors import DatasetError, DatasetInvalid
from spreiding.services.access import require
from spreiding.services.errors import NotFound
from spreiding.store import visibility
from spreiding.store.agreements import store_agreements, stored_agreements
from spreiding.store.keys import grant_agreement


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
    parsed, errors, _ = parse_agreements(
        json.dumps([dict(contract_json)]),
        hospitals={h["agb"] for h in visibility.hospitals(connection)},
        insurers={i["uzovi"] for i in visibility.insurers(connection)},
        price_lists={row["price_list"] for row in visibility.price_lists(connection)},
        known_ids=visibility.agreement_ids(connection),
    )
    if errors:
        raise DatasetInvalid(errors)
    added = store_agreements(connection, parsed)
    if principal.role == "bureau" and added:
        # The bureau that registers an agreement is the one that keeps it.
        grant_agreement(connection, principal.key_id, str(contract_json["agreement_id"]))
    return parsed[0]
