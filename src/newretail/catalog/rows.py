"""Pure validation of import rows: raw cells (CSV strings or JSON values) in, clean values out.

Each ``*_row`` function takes one raw row and the lookups it needs (codes to ids, all
pre-loaded), and returns the values to write or raises ``RowProblem`` with a stable code.
An empty cell means "not set".
"""

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from newretail.catalog.rules import CHANNELS, check_prices, scope_key

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
SKU_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
BARCODE = re.compile(r"^[0-9A-Za-z\-]{1,64}$")
TRUE = frozenset({"true", "1", "yes", "y"})
FALSE = frozenset({"false", "0", "no", "n"})
MAX_TEXT = {"title": 200, "description": 20000, "video": 500}

PRODUCT_COLUMNS = (
    "code",
    "title",
    "category_code",
    "description",
    "specs",
    "images",
    "video",
    "status",
)
SKU_COLUMNS = ("product_code", "code", "barcode", "weight_g", "attributes")
OFFER_COLUMNS = (
    "sku_code",
    "channel",
    "region_code",
    "store_code",
    "currency",
    "price",
    "compare_at_price",
    "title",
    "description",
    "images",
    "video",
    "available",
    "per_order_limit",
)
REQUIRED = {
    "products": ("code", "title"),
    "skus": ("product_code", "code"),
    "offers": ("sku_code",),
}


class RowProblem(Exception):
    def __init__(self, code: str, detail: str, column: str | None = None) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.column = column


@dataclass(frozen=True)
class OfferLookups:
    brand_id: int
    currency: str
    sku_ids: Mapping[str, int]
    store_ids: Mapping[str, int]
    region_ids: Mapping[str, int]


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _text(row: Mapping[str, Any], column: str) -> str | None:
    value = row.get(column)
    if _blank(value):
        return None
    if not isinstance(value, str):
        raise RowProblem("invalid_value", f"{column} must be text", column)
    value = value.strip()
    if len(value) > MAX_TEXT.get(column, 200):
        raise RowProblem("invalid_value", f"{column} is too long", column)
    return value


def _whole(row: Mapping[str, Any], column: str, code: str, minimum: int) -> int | None:
    value = row.get(column)
    if _blank(value):
        return None
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise RowProblem(code, f"{column} must be a whole number, got {value!r}", column)
    if value < minimum:
        raise RowProblem(code, f"{column} must be at least {minimum}, got {value}", column)
    return value


def _bool(row: Mapping[str, Any], column: str) -> bool | None:
    value = row.get(column)
    if _blank(value) or isinstance(value, bool):
        return value if isinstance(value, bool) else None
    word = str(value).strip().lower()
    if word in TRUE or word in FALSE:
        return word in TRUE
    raise RowProblem("invalid_value", f"{column} must be true or false, got {value!r}", column)


def _list(row: Mapping[str, Any], column: str) -> list[str] | None:
    value = row.get(column)
    if _blank(value):
        return None
    items = value.split("|") if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
        raise RowProblem("invalid_value", f"{column} must be a list of URLs (a|b|c)", column)
    return [item.strip() for item in items]


def _object(row: Mapping[str, Any], column: str) -> dict[str, Any] | None:
    value = row.get(column)
    if _blank(value):
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise RowProblem("invalid_value", f"{column} is not valid JSON", column) from exc
    if not isinstance(value, dict) or not all(
        isinstance(v, str | int | float | bool) for v in value.values()
    ):
        raise RowProblem("invalid_value", f"{column} must be a flat JSON object", column)
    return value


def _code(row: Mapping[str, Any], column: str, pattern: re.Pattern[str]) -> str:
    value = row.get(column)
    if _blank(value):
        raise RowProblem("missing_value", f"{column} is required", column)
    value = str(value).strip()
    if not pattern.match(value):
        raise RowProblem("invalid_value", f"{column} {value!r} is not a valid code", column)
    return value


def _lookup(row: Mapping[str, Any], column: str, ids: Mapping[str, int], code: str) -> int | None:
    value = row.get(column)
    if _blank(value):
        return None
    found = ids.get(str(value).strip())
    if found is None:
        raise RowProblem(code, f"{column} {value!r} is not known in this brand", column)
    return found


def offer_row(row: Mapping[str, Any], lookups: OfferLookups) -> dict[str, Any]:
    """The offer columns to upsert, keyed by the table's column names."""
    sku_id = _lookup(row, "sku_code", lookups.sku_ids, "unknown_sku")
    if sku_id is None:
        raise RowProblem("missing_value", "sku_code is required", "sku_code")
    channel = _text(row, "channel")
    if channel is not None and channel not in CHANNELS:
        raise RowProblem("invalid_channel", f"channel must be one of {sorted(CHANNELS)}", "channel")
    region_id = _lookup(row, "region_code", lookups.region_ids, "unknown_region")
    store_id = _lookup(row, "store_code", lookups.store_ids, "unknown_store")
    if region_id is not None and (store_id is not None or channel is not None):
        raise RowProblem("invalid_offer_scope", "a region offer has no store and no channel")
    price = _whole(row, "price", "invalid_price", 0)
    compare_at = _whole(row, "compare_at_price", "invalid_price", 0)
    problem = check_prices(price, compare_at)
    if problem:
        raise RowProblem("invalid_price", problem, "compare_at_price")
    currency = _text(row, "currency")
    if currency is not None and currency != lookups.currency:
        raise RowProblem(
            "currency_mismatch",
            f"this brand sells in {lookups.currency}, not {currency}",
            "currency",
        )
    priced = price is not None or compare_at is not None
    return {
        "brand_id": lookups.brand_id,
        "sku_id": sku_id,
        "channel": channel,
        "region_id": region_id,
        "store_id": store_id,
        "scope_key": scope_key(channel, region_id, store_id),
        "currency": lookups.currency if priced else None,
        "price": price,
        "compare_at_price": compare_at,
        "title": _text(row, "title"),
        "description": _text(row, "description"),
        "images": _list(row, "images"),
        "video": _text(row, "video"),
        "available": _bool(row, "available"),
        "per_order_limit": _whole(row, "per_order_limit", "invalid_quantity", 1),
    }


def product_row(
    row: Mapping[str, Any], *, brand_id: int, category_ids: Mapping[str, int]
) -> dict[str, Any]:
    status = _text(row, "status") or "active"
    if status not in ("active", "archived"):
        raise RowProblem("invalid_value", "status must be active or archived", "status")
    title = _text(row, "title")
    if title is None:
        raise RowProblem("missing_value", "title is required", "title")
    return {
        "brand_id": brand_id,
        "code": _code(row, "code", CODE),
        "title": title,
        "category_id": _lookup(row, "category_code", category_ids, "unknown_category"),
        "description": _text(row, "description") or "",
        "specs": _object(row, "specs") or {},
        "images": _list(row, "images") or [],
        "video": _text(row, "video"),
        "status": status,
    }


def sku_row(
    row: Mapping[str, Any], *, brand_id: int, product_ids: Mapping[str, int]
) -> dict[str, Any]:
    product_id = _lookup(row, "product_code", product_ids, "unknown_product")
    if product_id is None:
        raise RowProblem("missing_value", "product_code is required", "product_code")
    barcode = _text(row, "barcode")
    if barcode is not None and not BARCODE.match(barcode):
        raise RowProblem("invalid_value", f"barcode {barcode!r} is not valid", "barcode")
    return {
        "brand_id": brand_id,
        "product_id": product_id,
        "code": _code(row, "code", SKU_CODE),
        "barcode": barcode,
        "weight_g": _whole(row, "weight_g", "invalid_quantity", 0),
        "attributes": _object(row, "attributes") or {},
    }
