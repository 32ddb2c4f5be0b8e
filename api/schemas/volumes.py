"""Volumes per care type and week against the agreements' plans and ceilings."""

from __future__ import annotations

from pydantic import BaseModel, Field


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
