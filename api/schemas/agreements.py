"""Agreements in the contract's JSON form (docs/data-format.md §1): settlement terms, care
types, secondment rates and shared costs, as shown and as created."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.fields import Id


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
