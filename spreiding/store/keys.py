"""Who may see what: API keys, the principal behind a request, and its tenant.

Roles: ``hospital`` (one AGB) sees agreements it is a party to, and the runs, lines, statements,
DBCs, declarations and findings that concern it; ``insurer`` (one UZOVI) sees declarations sent
to it and findings on them; ``bureau`` sees its agreements and their transfers; ``admin`` sees
all. Keys are ``spr_<key_id>_<secret>``; only a SHA-256 of the secret is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import Connection, insert, select

from spreiding.domain.access import ROLES, InvalidKeyRequest, Principal
from spreiding.store import tables

KEY = tables.table_of(tables.ApiKey)
KEY_AGREEMENT = tables.table_of(tables.ApiKeyAgreement)
HOSPITAL = tables.table_of(tables.Hospital)
INSURER = tables.table_of(tables.Insurer)
AGREEMENT = tables.table_of(tables.Agreement)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(
    connection: Connection,
    *,
    role: str,
    agb: str | None = None,
    uzovi: str | None = None,
    agreements: tuple[str, ...] = (),
    label: str = "",
) -> str:
    """Store a new key and return it; it is shown once and cannot be recovered."""
    if role not in ROLES:
        raise InvalidKeyRequest(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    needs = {"hospital": agb, "insurer": uzovi, "bureau": agreements or None, "admin": True}
    if not needs[role]:
        what = {"hospital": "--agb", "insurer": "--uzovi", "bureau": "--agreement"}[role]
        raise InvalidKeyRequest(f"a {role} key needs {what}")
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(24)
    connection.execute(
        insert(KEY).values(
            key_id=key_id,
            secret_sha256=_digest(secret),
            role=role,
            agb=agb if role == "hospital" else None,
            uzovi=uzovi if role == "insurer" else None,
            label=label,
        )
    )
    if role == "bureau":
        connection.execute(
            insert(KEY_AGREEMENT), [{"key_id": key_id, "agreement_id": a} for a in agreements]
        )
    return f"spr_{key_id}_{secret}"


def authenticate(connection: Connection, presented: str) -> Principal | None:
    """The principal of a presented key, or None for an unknown or wrong key."""
    parts = presented.split("_", 2)
    if len(parts) != 3 or parts[0] != "spr":
        return None
    _, key_id, secret = parts
    row = connection.execute(select(KEY).where(KEY.c.key_id == key_id)).first()
    if row is None or not hmac.compare_digest(row.secret_sha256, _digest(secret)):
        return None
    agreements = frozenset(
        connection.execute(
            select(KEY_AGREEMENT.c.agreement_id).where(KEY_AGREEMENT.c.key_id == key_id)
        ).scalars()
    )
    return Principal(key_id, row.role, row.agb, row.uzovi, agreements)


def grant_agreement(connection: Connection, key_id: str, agreement_id: str) -> None:
    """Let bureau key ``key_id`` see ``agreement_id`` (and its transfers) from now on."""
    connection.execute(insert(KEY_AGREEMENT).values(key_id=key_id, agreement_id=agreement_id))


def hospital_stored(connection: Connection, agb: str) -> bool:
    found = connection.execute(select(HOSPITAL.c.agb).where(HOSPITAL.c.agb == agb)).first()
    return found is not None


def insurer_stored(connection: Connection, uzovi: str) -> bool:
    found = connection.execute(select(INSURER.c.uzovi).where(INSURER.c.uzovi == uzovi)).first()
    return found is not None


def agreements_not_stored(connection: Connection, agreement_ids: tuple[str, ...]) -> list[str]:
    """Those of ``agreement_ids`` that are not stored, in the order given."""
    stored = set(
        connection.execute(
            select(AGREEMENT.c.agreement_id).where(AGREEMENT.c.agreement_id.in_(agreement_ids))
        ).scalars()
    )
    return [a for a in dict.fromkeys(agreement_ids) if a not in stored]
