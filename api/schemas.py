"""Request and response schemas. Names follow ``XCreate / XUpdate / XPublic``; none reuses a
table's name. Money is a string with two decimals, as in the contract."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from spreiding.contract.cells import formula_message, unstorable
from spreiding.domain.years import FIRST_YEAR, LAST_YEAR


def _id(value: str) -> str:
    """An id as the contract reader takes it: storable, and nothing a spreadsheet would run."""
    message = unstorable(value) or formula_message(value)
    if message is not None:
        raise ValueError(message)
    return value


def _storable(value: str) -> str:
    message = unstorable(value)
    if message is not None:
        raise ValueError(message)
    return value


# An id of a known shape in a request body; refused with the reader's message.
Id = Annotated[str, AfterValidator(_id)]
# A code that is looked up before the reader checks it: nothing the database cannot hold.
Storable = Annotated[str, AfterValidator(_storable)]


class HospitalPublic(BaseModel):
    agb: str
    name: str
    kind: str
    iban: str | None = None
    address: str | None = None


class InsurerPublic(BaseModel):
    uzovi: str
    name: str


class SettlementTermsPublic(BaseModel):
    """Settlement terms; a field that is null is left out of the contract's JSON (v2:
    ``price_year`` null is ``"end"``)."""

    model_config = ConfigDict(extra="forbid")
    method: Literal["odv_benchmark", "fixed_fee", "parallel"]
    price_list: str | None = None
    share: str | None = None
    fee_eur: str | None = None
    price_year: Literal["end", "start"] | None = None
    ceiling: dict[str, int] | None = Field(default=None, description="year -> number of DBCs")
    share_above_ceiling: str | None = None
    otherwise: SettlementTermsPublic | None = Field(
        default=None, description="parallel: the terms for insurers that did not consent"
    )


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
    planned_weekly: int | None = None


class SecondmentRatePublic(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: str
    rate_eur: str
    vat_rate: str = "0.00"
    valid_from: str
    valid_to: str | None = None


class CostPublic(BaseModel):
    """A shared cost (docs/data-format.md §6): ``key`` weighs the parties (AGB -> weight)."""

    model_config = ConfigDict(extra="forbid")
    cost_id: str
    description: str
    year: int
    amount_eur: str
    paid_by: str
    key: dict[str, int]


class _AgreementFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    agreement_id: str
    name: str
    category: str
    stage: str
    parties: list[str]
    valid_from: str
    valid_to: str | None
    parent_id: str | None
    secondment_rates: list[SecondmentRatePublic] = []
    payment_term_days: int = 30
    costs: list[CostPublic] = []


class AgreementPublic(_AgreementFields):
    """An agreement in the contract's JSON form (docs/data-format.md §1, agreements.json)."""

    care_types: list[CareTypePublic]


class SettlementTermsCreate(SettlementTermsPublic):
    price_list: Id | None = None
    otherwise: SettlementTermsCreate | None = None


class CareTypeCreate(CareTypePublic):
    care_type: Id
    settlement: SettlementTermsCreate


class AgreementCreate(_AgreementFields):
    """A new agreement: a stored one is shown as it is (AgreementPublic); only a new one's ids
    are held to the reader's rule."""

    agreement_id: Id
    parent_id: Id | None
    care_types: list[CareTypeCreate]


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
    uzovi: str | None


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


class _TransferFields(BaseModel):
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


class TransferCreate(_TransferFields):
    # A stored transfer is shown as it is (TransferPublic); only a new one is held to the rule.
    transfer_id: Id = Field(min_length=1, max_length=100)
    agreement_id: Id
    care_type: Id
    patient_ref: Id
    from_agb: Storable
    to_agb: Storable


class TransferPublic(_TransferFields):
    pass


class TransferUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["planned", "performed", "cancelled"]


class _HoursFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    hours_id: str = Field(min_length=1, max_length=100)
    agreement_id: str
    employer_agb: str = Field(description="the hospital whose staff worked (the creditor)")
    host_agb: str = Field(description="the hospital worked at, which pays (the debtor)")
    role: str
    work_date: str
    hours: str = Field(description="more than 0, at most 24, at most two decimals: 7.50")
    person_ref: str | None = None
    care_type: str | None = None
    specialism: str | None = None


class HoursCreate(_HoursFields):
    # Stored hours are shown as they are (HoursPublic); only new ones are held to the rule.
    hours_id: Id = Field(min_length=1, max_length=100)
    agreement_id: Id
    employer_agb: Storable
    host_agb: Storable
    role: Id
    work_date: Storable
    hours: Storable
    person_ref: Id | None = None
    care_type: Id | None = None
    specialism: Storable | None = None


class HoursPublic(_HoursFields):
    pass


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


class StatementHoursLinePublic(BaseModel):
    hours_id: str
    agreement_id: str
    role: str
    work_date: str
    hours: str
    rate: str
    amount: str
    vat_rate: str
    vat: str
    change: str | None


class StatementCostLinePublic(BaseModel):
    agreement_id: str
    cost_id: str
    weight: int
    amount: str
    change: str | None


class VatSubtotalPublic(BaseModel):
    vat_rate: str
    lines: int
    amount: str  # the hours lines of the rate without VAT
    vat: str


class DirectionPublic(BaseModel):
    creditor: PartyPublic
    debtor: PartyPublic
    lines: list[StatementLinePublic]
    subtotals: list[SubtotalPublic]
    # Every amount the debtor owes the creditor: DBC lines, hours with VAT, shared costs (the
    # run's pair ``total``); the parts below, as the run's pair has them.
    total: str
    hours: list[StatementHoursLinePublic] = []
    costs: list[StatementCostLinePublic] = []
    vat: list[VatSubtotalPublic] = []  # per VAT rate of the hours lines
    lines_amount: str = "0.00"
    hours_amount: str = "0.00"
    vat_amount: str = "0.00"
    costs_amount: str = "0.00"


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
    year: int = Field(ge=FIRST_YEAR, le=LAST_YEAR)


class AuditRunPublic(BaseModel):
    run_id: int
    year: int
    fingerprint: str
    findings: int = Field(
        description="How many findings; for a hospital or insurer key, those it may read"
    )


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


class WeekVolumePublic(BaseModel):
    week: str = Field(description="ISO year and week, e.g. 2025-W01")
    transfers: int
    planned: int | None


class CareTypeVolumePublic(BaseModel):
    agreement_id: str
    care_type: str
    planned: int | None
    ceiling: int | None
    settled_dbcs: int
    patients: int
    above_ceiling: int
    transfers: int
    weeks: list[WeekVolumePublic]


class VolumesPublic(BaseModel):
    year: int
    volumes: list[CareTypeVolumePublic] = Field(
        description="Per care type; for a hospital key those of agreements it is a party to, "
        "for a bureau key those of its agreements"
    )


# --- the trail and payments (issue 14 items 3 and 5) ------------------------------------------


class EventPublic(BaseModel):
    seq: int
    at: str = Field(description="UTC, ISO 8601")
    actor: str = Field(description="key:<key id> for an API key, cli:<os user> for the CLI")
    role: str
    tenant: str | None
    kind: str
    subject: str
    hospitals: list[str] = Field(
        description="The hospitals the event is about; for a hospital key, only its own"
    )
    payload: dict[str, Any]
    hash: str = Field(description="SHA-256 of the previous event's hash and this event")


class RegisteredPaymentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    run_id: int = Field(ge=1, le=2_147_483_647)
    from_agb: Storable = Field(max_length=8)
    to_agb: Storable = Field(max_length=8)
    paid_on: date
    amount: str = Field(description="Euros with '.' and at most two decimals", max_length=20)
    reference: Storable = Field(min_length=1, max_length=200)


class RegisteredPaymentPublic(BaseModel):
    payment_id: int
    run_id: int
    from_agb: str
    to_agb: str
    paid_on: str
    amount: str
    reference: str
    registered_at: str
    registered_by: str


class NettingPaymentPublic(BaseModel):
    run_id: int
    year: int
    from_agb: str
    to_agb: str
    amount: str
    paid: str
    open: str
    finalised_on: str | None
    payment_term_days: int
    due_on: str | None = Field(description="None when the run's finalisation day is not known")
    status: Literal["open", "partly paid", "paid", "overdue"]


class BalancePublic(BaseModel):
    agb: str
    to_pay: str
    to_receive: str
    overdue_to_pay: str
    overdue_to_receive: str


class InvoicePublic(BaseModel):
    """An invoice (or credit note) of a final run, numbered at finalisation (contract §8)."""

    number: str
    kind: Literal["invoice", "credit_note"]
    run_id: int
    year: int
    debtor_agb: str
    creditor_agb: str
    invoice_date: date
    due_date: date
    term_days: int
    amount: str
    hours: str
    costs: str
    vat: str
    total: str
    payment_seq: int | None
    pdf_url: str


class InvoicePartyPublic(BaseModel):
    agb: str
    name: str
    iban: str | None
    address: str | None


class InvoiceDbcLinePublic(BaseModel):
    dbc_id: str
    zorgproduct_code: str
    end_date: str
    care_type: str
    agreement_id: str
    unit_price: str
    share: str
    amount: str


class InvoiceHoursLinePublic(BaseModel):
    hours_id: str
    role: str
    work_date: str
    hours: str
    rate: str
    amount: str
    vat_rate: str
    vat: str


class InvoiceCostLinePublic(BaseModel):
    agreement_id: str
    cost_id: str
    weight: int
    amount: str


class VatRowPublic(BaseModel):
    rate: str = Field(description="'exempt', or the rate as the hours lines give it (0.21)")
    base: str
    vat: str


class InvoiceNettingPublic(BaseModel):
    seq: int | None
    from_agb: str
    to_agb: str
    amount: str


class InvoiceDocumentPublic(BaseModel):
    """A whole invoice: a draft run's has no number and no dates (CONCEPT)."""

    number: str | None
    kind: Literal["invoice", "credit_note"]
    status: str
    run_id: int
    year: int
    invoice_date: date | None
    due_date: date | None
    term_days: int | None
    creditor: InvoicePartyPublic
    debtor: InvoicePartyPublic
    lines: list[InvoiceDbcLinePublic]
    hours: list[InvoiceHoursLinePublic]
    costs: list[InvoiceCostLinePublic]
    vat_summary: list[VatRowPublic]
    amount: str
    hours_amount: str
    costs_amount: str
    vat: str
    total: str
    payment: InvoiceNettingPublic | None


class FinaliseRequest(BaseModel):
    """An admin's written reason to finalise a run that is not accepted by both hospitals of
    every pair (stored in the ``run.override`` event)."""

    model_config = ConfigDict(extra="forbid")
    override: str = Field(min_length=1, max_length=2000, pattern=r"\S")


class DisputeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=2000, pattern=r"\S")
    lines: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=1000, description="DBC, hours or cost line ids"
    )


class SignoffDecisionPublic(BaseModel):
    agb: str
    decision: Literal["accept", "dispute"]
    reason: str | None
    lines: list[str]
    at: str
    actor: str


class PairSignoffPublic(BaseModel):
    """A pair of a run and the latest decision of each of its two hospitals."""

    debtor_agb: str
    creditor_agb: str
    status: Literal["accepted", "disputed", "open"]
    debtor: SignoffDecisionPublic | None
    creditor: SignoffDecisionPublic | None
