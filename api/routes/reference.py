"""Hospitals, insurers and price lists: reference data every key may read."""

from __future__ import annotations

from fastapi import APIRouter

from api import convert, schemas
from api.deps import Caller, Db
from api.errors import RESPONSES
from api.paths import TextId
from spreiding.services import reference

router = APIRouter(responses=RESPONSES)


@router.get("/hospitals", response_model=list[schemas.HospitalPublic], tags=["reference"])
def list_hospitals(db: Db, _caller: Caller) -> list[schemas.HospitalPublic]:
    return [schemas.HospitalPublic(**row) for row in reference.hospitals(db)]


@router.get("/insurers", response_model=list[schemas.InsurerPublic], tags=["reference"])
def list_insurers(db: Db, _caller: Caller) -> list[schemas.InsurerPublic]:
    return [schemas.InsurerPublic(**row) for row in reference.insurers(db)]


@router.get("/price-lists", response_model=list[schemas.PriceListPublic], tags=["reference"])
def list_price_lists(db: Db, _caller: Caller) -> list[schemas.PriceListPublic]:
    return [schemas.PriceListPublic(**row) for row in reference.price_lists(db)]


@router.get(
    "/price-lists/{price_list}", response_model=list[schemas.PricePublic], tags=["reference"]
)
def get_price_list(price_list: TextId, db: Db, _caller: Caller) -> list[schemas.PricePublic]:
    return [convert.price(row) for row in reference.price_list(db, price_list)]
