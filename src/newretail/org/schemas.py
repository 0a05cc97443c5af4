from datetime import datetime
from typing import Annotated, Any

import phonenumbers
from pydantic import AfterValidator, Field, field_validator

from newretail.kernel.money import MINOR_UNIT_DIGITS
from newretail.kernel.schemas import Code, InputModel, Latitude, Longitude, Name, ReadModel, Text
from newretail.org.rules import StoreStatus, StoreType, check_opening_hours, is_valid_timezone


def _timezone(value: str) -> str:
    if not is_valid_timezone(value):
        raise ValueError(f"{value!r} is not an IANA timezone")
    return value


def _currency(value: str) -> str:
    if value not in MINOR_UNIT_DIGITS:
        raise ValueError(f"{value!r} is not a supported currency")
    return value


def _hours(value: dict[str, list[list[str]]]) -> dict[str, list[list[str]]]:
    check_opening_hours(value)
    return value


def _country(value: str) -> str:
    if value.upper() not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f"{value!r} is not a country or region code (ISO 3166, e.g. CN)")
    return value.upper()


Timezone = Annotated[str, AfterValidator(_timezone)]
Country = Annotated[str, Field(min_length=2, max_length=2), AfterValidator(_country)]
PhoneRegions = Annotated[
    list[Country],
    AfterValidator(lambda regions: list(dict.fromkeys(regions))),
    Field(
        min_length=1,
        max_length=50,
        description="Countries or regions whose phones may sign in; null: the brand's country.",
    ),
]
Currency = Annotated[str, AfterValidator(_currency)]
OpeningHours = Annotated[
    dict[str, list[list[str]]],
    AfterValidator(_hours),
    Field(
        description='Weekday to [open, close] spans, e.g. {"mon": [["10:00", "22:00"]]}',
        max_length=7,
    ),
]
LatLng = Annotated[list[float], Field(min_length=2, max_length=2)]


class BrandCreate(InputModel):
    code: Code
    name: Name
    currency: Currency = "CNY"
    timezone: Timezone = "Asia/Shanghai"
    country: Country = "CN"
    phone_regions: PhoneRegions | None = None


class BrandUpdate(InputModel):
    name: Name | None = None
    timezone: Timezone | None = None
    country: Country | None = None
    phone_regions: PhoneRegions | None = None


class BrandRead(ReadModel):
    id: int
    code: str
    name: str
    currency: str
    timezone: str
    country: str
    phone_regions: list[str] | None
    created_at: datetime


class RegionCreate(InputModel):
    brand_id: int | None = Field(default=None, description="Platform admins only.")
    parent_id: int | None = None
    code: Code
    name: Name
    kind: Annotated[str, Field(max_length=32, pattern=r"^[a-z_]+$")] = "area"


class RegionUpdate(InputModel):
    parent_id: int | None = None
    name: Name | None = None
    kind: Annotated[str, Field(max_length=32, pattern=r"^[a-z_]+$")] | None = None


class RegionRead(ReadModel):
    id: int
    brand_id: int
    parent_id: int | None
    code: str
    name: str
    kind: str


class DistrictCreate(InputModel):
    code: Code
    name: Name
    city: Annotated[str, Field(max_length=100)] = ""
    lat: Latitude
    lng: Longitude
    polygon: Annotated[list[LatLng], Field(min_length=3, max_length=500)] | None = None

    @field_validator("polygon")
    @classmethod
    def _polygon_in_range(cls, value: list[list[float]] | None) -> list[list[float]] | None:
        for lat, lng in value or []:
            if not (-90 <= lat <= 90 and -180 <= lng <= 180):
                raise ValueError("polygon points must be valid [lat, lng] pairs")
        return value


class DistrictUpdate(InputModel):
    name: Name | None = None
    city: Annotated[str, Field(max_length=100)] | None = None
    lat: Latitude | None = None
    lng: Longitude | None = None


class DistrictRead(ReadModel):
    id: int
    code: str
    name: str
    city: str
    lat: float
    lng: float
    polygon: list[Any] | None


class StoreCreate(InputModel):
    brand_id: int | None = Field(default=None, description="Platform admins only.")
    region_id: int
    district_id: int | None = None
    code: Code
    name: Name
    type: StoreType
    address: Text = ""
    city: Annotated[str, Field(max_length=100)] = ""
    lat: Latitude
    lng: Longitude
    timezone: Timezone = "Asia/Shanghai"
    opening_hours: OpeningHours = Field(default_factory=dict)


class StoreUpdate(InputModel):
    region_id: int | None = None
    district_id: int | None = None
    name: Name | None = None
    type: StoreType | None = None
    status: StoreStatus | None = None
    address: Text | None = None
    city: Annotated[str, Field(max_length=100)] | None = None
    lat: Latitude | None = None
    lng: Longitude | None = None
    timezone: Timezone | None = None
    opening_hours: OpeningHours | None = None


class StoreRead(ReadModel):
    id: int
    brand_id: int
    region_id: int
    district_id: int | None
    code: str
    name: str
    type: str
    status: str
    address: str
    city: str
    lat: float
    lng: float
    timezone: str
    opening_hours: dict[str, list[list[str]]]
    created_at: datetime
    updated_at: datetime
