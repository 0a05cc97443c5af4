from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, Field, model_validator

from newretail.cloudstore.rules import MAX_RADIUS_KM, SourceKind, StoreSourcing
from newretail.kernel.schemas import InputModel, Name, ReadModel


def _image_url(value: str) -> str:
    if value and not value.startswith(("https://", "http://", "/")):
        raise ValueError("an image is an http(s) URL or a path on this site")
    return value


ImageUrl = Annotated[str, Field(max_length=500), AfterValidator(_image_url)]
Radius = Annotated[float, Field(gt=0, le=MAX_RADIUS_KM, allow_inf_nan=False)]

# ---- brand settings (staff) ------------------------------------------------------------


class CloudStoreSettingsWrite(InputModel):
    """The whole policy; a field left out takes its default."""

    store_sourcing: StoreSourcing = Field(
        default=StoreSourcing.NONE,
        description="Other stores whose stock a cloud store sells: none, nearby, any.",
    )
    nearby_radius_km: Radius = Field(default=5.0, description="How far `nearby` reaches.")
    warehouse_sourcing: bool = Field(default=False, description="Also sell warehouse stock.")


class CloudStoreSettingsRead(ReadModel):
    brand_id: int
    store_sourcing: StoreSourcing
    nearby_radius_km: float
    warehouse_sourcing: bool


# ---- activities (staff) ----------------------------------------------------------------


class ActivityCreate(InputModel):
    brand_id: int | None = Field(default=None, description="Platform admins only.")
    store_id: int | None = Field(default=None, description="None: every store of the brand.")
    title: Name
    image_url: ImageUrl = ""
    starts_at: AwareDatetime
    ends_at: AwareDatetime

    @model_validator(mode="after")
    def _ends_after_start(self) -> "ActivityCreate":
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class ActivityUpdate(InputModel):
    title: Name | None = None
    image_url: ImageUrl | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None


class ActivityRead(ReadModel):
    id: int
    brand_id: int
    store_id: int | None
    title: str
    image_url: str
    starts_at: datetime
    ends_at: datetime
    created_at: datetime


# ---- featured SKUs (staff) -------------------------------------------------------------


class FeaturedWrite(InputModel):
    sku_ids: Annotated[list[int], Field(max_length=50, description="In display order.")]

    @model_validator(mode="after")
    def _unique(self) -> "FeaturedWrite":
        if len(set(self.sku_ids)) != len(self.sku_ids):
            raise ValueError("sku_ids must not repeat")
        return self


class FeaturedRead(ReadModel):
    brand_id: int
    store_id: int | None
    sku_ids: list[int]


# ---- public: the home page -------------------------------------------------------------


class StoreCard(ReadModel):
    code: str
    name: str
    brand_code: str
    brand_name: str
    type: str
    address: str
    city: str
    lat: float
    lng: float
    timezone: str
    opening_hours: dict[str, list[list[str]]]
    today_hours: list[list[str]]
    open_now: bool


class GuideCard(ReadModel):
    id: int
    display_name: str


class ActivityCard(ReadModel):
    id: int
    title: str
    image_url: str
    starts_at: datetime
    ends_at: datetime
    store_wide: bool = Field(description="False when HQ runs it in every store.")


class FulfilmentRead(ReadModel):
    kind: SourceKind
    available: int
    store_code: str | None = None
    store_name: str | None = None
    distance_km: float | None = None


class ProductCard(ReadModel):
    sku_id: int
    product_id: int
    title: str
    image: str | None
    price: int | None = Field(description="Minor units (fen).")
    compare_at_price: int | None
    currency: str
    price_source: str = Field(description="The offer level the price came from.")
    stock_here: int
    fulfilment: FulfilmentRead
    sold_30d: int | None = None


class MemberCard(ReadModel):
    """The signed-in consumer's membership of the store's brand (the `member` section)."""

    joined: bool = Field(description="False: the consumer is not a member of this brand yet.")
    member_no: str | None = None
    tier: str | None = None
    tier_name: str | None = None
    points: int = 0
    points_expire_at: datetime | None = None
    guide: GuideCard | None = Field(default=None, description="The member's own guide.")


class SectionRead(ReadModel):
    data: Any


class HomeRead(ReadModel):
    store_code: str
    generated_at: datetime
    sections: dict[str, SectionRead]


# ---- public: stores near me ------------------------------------------------------------


class NearbyStoreRead(ReadModel):
    code: str = Field(description="The public cloud store code, {brand_code}.{store_code}.")
    name: str
    brand_code: str
    brand_name: str
    type: str
    address: str
    city: str
    lat: float
    lng: float
    distance_km: float
    open_now: bool
    available: int | None = Field(default=None, description="Units of `sku_id`, if asked.")


class NearbyPage(ReadModel):
    items: list[NearbyStoreRead]
