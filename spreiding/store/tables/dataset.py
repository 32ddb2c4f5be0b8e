"""The dataset's tables, what an import writes: hospitals, insurers, agreements (parties, care
types and their terms, secondment rates, shared costs), prices, DBCs, declarations, transfers
and hours."""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, ForeignKeyConstraint, Index
from sqlmodel import Field, SQLModel

from spreiding.store.tables.columns import cents_column


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
    # No secondary index: no query looks declarations up but by id (migration 0017). On
    # PostgreSQL the two foreign keys are triggers that check a statement's rows together
    # (migration 0016): the same refusals, a lookup per distinct party instead of per row.
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
