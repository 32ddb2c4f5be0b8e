"""The database tables. Money is integer cents in BIGINT columns (a 32-bit INTEGER would
overflow at EUR 21.4m); shares are kept as the text the agreement gives (``0.90``), so
that nothing is lost in a round trip. The schema itself is created by the Alembic migrations
in ``spreiding/migrations``, never by ``create_all`` in production code."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKeyConstraint,
    Index,
    Table,
    Text,
    text,
)
from sqlmodel import Field, SQLModel


def cents_column() -> Column[int]:
    return Column(BigInteger, nullable=False)


def zero_cents_column() -> Column[int]:
    """Cents added to a table that has rows already: 0 for those (migration 0011)."""
    return Column(BigInteger, nullable=False, server_default=text("0"))


class Hospital(SQLModel, table=True):
    agb: str = Field(primary_key=True, max_length=8)
    name: str
    kind: str = Field(max_length=16)
    iban: str | None = Field(default=None, max_length=34)
    address: str | None = None


class Insurer(SQLModel, table=True):
    uzovi: str = Field(primary_key=True, max_length=4)
    name: str


class Agreement(SQLModel, table=True):
    agreement_id: str = Field(primary_key=True)
    name: str
    category: str = Field(max_length=32)
    stage: str = Field(max_length=32)
    valid_from: date
    valid_to: date | None = None
    # Not a foreign key: a framework agreement may arrive in the same import as its children.
    parent_id: str | None = None
    payment_term_days: int = Field(default=30, sa_column_kwargs={"server_default": "30"})


class AgreementParty(SQLModel, table=True):
    __tablename__ = "agreement_party"
    agreement_id: str = Field(primary_key=True, foreign_key="agreement.agreement_id")
    position: int = Field(primary_key=True)
    agb: str = Field(foreign_key="hospital.agb", max_length=8)


class CareType(SQLModel, table=True):
    __tablename__ = "care_type"
    agreement_id: str = Field(primary_key=True, foreign_key="agreement.agreement_id")
    care_type: str = Field(primary_key=True)
    position: int
    performing_agb: str | None = Field(default=None, foreign_key="hospital.agb", max_length=8)
    method: str = Field(max_length=32)
    price_list: str | None = None
    share: str | None = None
    fee_cents: int | None = Field(default=None, sa_type=BigInteger)
    # v2: the year whose price applies, the share past a ceiling, patients per ISO week, and a
    # parallel care type's terms for insurers that did not consent (otherwise_*; NULL: none).
    price_year: str = Field(default="end", max_length=8, sa_column_kwargs={"server_default": "end"})
    share_above_ceiling: str | None = None
    planned_weekly: int | None = None
    otherwise_method: str | None = Field(default=None, max_length=32)
    otherwise_price_list: str | None = None
    otherwise_share: str | None = None
    otherwise_fee_cents: int | None = Field(default=None, sa_type=BigInteger)
    otherwise_price_year: str | None = Field(default=None, max_length=8)
    otherwise_share_above_ceiling: str | None = None


class _CareTypeChild(SQLModel):
    agreement_id: str = Field(primary_key=True)
    care_type: str = Field(primary_key=True)


def _care_type_fk() -> tuple[ForeignKeyConstraint]:
    return (
        ForeignKeyConstraint(
            ["agreement_id", "care_type"], ["care_type.agreement_id", "care_type.care_type"]
        ),
    )


class CareTypeProduct(_CareTypeChild, table=True):
    """A zorgproduct code (``kind='code'``) or zorgproductgroep (``kind='group'``) covered."""

    __tablename__ = "care_type_product"
    __table_args__ = _care_type_fk()
    kind: str = Field(primary_key=True, max_length=5)
    position: int = Field(primary_key=True)
    code: str = Field(max_length=9)


class ParallelConsent(_CareTypeChild, table=True):
    __tablename__ = "parallel_consent"
    __table_args__ = _care_type_fk()
    position: int = Field(primary_key=True)
    uzovi: str = Field(foreign_key="insurer.uzovi", max_length=4)
    valid_from: date
    valid_to: date | None = None


class PlannedVolume(_CareTypeChild, table=True):
    __tablename__ = "planned_volume"
    __table_args__ = _care_type_fk()
    year: int = Field(primary_key=True)
    patients: int


class PathwayStep(_CareTypeChild, table=True):
    __tablename__ = "pathway_step"
    __table_args__ = _care_type_fk()
    position: int = Field(primary_key=True)
    phase: str = Field(max_length=16)
    at: str = Field(max_length=8)


class SettlementCeiling(_CareTypeChild, table=True):
    """A ceiling of the care type's settlement terms (``terms='settlement'``) or of its
    ``otherwise`` terms (``terms='otherwise'``): the number of DBCs of ``year`` at ``share``."""

    __tablename__ = "settlement_ceiling"
    __table_args__ = _care_type_fk()
    terms: str = Field(primary_key=True, max_length=16)
    year: int = Field(primary_key=True)
    dbcs: int


class SecondmentRate(SQLModel, table=True):
    __tablename__ = "secondment_rate"
    agreement_id: str = Field(primary_key=True, foreign_key="agreement.agreement_id")
    position: int = Field(primary_key=True)
    role: str
    rate_cents: int = Field(sa_column=cents_column())
    vat_rate: str  # as the agreement writes it ("0.21"), like a share
    valid_from: date
    valid_to: date | None = None


class AgreementCost(SQLModel, table=True):
    __tablename__ = "agreement_cost"
    agreement_id: str = Field(primary_key=True, foreign_key="agreement.agreement_id")
    cost_id: str = Field(primary_key=True)
    position: int
    description: str
    year: int
    amount_cents: int = Field(sa_column=cents_column())
    paid_by: str = Field(foreign_key="hospital.agb", max_length=8)


class CostKey(SQLModel, table=True):
    """One weight of a cost's key, in the order the agreement gives them."""

    __tablename__ = "cost_key"
    __table_args__ = (
        ForeignKeyConstraint(
            ["agreement_id", "cost_id"], ["agreement_cost.agreement_id", "agreement_cost.cost_id"]
        ),
    )
    agreement_id: str = Field(primary_key=True)
    cost_id: str = Field(primary_key=True)
    position: int = Field(primary_key=True)
    agb: str = Field(foreign_key="hospital.agb", max_length=8)
    weight: int


class Price(SQLModel, table=True):
    price_list: str = Field(primary_key=True)
    year: int = Field(primary_key=True)
    zorgproduct_code: str = Field(primary_key=True, max_length=9)
    price_cents: int = Field(sa_column=cents_column())


class Dbc(SQLModel, table=True):
    __table_args__ = (Index("ix_dbc_odv_end", "odv", "end_date"),)
    agb: str = Field(primary_key=True, foreign_key="hospital.agb", max_length=8)
    dbc_id: str = Field(primary_key=True)
    patient_ref: str
    zorgproduct_code: str = Field(max_length=9)
    start_date: date
    end_date: date | None = None
    odv: bool
    requesting_agb: str | None = Field(default=None, foreign_key="hospital.agb", max_length=8)
    primary_dbc_id: str | None = None
    specialism: str | None = Field(default=None, max_length=4)
    diagnosis: str | None = None
    zorgtype: str | None = None
    # Not a foreign key: added by migration 0009 with ALTER TABLE, which on SQLite cannot add
    # one; the reader checks it against insurers.csv.
    uzovi: str | None = Field(default=None, max_length=4)


class Declaration(SQLModel, table=True):
    __table_args__ = (Index("ix_declaration_patient", "uzovi", "patient_ref"),)
    declaration_id: str = Field(primary_key=True)
    agb: str = Field(foreign_key="hospital.agb", max_length=8)
    uzovi: str = Field(foreign_key="insurer.uzovi", max_length=4)
    patient_ref: str
    zorgproduct_code: str = Field(max_length=9)
    start_date: date
    end_date: date
    amount_cents: int = Field(sa_column=cents_column())
    declared_on: date
    dbc_id: str | None = None
    declaratiecode: str | None = Field(default=None, max_length=6)


class Transfer(SQLModel, table=True):
    __table_args__ = _care_type_fk()
    transfer_id: str = Field(primary_key=True)
    agreement_id: str
    care_type: str
    patient_ref: str
    from_agb: str = Field(foreign_key="hospital.agb", max_length=8)
    to_agb: str = Field(foreign_key="hospital.agb", max_length=8)
    transfer_date: date
    status: str = Field(max_length=16)
    phase: str | None = Field(default=None, max_length=16)


class Hours(SQLModel, table=True):
    """A ``hours.csv`` row (contract §5): hours in hundredths (``7.50`` hours: 750)."""

    __tablename__ = "hours"
    __table_args__ = (
        *_care_type_fk(),
        ForeignKeyConstraint(["agreement_id"], ["agreement.agreement_id"]),
    )
    hours_id: str = Field(primary_key=True)
    agreement_id: str
    employer_agb: str = Field(foreign_key="hospital.agb", max_length=8)
    host_agb: str = Field(foreign_key="hospital.agb", max_length=8)
    role: str
    work_date: date
    hours_hundredths: int
    person_ref: str | None = None
    care_type: str | None = None
    specialism: str | None = Field(default=None, max_length=4)


# --- settlement runs ------------------------------------------------------------------------
# A run is 'draft' until finalised; a 'final' run and everything under it can never be changed
# or deleted: the database refuses it (triggers of migration 0002), not only the code.


class SettlementRun(SQLModel, table=True):
    __tablename__ = "settlement_run"
    __table_args__ = (
        # A year has at most one final settlement; corrections of it may be final too.
        Index(
            "ux_settlement_run_final_year",
            "year",
            unique=True,
            postgresql_where=text("status = 'final' AND kind = 'settlement'"),
            sqlite_where=text("status = 'final' AND kind = 'settlement'"),
        ),
        # Corrections form one chain: a run is corrected by at most one final correction.
        Index(
            "ux_settlement_run_final_correction",
            "corrects_run_id",
            unique=True,
            postgresql_where=text("status = 'final' AND kind = 'correction'"),
            sqlite_where=text("status = 'final' AND kind = 'correction'"),
        ),
    )
    run_id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)  # settlement | correction
    status: str = Field(max_length=8)  # draft | final
    year: int
    netting: str = Field(max_length=16)
    fingerprint: str = Field(max_length=64, index=True)
    corrects_run_id: int | None = Field(default=None, foreign_key="settlement_run.run_id")
    total_cents: int = Field(sa_column=cents_column())


class _RunChild(SQLModel):
    run_id: int = Field(primary_key=True, foreign_key="settlement_run.run_id")
    seq: int = Field(primary_key=True)


class SettlementLine(_RunChild, table=True):
    __tablename__ = "settlement_line"
    __table_args__ = (Index("ix_settlement_line_pair", "run_id", "debtor_agb", "creditor_agb"),)
    creditor_agb: str = Field(max_length=8)
    debtor_agb: str = Field(max_length=8)
    dbc_id: str
    patient_ref: str
    agreement_id: str
    care_type: str
    zorgproduct_code: str = Field(max_length=9)
    end_date: date
    method: str = Field(max_length=16)
    unit_price_cents: int = Field(sa_column=cents_column())
    share: str = Field(max_length=16)
    amount_cents: int = Field(sa_column=cents_column())
    change: str | None = Field(default=None, max_length=16)  # corrections: new|withdrawn|changed


class SettlementExclusion(_RunChild, table=True):
    __tablename__ = "settlement_exclusion"
    __table_args__ = (Index("ix_settlement_exclusion_pair", "run_id", "agb", "requesting_agb"),)
    agb: str = Field(max_length=8)
    dbc_id: str
    reason: str = Field(max_length=32)
    requesting_agb: str | None = Field(default=None, max_length=8)


class SettlementPair(_RunChild, table=True):
    """A pair's DBC lines (count, amount) and, contract v2, its hours, costs and the hours'
    VAT (0 in runs stored before migration 0011); its total is the four added."""

    __tablename__ = "settlement_pair"
    debtor_agb: str = Field(max_length=8)
    creditor_agb: str = Field(max_length=8)
    lines: int
    amount_cents: int = Field(sa_column=cents_column())
    hours_cents: int = Field(default=0, sa_column=zero_cents_column())
    costs_cents: int = Field(default=0, sa_column=zero_cents_column())
    vat_cents: int = Field(default=0, sa_column=zero_cents_column())


class SettlementPosition(_RunChild, table=True):
    __tablename__ = "settlement_position"
    agb: str = Field(max_length=8)
    receivable_cents: int = Field(sa_column=cents_column())
    payable_cents: int = Field(sa_column=cents_column())
    net_cents: int = Field(sa_column=cents_column())


class SettlementHoursLine(_RunChild, table=True):
    """An hours line of a run (contract §5); ``hours`` the text of the JSON (``7.50``)."""

    __tablename__ = "settlement_hours_line"
    __table_args__ = (
        Index("ix_settlement_hours_line_pair", "run_id", "debtor_agb", "creditor_agb"),
    )
    creditor_agb: str = Field(max_length=8)
    debtor_agb: str = Field(max_length=8)
    hours_id: str
    agreement_id: str
    role: str
    work_date: date
    hours: str = Field(max_length=8)
    rate_cents: int = Field(sa_column=cents_column())
    amount_cents: int = Field(sa_column=cents_column())
    vat_rate: str = Field(max_length=16)
    vat_cents: int = Field(sa_column=cents_column())
    change: str | None = Field(default=None, max_length=16)  # corrections: new|withdrawn|changed


class SettlementCostLine(_RunChild, table=True):
    """A cost line of a run (contract §6): a party's part of a shared cost, owed to the payer."""

    __tablename__ = "settlement_cost_line"
    __table_args__ = (
        Index("ix_settlement_cost_line_pair", "run_id", "debtor_agb", "creditor_agb"),
    )
    creditor_agb: str = Field(max_length=8)
    debtor_agb: str = Field(max_length=8)
    agreement_id: str
    cost_id: str
    weight: int
    amount_cents: int = Field(sa_column=cents_column())
    change: str | None = Field(default=None, max_length=16)


class SettlementHoursExclusion(_RunChild, table=True):
    """An hours row of the year that was not settled, and why (NO_AGREEMENT, NO_RATE)."""

    __tablename__ = "settlement_hours_exclusion"
    hours_id: str
    reason: str = Field(max_length=32)
    employer_agb: str = Field(max_length=8)
    host_agb: str = Field(max_length=8)


class SettlementPayment(_RunChild, table=True):
    __tablename__ = "settlement_payment"
    from_agb: str = Field(max_length=8)
    to_agb: str = Field(max_length=8)
    amount_cents: int = Field(sa_column=cents_column())


# --- audit runs -----------------------------------------------------------------------------


class AuditRun(SQLModel, table=True):
    __tablename__ = "audit_run"
    run_id: int | None = Field(default=None, primary_key=True)
    year: int
    fingerprint: str = Field(max_length=64, index=True)
    findings: int


class AuditFinding(SQLModel, table=True):
    __tablename__ = "audit_finding"
    run_id: int = Field(primary_key=True, foreign_key="audit_run.run_id")
    seq: int = Field(primary_key=True)
    rule: str = Field(max_length=16)
    severity: str = Field(max_length=8)
    agb: str = Field(max_length=8)
    uzovi: str | None = Field(default=None, max_length=4)
    declaration_id: str | None = None
    dbc_id: str | None = None
    transfer_id: str | None = None
    related: str  # the related ids, space-separated, sorted
    amount_at_stake_cents: int | None = Field(default=None, sa_type=BigInteger)
    message: str


# --- API keys and idempotency ----------------------------------------------------------------


class ApiKey(SQLModel, table=True):
    """An API key: only a SHA-256 of its secret is stored. ``agb`` for a hospital key,
    ``uzovi`` for an insurer key; a bureau key's agreements are in ``api_key_agreement``."""

    __tablename__ = "api_key"
    key_id: str = Field(primary_key=True, max_length=16)
    secret_sha256: str = Field(max_length=64)
    role: str = Field(max_length=16)  # hospital | bureau | insurer | admin
    agb: str | None = Field(default=None, foreign_key="hospital.agb", max_length=8)
    uzovi: str | None = Field(default=None, foreign_key="insurer.uzovi", max_length=4)
    label: str = ""
    # Aware datetimes in UTC (migration 0008). NULL created_at: issued before 0008; NULL
    # expires_at: holds until revoked.
    created_at: datetime | None = None
    expires_at: datetime | None = None
    revoked_at: datetime | None = None


class AuthFailure(SQLModel, table=True):
    """A failed authentication, kept for the rate limit's window (``services.access``).
    ``scope``: ``address:<client address>`` or ``key:<key id>``."""

    __tablename__ = "auth_failure"
    __table_args__ = (
        Index("ix_auth_failure_scope_failed_at", "scope", "failed_at"),
        Index("ix_auth_failure_failed_at", "failed_at"),
    )
    failure_id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(max_length=64)
    failed_at: datetime


class ApiKeyAgreement(SQLModel, table=True):
    __tablename__ = "api_key_agreement"
    key_id: str = Field(primary_key=True, foreign_key="api_key.key_id", max_length=16)
    agreement_id: str = Field(primary_key=True, foreign_key="agreement.agreement_id")


class IdempotencyRecord(SQLModel, table=True):
    """The first response to a creating request with an ``Idempotency-Key``, per API key."""

    __tablename__ = "idempotency_record"
    key_id: str = Field(primary_key=True, max_length=16)
    idempotency_key: str = Field(primary_key=True, max_length=200)
    request_sha256: str = Field(max_length=64)
    status_code: int
    body: str


# --- the event log and payments (migration 0010) -------------------------------------------


class EventLog(SQLModel, table=True):
    """One state change (``spreiding.domain.events``). Append-only: the database refuses
    UPDATE and DELETE (migration 0010). ``hospitals``: AGB codes between spaces."""

    __tablename__ = "event_log"
    __table_args__ = (Index("ix_event_log_kind_subject", "kind", "subject"),)
    seq: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    at: str = Field(max_length=32)  # UTC, ISO 8601 with microseconds and Z
    actor: str = Field(max_length=200)
    role: str = Field(max_length=16)
    tenant: str | None = Field(default=None, max_length=8)
    kind: str = Field(max_length=32)
    subject: str = Field(max_length=300)
    hospitals: str = Field(sa_column=Column(Text, nullable=False))
    payload: str = Field(sa_column=Column(Text, nullable=False))  # canonical JSON
    hash: str = Field(max_length=64)


class RegisteredPayment(SQLModel, table=True):
    """A payment against the netting payment ``(run_id, seq)`` of ``settlement_payment``."""

    __tablename__ = "registered_payment"
    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="ck_registered_payment_amount"),
        ForeignKeyConstraint(
            ["run_id", "seq"], ["settlement_payment.run_id", "settlement_payment.seq"]
        ),
        Index("ux_registered_payment_reference", "run_id", "seq", "reference", unique=True),
        Index("ix_registered_payment_from", "from_agb"),
        Index("ix_registered_payment_to", "to_agb"),
    )
    payment_id: int | None = Field(default=None, primary_key=True)
    run_id: int
    seq: int
    from_agb: str = Field(max_length=8)
    to_agb: str = Field(max_length=8)
    paid_on: date
    amount_cents: int = Field(sa_column=cents_column())
    reference: str = Field(max_length=200)
    registered_at: str = Field(max_length=32)  # UTC, as the event log writes it
    registered_by: str = Field(max_length=200)  # the actor, as in the event log


class Invoice(SQLModel, table=True):
    """An invoice (or credit note) of a final run's pair (migration 0012, contract §8): numbered
    per creditor and year without gaps; never updated or deleted."""

    __tablename__ = "invoice"
    __table_args__ = (
        CheckConstraint("seq > 0", name="ck_invoice_seq"),
        CheckConstraint("total_cents <> 0", name="ck_invoice_total"),
        CheckConstraint("kind IN ('invoice', 'credit_note')", name="ck_invoice_kind"),
        Index("ux_invoice_number", "number", unique=True),
        Index("ux_invoice_pair", "run_id", "debtor_agb", "creditor_agb", unique=True),
        Index("ix_invoice_debtor", "debtor_agb"),
        ForeignKeyConstraint(["run_id"], ["settlement_run.run_id"]),
    )
    creditor_agb: str = Field(primary_key=True, max_length=8)
    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    number: str = Field(max_length=32)
    kind: str = Field(max_length=16)
    run_id: int
    debtor_agb: str = Field(max_length=8)
    invoice_date: date
    due_date: date
    term_days: int
    amount_cents: int = Field(sa_column=cents_column())
    hours_cents: int = Field(sa_column=cents_column())
    costs_cents: int = Field(sa_column=cents_column())
    vat_cents: int = Field(sa_column=cents_column())
    total_cents: int = Field(sa_column=cents_column())
    payment_seq: int | None = None
    issued_at: str = Field(max_length=32)  # UTC, as the event log writes it
    issued_by: str = Field(max_length=200)  # the actor, as in the event log


class PairSignoff(SQLModel, table=True):
    """A hospital's acceptance or dispute of one pair of a draft run (migration 0013): the
    latest of a hospital for a pair counts; never updated or deleted."""

    __tablename__ = "pair_signoff"
    __table_args__ = (
        CheckConstraint("decision IN ('accept', 'dispute')", name="ck_pair_signoff_decision"),
        Index("ix_pair_signoff_run", "run_id"),
        ForeignKeyConstraint(["run_id"], ["settlement_run.run_id"]),
    )
    signoff_id: int | None = Field(default=None, primary_key=True)
    run_id: int
    debtor_agb: str = Field(max_length=8)
    creditor_agb: str = Field(max_length=8)
    agb: str = Field(max_length=8)  # the hospital that signs: the debtor or the creditor
    decision: str = Field(max_length=8)
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    lines: str = Field(sa_column=Column(Text, nullable=False))  # JSON list of line ids
    at: str = Field(max_length=32)  # UTC, as the event log writes it
    actor: str = Field(max_length=200)


def table_of(model: type) -> Table:
    """The Core ``Table`` of a table model (SQLModel declares it untyped)."""
    table = getattr(model, "__table__", None)
    assert isinstance(table, Table), f"{model.__name__} is not a table model"
    return table
