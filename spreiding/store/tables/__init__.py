"""The database tables. Money is integer cents in BIGINT columns (a 32-bit INTEGER would
overflow at EUR 21.4m); shares are kept as the text the agreement gives (``0.90``), so
that nothing is lost in a round trip. The schema itself is created by the Alembic migrations
in ``spreiding/migrations``, never by ``create_all`` in production code.

A module per kind of table; importing this package registers every table on
``SQLModel.metadata`` (the Alembic environment and the tests rely on it), and
``from spreiding.store.tables import X`` takes any model from here."""

from __future__ import annotations

from spreiding.store.tables.audit import (
    AuditFinding,
    AuditRun,
)
from spreiding.store.tables.columns import (
    cents_column,
    table_of,
    zero_cents_column,
)
from spreiding.store.tables.dataset import (
    Agreement,
    AgreementCost,
    AgreementParty,
    CareType,
    CareTypeProduct,
    CostKey,
    Dbc,
    Declaration,
    Hospital,
    Hours,
    Insurer,
    ParallelConsent,
    PathwayStep,
    PlannedVolume,
    Price,
    SecondmentRate,
    SettlementCeiling,
    Transfer,
)
from spreiding.store.tables.keys import (
    ApiKey,
    ApiKeyAgreement,
    AuthFailure,
    IdempotencyRecord,
)
from spreiding.store.tables.ledger import (
    EventLog,
    Invoice,
    PairSignoff,
    RegisteredPayment,
)
from spreiding.store.tables.runs import (
    SettlementCostLine,
    SettlementExclusion,
    SettlementHoursExclusion,
    SettlementHoursLine,
    SettlementLine,
    SettlementPair,
    SettlementPayment,
    SettlementPosition,
    SettlementRun,
)
from spreiding.store.tables.sessions import PageSession

__all__ = [
    "Agreement",
    "AgreementCost",
    "AgreementParty",
    "ApiKey",
    "ApiKeyAgreement",
    "AuditFinding",
    "AuditRun",
    "AuthFailure",
    "CareType",
    "CareTypeProduct",
    "CostKey",
    "Dbc",
    "Declaration",
    "EventLog",
    "Hospital",
    "Hours",
    "IdempotencyRecord",
    "Insurer",
    "Invoice",
    "PageSession",
    "PairSignoff",
    "ParallelConsent",
    "PathwayStep",
    "PlannedVolume",
    "Price",
    "RegisteredPayment",
    "SecondmentRate",
    "SettlementCeiling",
    "SettlementCostLine",
    "SettlementExclusion",
    "SettlementHoursExclusion",
    "SettlementHoursLine",
    "SettlementLine",
    "SettlementPair",
    "SettlementPayment",
    "SettlementPosition",
    "SettlementRun",
    "Transfer",
    "cents_column",
    "table_of",
    "zero_cents_column",
]
