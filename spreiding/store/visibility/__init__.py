"""What a principal may see, written once as SQL conditions, and the reads narrowed by them.

A hospital (AGB 06010101) sees the runs with a line or an exclusion that concerns it, and of such
a run only those lines, exclusions, pairs, payments and its own position, and as the run's total
the total of those lines; an admin sees all.
Services call these reads; no other module filters by tenant (``spreiding.store.keys`` says who
the principal is).

The rules are in ``dataset``, ``runs`` and ``audits``; ``from spreiding.store import visibility``
takes each of them from here.
"""

from __future__ import annotations

from spreiding.store.visibility.audits import (
    audit_run,
    audit_runs,
    finding_condition,
    findings,
)
from spreiding.store.visibility.common import T
from spreiding.store.visibility.dataset import (
    agreement_condition,
    agreement_ids,
    agreement_names,
    alliance,
    dbc_condition,
    dbcs,
    declaration_condition,
    declarations,
    hospitals,
    hours,
    hours_condition,
    hours_row,
    insurers,
    known_hospitals,
    price_lists,
    prices,
    row_condition,
    transfer,
    transfer_condition,
    transfers,
    visible_agreement_ids,
)
from spreiding.store.visibility.runs import (
    NO_HOSPITAL,
    RUN_PARTS,
    run_condition,
    run_header,
    run_part,
    statement_pairs,
    visible_run,
    visible_runs,
)

__all__ = [
    "NO_HOSPITAL",
    "RUN_PARTS",
    "T",
    "agreement_condition",
    "agreement_ids",
    "agreement_names",
    "alliance",
    "audit_run",
    "audit_runs",
    "dbc_condition",
    "dbcs",
    "declaration_condition",
    "declarations",
    "finding_condition",
    "findings",
    "hospitals",
    "hours",
    "hours_condition",
    "hours_row",
    "insurers",
    "known_hospitals",
    "price_lists",
    "prices",
    "row_condition",
    "run_condition",
    "run_header",
    "run_part",
    "statement_pairs",
    "transfer",
    "transfer_condition",
    "transfers",
    "visible_agreement_ids",
    "visible_run",
    "visible_runs",
]
