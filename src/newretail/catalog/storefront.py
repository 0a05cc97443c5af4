"""The resolved catalog of one store in one channel, a page at a time.

A page costs a fixed number of queries whatever its size: the store, the brand, the
category subtree (when filtered), the page of SKUs with their products, the store's
region chain and the offers that can apply. Products that are archived are left out;
SKUs that are unavailable or unpriced are listed with ``sellable: false`` unless
``sellable_only`` is asked for, in which case they are dropped from the page (a page
may then hold fewer items than ``limit``; keep following ``next_cursor``).
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from newretail.catalog import rules
from newretail.catalog.models import Product, Sku
from newretail.catalog.offers import check_channel, resolve_skus
from newretail.catalog.products import category_subtree_ids, get_category
from newretail.kernel import search
from newretail.kernel.pagination import MAX_LIMIT, decode_cursor, encode_cursor
from newretail.kernel.scope import Scope
from newretail.org import service as org_service


@dataclass(frozen=True)
class CatalogEntry:
    sku: Sku
    product: Product
    resolved: rules.ResolvedOffer


def store_catalog(
    *,
    session: Session,
    scope: Scope,
    store_id: int,
    channel: str,
    cursor: str | None,
    limit: int,
    category_id: int | None = None,
    sellable_only: bool = False,
    text: str | None = None,
) -> tuple[list[CatalogEntry], str | None]:
    """One page of the store's catalog in ``channel``, every field with its source
    (``text``: only products whose title contains it, matched as text)."""
    store = org_service.get_store(session=session, scope=scope, store_id=store_id)
    brand = org_service.get_brand(session=session, scope=scope, brand_id=store.brand_id)
    limit = max(1, min(limit, MAX_LIMIT))
    query = (
        select(Sku, Product)
        .join(Product, Product.id == Sku.product_id)
        .where(Sku.brand_id == store.brand_id, Product.status == "active")
    )
    if category_id is not None:
        category = get_category(session=session, scope=scope, category_id=category_id)
        ids = category_subtree_ids(
            session=session, brand_id=category.brand_id, category_id=category.id
        )
        query = query.where(Product.category_id.in_(ids))
    if text:
        query = query.where(search.contains(Product.title, text))
    if cursor:
        query = query.where(Sku.id > decode_cursor(cursor))
    rows = list(session.execute(query.order_by(Sku.id).limit(limit + 1)))
    next_cursor = encode_cursor(rows[limit - 1][0].id) if len(rows) > limit else None
    rows = rows[:limit]
    resolved = resolve_skus(
        session=session,
        store=store,
        channel=check_channel(channel),
        rows=rows,
        currency=brand.currency,
    )
    entries = [CatalogEntry(sku, product, resolved[sku.id]) for sku, product in rows]
    if sellable_only:
        entries = [entry for entry in entries if entry.resolved.sellable]
    return entries, next_cursor
