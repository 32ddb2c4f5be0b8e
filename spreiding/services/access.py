"""Who may do what, and issuing API keys.

A use case names the roles that may start it (``require(principal, "admin", "hospital")``);
what a principal may *see* is narrowed in SQL by ``spreiding.store.visibility``. The command
line acts as ``OPERATOR``: whoever runs it holds the database, so it sees everything.
"""

from __future__ import annotations

from sqlalchemy import Connection

from spreiding.domain.access import InvalidKeyRequest, Principal
from spreiding.services.errors import Forbidden
from spreiding.store import keys

OPERATOR = Principal(key_id="operator", role="admin")


def require(principal: Principal, *roles: str) -> None:
    if principal.role not in roles:
        raise Forbidden(f"a {principal.role} key may not do this (needs: {', '.join(roles)})")


def create_api_key(
    connection: Connection,
    *,
    role: str,
    agb: str | None = None,
    uzovi: str | None = None,
    agreements: tuple[str, ...] = (),
    label: str = "",
) -> str:
    """Issue a key (``spr_<id>_<secret>``); it is returned once and stored only as a hash.
    Raises ``InvalidKeyRequest`` for a role without its tenant, or a tenant that is not
    stored (asked before inserting, so no database error ever shows the new key's row)."""
    if role == "hospital" and agb and not keys.hospital_stored(connection, agb):
        raise InvalidKeyRequest(f"there is no hospital with AGB {agb!r}; import it first")
    if role == "insurer" and uzovi and not keys.insurer_stored(connection, uzovi):
        raise InvalidKeyRequest(f"there is no insurer with UZOVI {uzovi!r}; import it first")
    missing = keys.agreements_not_stored(connection, agreements) if role == "bureau" else []
    if missing:
        named = ", ".join(repr(a) for a in missing)
        there = (
            f"there is no agreement {named}"
            if len(missing) == 1
            else (f"there are no agreements {named}")
        )
        raise InvalidKeyRequest(f"{there}; import it first")
    return keys.create_key(
        connection, role=role, agb=agb, uzovi=uzovi, agreements=agreements, label=label
    )
