"""Settlement runs and everything a run stores: lines, exclusions, pairs, positions, hours and
cost lines and netting payments."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel

from spreiding.store.tables.columns import cents_column, zero_cents_column

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
    # A pair's rows in the run's order straight from the index (migration 0015).
    __table_args__ = (
        Index("ix_settlement_line_pair", "run_id", "debtor_agb", "creditor_agb", "seq"),
    )
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
        Index("ix_settlement_hours_line_pair", "run_id", "debtor_agb", "creditor_agb", "seq"),
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
        Index("ix_settlement_cost_line_pair", "run_id", "debtor_agb", "creditor_agb", "seq"),
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
