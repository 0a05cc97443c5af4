from datetime import datetime
from typing import Annotated, Any, Self

from pydantic import BaseModel, Field, model_validator

from newretail.catalog.rules import Channel
from newretail.kernel.schemas import Code, InputModel, Name, ReadModel

SkuCode = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")]
Barcode = Annotated[str, Field(pattern=r"^[0-9A-Za-z\-]{1,64}$")]
Amount = Annotated[int, Field(strict=True, ge=0, description="Minor units (fen).")]
Limit = Annotated[int, Field(strict=True, gt=0)]
Url = Annotated[str, Field(min_length=1, max_length=500)]
Description = Annotated[str, Field(max_length=20000)]
AttributeValue = str | int | float | bool


class CategoryCreate(InputModel):
    brand_id: int | None = Field(default=None, description="Platform admins only.")
    parent_id: int | None = None
    code: Code
    name: Name


class CategoryUpdate(InputModel):
    parent_id: int | None = None
    name: Name | None = None


class CategoryRead(ReadModel):
    id: int
    brand_id: int
    parent_id: int | None
    code: str
    name: str
    created_at: datetime


class ProductCreate(InputModel):
    brand_id: int | None = Field(default=None, description="Platform admins only.")
    category_id: int | None = None
    code: Code
    title: Name
    description: Description = ""
    specs: dict[str, AttributeValue] = Field(default_factory=dict, max_length=100)
    images: list[Url] = Field(default_factory=list, max_length=30)
    video: Url | None = None


class ProductUpdate(InputModel):
    category_id: int | None = None
    title: Name | None = None
    description: Description | None = None
    specs: dict[str, AttributeValue] | None = Field(default=None, max_length=100)
    images: list[Url] | None = Field(default=None, max_length=30)
    video: Url | None = None
    status: Annotated[str, Field(pattern=r"^(active|archived)$")] | None = None


class ProductRead(ReadModel):
    id: int
    brand_id: int
    category_id: int | None
    code: str
    title: str
    description: str
    specs: dict[str, Any]
    images: list[Any]
    video: str | None
    status: str
    created_at: datetime
    updated_at: datetime


class SkuCreate(InputModel):
    code: SkuCode
    barcode: Barcode | None = None
    attributes: dict[str, AttributeValue] = Field(default_factory=dict, max_length=50)
    weight_g: Annotated[int, Field(strict=True, ge=0)] | None = None


class SkuUpdate(InputModel):
    barcode: Barcode | None = None
    attributes: dict[str, AttributeValue] | None = Field(default=None, max_length=50)
    weight_g: Annotated[int, Field(strict=True, ge=0)] | None = None


class SkuRead(ReadModel):
    id: int
    brand_id: int
    product_id: int
    code: str
    barcode: str | None
    attributes: dict[str, Any]
    weight_g: int | None
    created_at: datetime


class OfferFields(InputModel):
    """The overridable fields; a field left null is "not set at this level"."""

    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] | None = None
    price: Amount | None = None
    compare_at_price: Amount | None = None
    title: Name | None = None
    description: Description | None = None
    images: list[Url] | None = Field(default=None, max_length=30)
    video: Url | None = None
    available: bool | None = None
    per_order_limit: Limit | None = None


class OfferCreate(OfferFields):
    sku_id: int
    channel: Channel | None = None
    region_id: int | None = None
    store_id: int | None = None

    @model_validator(mode="after")
    def _scope(self) -> Self:
        if self.region_id is not None and self.store_id is not None:
            raise ValueError("an offer is for a region or a store, not both")
        if self.region_id is not None and self.channel is not None:
            raise ValueError("a region offer applies to every channel; leave channel empty")
        return self


class OfferUpdate(OfferFields):
    pass


class OfferRead(ReadModel):
    id: int
    brand_id: int
    sku_id: int
    level: str
    channel: str | None
    region_id: int | None
    store_id: int | None
    currency: str | None
    price: int | None
    compare_at_price: int | None
    title: str | None
    description: str | None
    images: list[Any] | None
    video: str | None
    available: bool | None
    per_order_limit: int | None
    created_at: datetime
    updated_at: datetime


class SourceRead(BaseModel):
    level: str = Field(
        description="store_channel, store, region, channel, brand, product or default"
    )
    offer_id: int | None = None
    channel: str | None = None
    region_id: int | None = None
    store_id: int | None = None


class ResolvedFieldRead(BaseModel):
    value: Any
    source: SourceRead | None


class ResolvedSkuRead(BaseModel):
    sku_id: int
    sku_code: str
    product_id: int
    product_code: str
    category_id: int | None
    attributes: dict[str, Any]
    barcode: str | None
    currency: str
    sellable: bool = Field(description="Available and priced: can be put in a cart.")
    fields: dict[str, ResolvedFieldRead]


class StoreCatalogPage(BaseModel):
    store_id: int
    channel: str
    items: list[ResolvedSkuRead]
    next_cursor: str | None = None


class RowErrorRead(BaseModel):
    line: int = Field(description="CSV: the line in the file (header = 1); JSON: item number.")
    code: str
    detail: str
    column: str | None = None


class ImportReportRead(BaseModel):
    kind: str
    mode: str
    rows: int
    valid: int
    created: int
    updated: int
    applied: bool = Field(description="False when nothing was written (all_or_nothing).")
    errors: list[RowErrorRead]
