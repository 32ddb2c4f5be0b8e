"""Reference data: hospitals, insurers, price lists and their prices."""

from __future__ import annotations

from pydantic import BaseModel


class HospitalPublic(BaseModel):
    agb: str
    name: str
    kind: str
    iban: str | None = None
    address: str | None = None


class InsurerPublic(BaseModel):
    uzovi: str
    name: str


class PriceListPublic(BaseModel):
    price_list: str
    year: int
    prices: int


class PricePublic(BaseModel):
    price_list: str
    year: int
    zorgproduct_code: str
    price_eur: str
