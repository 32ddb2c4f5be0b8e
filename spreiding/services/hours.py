"""Hours a hospital's staff worked at another hospital, registered one by one (contract §5).

Example: Groene Hart (the host, which pays) registers hours U1: 7.50 hours a
medisch-specialist of Alrijne (the employer) worked on 2024-03-04 under
``samen-plus-liesbreuk-2024``; the next run settles them at the agreement's secondment rate,
Alrijne the creditor. The row is checked by the rules of ``hours.csv`` (the reader's, not a
copy). Who may register: an admin (the command line); the bureau of the agreement; a hospital
only as the host of the hours. A refusal reads the same whether the agreement or the hours id
exists or not, when the caller may not see it (``spreiding.services.writes``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from spreiding.contract.reader import validate_hours
from spreiding.domain.access import Principal
from spreiding.domain.errors import DatasetConflict
from spreiding.services import trail, writes
from spreiding.services.access import require
from spreiding.services.errors import NotFound
from spreiding.store import visibility
from spreiding.store.agreements import stored_agreements
from spreiding.store.datasets import compare_hours, insert_hours, lock_for_import

REQUEST = ("request", 1)  # where a refused row is: the request body, as its one row


def hours_text(hundredths: int) -> str:
    """Hundredths of an hour as the file and the API write them: 750 -> ``7.50``."""
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def list_hours(
    connection: Connection,
    principal: Principal,
    *,
    limit: int,
    offset: int,
    agreement_id: str | None = None,
) -> list[dict[str, Any]]:
    """The hours ``principal`` may see (employer, host, the agreement's bureau), by id."""
    return visibility.hours(
        connection, principal, limit=limit, offset=offset, agreement_id=agreement_id
    )


def get_hours(connection: Connection, principal: Principal, hours_id: str) -> dict[str, Any]:
    row = visibility.hours_row(connection, principal, hours_id)
    if row is None:
        raise NotFound(f"there are no hours {hours_id!r}")
    return row


def check_registration(principal: Principal, agreement_id: str, host_agb: str) -> None:
    """Whether ``principal`` may register hours under ``agreement_id`` hosted by ``host_agb``:
    checked before the row is, so that the answer tells nothing of what is stored."""
    require(principal, "admin", "bureau", "hospital")
    if principal.role == "hospital" and host_agb.strip() != principal.agb:
        refused = writes.RefusedRow("hours", (agreement_id,), "hospital")
        writes.refuse([refused], lambda _row: REQUEST)
    if principal.role == "bureau" and agreement_id.strip() not in principal.agreements:
        writes.refuse([writes.RefusedRow("hours", (agreement_id,))], lambda _row: REQUEST)


def register_hours(
    connection: Connection, principal: Principal, row: Mapping[str, str | None]
) -> dict[str, Any]:
    """Check one hours row by the rules of ``hours.csv`` and store it. Only what the row names
    is read: its two hospitals, its agreement (a hospital: only one it is a party of, else it
    reads as unknown) and stored hours with its id."""
    # The reader reads an absent value as empty and strips blanks; so does this lookup.
    named = {column: str(value or "").strip() for column, value in row.items()}
    check_registration(principal, named.get("agreement_id", ""), named.get("host_agb", ""))
    lock_for_import(connection)  # one writer at a time, as imports (store.datasets)
    agreements = stored_agreements(connection, {named.get("agreement_id", "")})
    if principal.role == "hospital":
        agreements = [a for a in agreements if principal.agb in a.parties]
    frame = validate_hours(
        [named],
        hospitals=visibility.known_hospitals(
            connection, {named.get("employer_agb", ""), named.get("host_agb", "")}
        ),
        agreements=agreements,
    )
    compared = compare_hours(connection, frame, principal)
    own = set(principal.agreements)
    writes.refuse(writes.refused_in_table(principal, "hours", compared, own), lambda _: REQUEST)
    if compared.clashes:
        raise DatasetConflict(compared.clashes)
    insert_hours(connection, compared.fresh)
    stored = get_hours(connection, principal, named["hours_id"])
    if not compared.fresh.empty:
        trail.record(
            connection,
            principal,
            kind="hours.register",
            subject=f"hours:{stored['hours_id']}",
            hospitals=(stored["employer_agb"], stored["host_agb"]),
            payload={
                "hours_id": stored["hours_id"],
                "agreement_id": stored["agreement_id"],
                "hours": hours_text(stored["hours_hundredths"]),
            },
        )
    return stored
