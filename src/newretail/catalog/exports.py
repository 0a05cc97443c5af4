"""Bulk export of products, SKUs and offers, in the same columns the import reads.

An export of one kind imports back unchanged, so a brand can edit prices in a spreadsheet
and re-import them.
"""

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from newretail.catalog.files import FileFormat
from newretail.catalog.imports import COLUMNS, ImportKind
from newretail.catalog.models import Category, Offer, Product, Sku
from newretail.catalog.products import WRITERS
from newretail.kernel.scope import Scope
from newretail.org import service as org_service


def export_catalog(
    *, session: Session, scope: Scope, brand_id: int | None, kind: ImportKind, fmt: FileFormat
) -> str:
    """Every row of ``kind`` of the brand as CSV or JSON text (for brand-wide staff)."""
    scope.require(*WRITERS)
    brand_id = scope.target_brand(brand_id)
    brand = org_service.get_brand(session=session, scope=scope, brand_id=brand_id)
    records = _RECORDS[kind](session, brand.id)
    if fmt is FileFormat.JSON:
        return json.dumps(list(records), ensure_ascii=False)
    return _csv(COLUMNS[kind], records)


def _csv(columns: Sequence[str], records: Iterable[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow(_cell(record.get(column)) for column in columns)
    return buffer.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "|".join(value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _products(session: Session, brand_id: int) -> Iterable[dict[str, Any]]:
    query = (
        select(Product, Category.code)
        .outerjoin(Category, Category.id == Product.category_id)
        .where(Product.brand_id == brand_id)
        .order_by(Product.id)
    )
    for product, category_code in session.execute(query):
        yield {
            "code": product.code,
            "title": product.title,
            "category_code": category_code,
            "description": product.description or None,
            "specs": product.specs or None,
            "images": product.images or None,
            "video": product.video,
            "status": product.status,
        }


def _skus(session: Session, brand_id: int) -> Iterable[dict[str, Any]]:
    query = (
        select(Sku, Product.code)
        .join(Product, Product.id == Sku.product_id)
        .where(Sku.brand_id == brand_id)
        .order_by(Sku.id)
    )
    for sku, product_code in session.execute(query):
        yield {
            "product_code": product_code,
            "code": sku.code,
            "barcode": sku.barcode,
            "weight_g": sku.weight_g,
            "attributes": sku.attributes or None,
        }


def _offers(session: Session, brand_id: int) -> Iterable[dict[str, Any]]:
    region_code = _inverse(org_service.region_ids_by_code(session=session, brand_id=brand_id))
    store_code = _inverse(org_service.store_ids_by_code(session=session, brand_id=brand_id))
    names = COLUMNS[ImportKind.OFFERS]
    query = (
        select(Sku.code, Offer)
        .join(Sku, Sku.id == Offer.sku_id)
        .where(Offer.brand_id == brand_id)
        .order_by(Offer.id)
    )
    for sku_code, offer in session.execute(query):
        record = {name: getattr(offer, name, None) for name in names}
        record["sku_code"] = sku_code
        record["region_code"] = region_code.get(offer.region_id or 0)
        record["store_code"] = store_code.get(offer.store_id or 0)
        yield record


def _inverse(ids: dict[str, int]) -> dict[int, str]:
    return {row_id: code for code, row_id in ids.items()}


_RECORDS = {
    ImportKind.PRODUCTS: _products,
    ImportKind.SKUS: _skus,
    ImportKind.OFFERS: _offers,
}
