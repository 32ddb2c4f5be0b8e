"""The event log and what follows a final run: registered payments, invoices and the
hospitals' sign-off of a draft run's pairs (migrations 0010, 0012, 0013)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, CheckConstraint, Column, ForeignKeyConstraint, Index, Text
from sqlmodel import Field, SQLModel

from spreiding.store.tables.columns import cents_column


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
