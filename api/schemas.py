"""Request and response schemas. Names follow ``XCreate / XUpdate / XPublic``; none reuses a
table's name. Money is a string with two decimals, as in the contract."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class HospitalPublic(BaseModel):
    agb: str
    name: str
    kind: str


class InsurerPublic(BaseModel):
    uzovi: str
    name: str


class SettlementTermsPublic(BaseModel):
    model_config = ConfigDict(extra="forbid")
    method: Literal["odv_benchmark", "fixed_fee", "parallel"]
    price_list: str | None = None
    share: str | None = None
    fee_eur: str | None = None


class ConsentPublic(BaseModel):
    model_config = ConfigDict(extra="forbid")
    uzovi: str
    valid_from: str
    valid_to: str | None


class PathwayStepPublic(BaseModel):
    model_config = ConfigDict(extra="forbid")
    phase: str
    at: str


class CareTypePublic(BaseModel):
    model_config = ConfigDict(extra="forbid")
    care_type: str
    zorgproduct_codes: list[str] = []
    zorgproductgroepen: list[str] = []
    performing_agb: str | None = None
    settlement: SettlementTermsPublic
    parallel_consents: list[ConsentPublic] = []
    planned_volume: dict[str, int] = {}
    pathway: list[PathwayStepPublic] = []


class AgreementPublic(BaseModel):
    """An agreement in the contract's JSON form (CONTRACT §1, agreements.json)."""

    model_config = ConfigDict(extra="forbid")
    agreement_id: str
    name: str
    category: str
    stage: str
    parties: list[str]
    valid_from: str
    valid_to: str | None
    parent_id: str | None
    care_types: list[CareTypePublic]


class AgreementCreate(AgreementPublic):
    pass


class ImportReportPublic(BaseModel):
    added: dict[str, int]
    unchanged: dict[str, int]


class DbcPublic(BaseModel):
    agb: str
    dbc_id: str
    patient_ref: str
    zorgproduct_code: str
    start_date: str
    end_date: str | None
    odv: bool
    requesting_agb: str | None
    primary_dbc_id: str | None
    specialism: str | None
    diagnosis: str | None
    zorgtype: str | None


class DeclarationPublic(BaseModel):
    declaration_id: str
    agb: str
    uzovi: str
    patient_ref: str
    zorgproduct_code: str
    start_date: str
    end_date: str
    amount_eur: str
    declared_on: str
    dbc_id: str | None
    declaratiecode: str | None


class TransferCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    transfer_id: str = Field(min_length=1, max_length=100)
    agreement_id: str
    care_type: str
    patient_ref: str
    from_agb: str
    to_agb: str
    transfer_date: str
    status: Literal["planned", "performed", "cancelled"]
    phase: str | None = None


class TransferPublic(TransferCreate):
    pass


class TransferUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["planned", "performed", "cancelled"]


class PriceListPublic(BaseModel):
    price_list: str
    year: int
    prices: int


class PricePublic(BaseModel):
    price_list: str
    year: int
    zorgproduct_code: str
    price_eur: str


class RunCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    year: int = Field(ge=1900, le=2999)
    netting: Literal["bilateral", "multilateral"] = "bilateral"


class RunPublic(BaseModel):
    run_id: int
    kind: str
    status: str
    year: int
    netting: str
    fingerprint: str
    corrects_run_id: int | None
    total: str


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


class PairPublic(BaseModel):
    debtor_agb: str
    creditor_agb: str
    lines: int
    amount: str


class PositionPublic(BaseModel):
    agb: str
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
    excluded: list[ExclusionPublic]
    pairs: list[PairPublic]
    positions: list[PositionPublic]
    payments: list[PaymentPublic]


class PartyPublic(BaseModel):
    agb: str
    name: str


class StatementLinePublic(BaseModel):
    dbc_id: str
    patient_ref: str
    zorgproduct_code: str
    end_date: str
    care_type: str
    agreement_id: str
    unit_price: str
    share: str
    amount: str
    change: str | None


class SubtotalPublic(BaseModel):
    care_type: str
    lines: int
    amount: str


class DirectionPublic(BaseModel):
    creditor: PartyPublic
    debtor: PartyPublic
    lines: list[StatementLinePublic]
    subtotals: list[SubtotalPublic]
    total: str


class StatementPaymentPublic(BaseModel):
    payer: PartyPublic
    payee: PartyPublic
    amount: str


class StatementPublic(BaseModel):
    run_id: int
    kind: str
    status: str
    year: int
    netting: str
    fingerprint: str
    corrects_run_id: int | None
    first: PartyPublic
    second: PartyPublic
    agreements: list[list[str]]
    directions: list[DirectionPublic]
    # The balance of the lines both ways (``payer`` owes ``payee`` ``net``); with multilateral
    # netting that is no payment: ``payments`` are the run's own payments of either hospital.
    net: str
    payer: PartyPublic | None
    payee: PartyPublic | None
    excluded: list[ExclusionPublic]
    payments: list[StatementPaymentPublic]


class StatementRefPublic(BaseModel):
    first_agb: str
    second_agb: str
    json_url: str
    pdf_url: str


class AuditRunCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    year: int = Field(ge=1900, le=2999)


class AuditRunPublic(BaseModel):
    run_id: int
    year: int
    fingerprint: str
    findings: int


class FindingPublic(BaseModel):
    rule: str
    severity: str
    agb: str
    uzovi: str | None
    declaration_id: str | None
    dbc_id: str | None
    transfer_id: str | None
    related: list[str]
    amount_at_stake: str | None
    message: str
