"""Settlement runs: a new run, a run's header and the parts of its settlement (lines, hours,
costs, exclusions, pairs, positions, payments)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from spreiding.domain.years import FIRST_YEAR, LAST_YEAR


class RunCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    year: int = Field(ge=FIRST_YEAR, le=LAST_YEAR)
    netting: Literal["bilateral", "multilateral"] = "bilateral"


class RunPublic(BaseModel):
    run_id: int
    kind: str
    status: str
    year: int
    netting: str
    fingerprint: str
    corrects_run_id: int | None
    total: str = Field(
        description="The run's total; for a hospital key, the total of the lines it is party to"
    )


class LinePublic(BaseModel):
    creditor_agb: str
    debtor_agb: str
    dbc_id: str
    patient_ref: str
    agreement_id: str
    care_type: str
    zorgproduct_code: str
    end_date: str
    method: str
    unit_price: str
    share: str
    amount: str
    change: str | None = None


class ExclusionPublic(BaseModel):
    agb: str
    dbc_id: str
    reason: str


class HoursLinePublic(BaseModel):
    """Hours worked at another hospital, settled at the agreement's rate (contract §5)."""

    creditor_agb: str
    debtor_agb: str
    hours_id: str
    agreement_id: str
    role: str
    work_date: str
    hours: str
    rate: str
    amount: str
    vat_rate: str
    vat: str
    change: str | None = None


class CostLinePublic(BaseModel):
    """A party's part of a shared cost, owed to the party that paid it (contract §6)."""

    creditor_agb: str
    debtor_agb: str
    agreement_id: str
    cost_id: str
    weight: int
    amount: str
    change: str | None = None


class HoursExclusionPublic(BaseModel):
    hours_id: str
    reason: str


class PairPublic(BaseModel):
    """What a debtor owes a creditor: its DBC lines (count, amount), hours, costs and the
    hours' VAT, and the four added (``total``)."""

    debtor_agb: str
    creditor_agb: str
    lines: int
    amount: str
    hours: str
    costs: str
    vat: str
    total: str


class PositionPublic(BaseModel):
    agb: str
    receivable: str
    payable: str
    net: str


class HospitalPositionPublic(BaseModel):
    """A hospital's position in a run over all its alliances: what it is owed and owes under
    every agreement it is a party of (DBC lines, hours with VAT and shared costs together)."""

    agb: str
    name: str
    agreements: list[str] = Field(description="The agreements it is a party of, sorted")
    receivable: str
    payable: str
    net: str


class PaymentPublic(BaseModel):
    from_agb: str
    to_agb: str
    amount: str


class RunDetailPublic(RunPublic):
    """A run and the parts of its settlement the caller may see."""

    lines: list[LinePublic]
    hours: list[HoursLinePublic]
    costs: list[CostLinePublic]
    excluded: list[ExclusionPublic]
    excluded_hours: list[HoursExclusionPublic]
    pairs: list[PairPublic]
    positions: list[PositionPublic]
    payments: list[PaymentPublic]
