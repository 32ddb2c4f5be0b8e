"""The dataset's rows: an import's report, DBCs, declarations, transfers and hours."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.fields import Id, Storable


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
