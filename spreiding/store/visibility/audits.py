"""What a principal may see of audit runs: the findings it may read, and the runs' headers
counting those."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Select, and_, false, func, select, true
from sqlalchemy.sql.elements import ColumnElement

from spreiding.domain.access import Principal
from spreiding.domain.runs import StoredAudit
from spreiding.store.visibility.common import T, read_rows


def finding_condition(principal: Principal) -> ColumnElement[bool]:
    f = T["finding"]
    if principal.is_admin:
        return true()
    if principal.role == "insurer":
        return f.c.uzovi == principal.uzovi
    if principal.role == "hospital":
        return f.c.agb == principal.agb
    return false()


def _audit_headers(principal: Principal) -> Select[Any]:
    """Audit run headers as ``principal`` sees them: ``findings`` counts the findings it may
    read (an admin: all of them)."""
    a, f = T["audit_run"], T["finding"]
    if principal.is_admin:
        return select(a)
    count = (
        select(func.count())
        .select_from(f)
        .where(f.c.run_id == a.c.run_id, finding_condition(principal))
        .scalar_subquery()
    )
    return select(*(count.label(c.name) if c.name == "findings" else c for c in a.columns))


def audit_runs(connection: Connection, principal: Principal) -> list[StoredAudit]:
    a = T["audit_run"]
    if principal.role not in ("admin", "insurer", "hospital"):
        return []
    rows = connection.execute(_audit_headers(principal).order_by(a.c.run_id))
    return [StoredAudit(**row._mapping) for row in rows]


def audit_run(connection: Connection, principal: Principal, run_id: int) -> StoredAudit | None:
    a = T["audit_run"]
    if principal.role not in ("admin", "insurer", "hospital"):
        return None
    row = connection.execute(_audit_headers(principal).where(a.c.run_id == run_id)).first()
    return None if row is None else StoredAudit(**row._mapping)


def findings(connection: Connection, principal: Principal, run_id: int) -> list[dict[str, Any]]:
    f = T["finding"]
    columns = [c for c in f.columns if c.name not in ("run_id", "seq")]
    statement = (
        select(*columns)
        .where(and_(f.c.run_id == run_id, finding_condition(principal)))
        .order_by(f.c.seq)
    )
    return read_rows(connection, statement)
