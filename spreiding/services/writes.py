"""Who may write what: checked on every row a write would add or change, before anything is
written, whichever front end asks.

- An **admin** (and the command line, ``OPERATOR``) writes anything.
- A **bureau** writes within its alliance, the hospitals that are parties of the agreements
  its key holds: new agreements (or versions) between those hospitals only, which its key then
  holds as well; transfers under its agreements. Every other row it sends must be stored as
  it is and be one it may see: hospitals, insurers and prices sent again unchanged are
  harmless. It may not upload DBCs or declarations at all, nor an agreement or transfer of
  another alliance, not even unchanged: it may not see them, and an accepted copy would
  confirm a guess of what is stored.
- A **hospital** registers hours it hosts (the hospital that pays for them), one by one
  (``spreiding.services.hours``); hours it worked as the employer are the host's to register.
- **Hospital** keys write no other data (they settle and audit), **insurer** keys none.

A refused write is refused whole (``WriteNotPermitted``, nothing stored), each refused row
named ``FILE:LINE: COLUMN: message``: the row's key column and the rule it breaks, the same
for a row that does not exist and for another tenant's row, so the refusal tells nothing of
what is stored. A conflict (409, both versions named) is reported only for a row the caller
may see. Example: the bureau of ``samen-plus-liesbreuk-2024`` uploading five DBCs of
Flevoziekenhuis gets ``dbcs.csv:2: dbc_id: a bureau may not upload DBCs`` and four more
lines, and nothing is stored. docs/user-guide.md ("Who may write what") says the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection

from spreiding.domain.access import Principal
from spreiding.domain.dataset import SCHEMAS
from spreiding.domain.errors import DatasetError
from spreiding.services.access import require
from spreiding.services.errors import WriteNotPermitted
from spreiding.store import visibility
from spreiding.store.agreements import AgreementComparison
from spreiding.store.datasets import Comparison, ImportPlan
from spreiding.store.keys import grant_agreement

# The rule a bureau's row breaks, per table: one message whatever the row is (new, changed,
# or another tenant's), so that it tells nothing of what is stored.
RULES = {
    "hospitals": "a bureau may not add or change hospitals, only send stored ones again",
    "insurers": "a bureau may not add or change insurers, only send stored ones again",
    "prices": "a bureau may not add or change prices, only send stored ones again",
    "dbcs": "a bureau may not upload DBCs",
    "declarations": "a bureau may not upload declarations",
    "transfers": "a bureau may write only transfers under its own agreements",
    "hours": "a bureau may write only hours under its own agreements",
    "agreements": (
        "a bureau may write only its own agreements, and new ones between hospitals that are "
        "parties of its agreements"
    ),
}
# The rule a hospital's row breaks: it writes hours it hosts (it pays for them), nothing else.
HOSPITAL_RULES = {
    "hours": "a hospital may write only hours it hosts (host_agb: the hospital that pays)"
}
# The column a refusal names: the one that identifies the row.
KEY_COLUMN = {schema.name: schema.key[-1] for schema in SCHEMAS} | {"agreements": "agreement_id"}


@dataclass(frozen=True)
class RefusedRow:
    """A row the principal may not write: its table and its key (as text)."""

    table: str
    key: tuple[str, ...]
    role: str = "bureau"  # whose rule the row breaks

    def error(self, file: str, line: int) -> DatasetError:
        rules = HOSPITAL_RULES if self.role == "hospital" else RULES
        return DatasetError(file, line, KEY_COLUMN[self.table], rules[self.table])


def refused_agreements(
    connection: Connection, principal: Principal, compared: AgreementComparison
) -> tuple[list[RefusedRow], set[str]]:
    """The agreements ``principal`` may not write, and the ids of the agreements that are its
    own once these are stored (those its key holds and the new ones it may add)."""
    if principal.is_admin:
        return [], {a.agreement_id for a in compared.fresh}
    require(principal, "bureau")
    own = set(principal.agreements)
    refused = [RefusedRow("agreements", (a.agreement_id,)) for a in compared.hidden]
    if compared.fresh:
        alliance = visibility.alliance(connection, principal)
        for agreement in compared.fresh:
            if set(agreement.parties) <= alliance:
                own.add(agreement.agreement_id)
            else:
                refused.append(RefusedRow("agreements", (agreement.agreement_id,)))
    return refused, own


def refused_in_table(
    principal: Principal, name: str, compared: Comparison, own: set[str]
) -> list[RefusedRow]:
    """The rows of table ``name`` that ``principal`` may not write; ``own``: the agreements
    whose transfers and hours it may write. A hospital writes only hours it hosts."""
    if principal.is_admin:
        return []
    if principal.role == "hospital" and name == "hours":
        others = compared.fresh.loc[compared.fresh["host_agb"] != principal.agb]
        return [
            RefusedRow(name, key, "hospital")
            for frame in (compared.hidden, others)
            for key in _keys(frame, name)
        ]
    require(principal, "bureau")
    rows = [compared.hidden]
    if name in ("transfers", "hours"):
        rows.append(compared.fresh.loc[~compared.fresh["agreement_id"].isin(sorted(own))])
    else:
        rows += [compared.fresh, compared.clashing]
    return [RefusedRow(name, key) for frame in rows for key in _keys(frame, name)]


def refused_rows(
    connection: Connection, principal: Principal, plan: ImportPlan
) -> list[RefusedRow]:
    """Every row of an import that ``principal`` may not write."""
    refused, own = refused_agreements(connection, principal, plan.agreements)
    for name, compared in plan.tables.items():
        refused += refused_in_table(principal, name, compared, own)
    return refused


def refuse(rows: Iterable[RefusedRow], locate: Callable[[RefusedRow], tuple[str, int]]) -> None:
    """Raise ``WriteNotPermitted`` naming each row (``locate``: its file and line), if any."""
    errors = [row.error(*locate(row)) for row in rows]
    if errors:
        raise WriteNotPermitted(errors)


def keep_agreements(connection: Connection, principal: Principal, added: Iterable[str]) -> None:
    """The bureau that adds an agreement is the one that keeps it: its key now holds it."""
    if principal.role == "bureau":
        for agreement_id in added:
            grant_agreement(connection, principal.key_id, agreement_id)


def _keys(frame: pd.DataFrame, name: str) -> list[tuple[str, ...]]:
    schema = next(s for s in SCHEMAS if s.name == name)
    columns = [frame[column].astype("str").tolist() for column in schema.key]
    return list(zip(*columns, strict=True))
