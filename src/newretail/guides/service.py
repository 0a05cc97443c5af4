"""The guide's workbench use cases: the guide's stores, products to share and share links.

A share link is built for a product the guide's store sells in the ``guide_share`` channel
(the catalog resolves the store's offers); its ``ref`` credits the guide (``rules``).
"""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from newretail.auth import service as auth_service
from newretail.catalog import service as catalog_service
from newretail.catalog.rules import Channel
from newretail.guides import errors, rules
from newretail.kernel.money import Money
from newretail.kernel.scope import Role, Scope
from newretail.org import rules as org_rules
from newretail.org import service as org_service
from newretail.org.models import Store

SHARE_CHANNEL = Channel.GUIDE_SHARE.value
_SKU_BATCH = 200


@dataclass(frozen=True)
class ShareableProduct:
    product_id: int
    title: str
    price: Money
    sku_count: int
    image: str | None


@dataclass(frozen=True)
class ShareLink:
    store_code: str
    product_id: int
    title: str
    ref: str
    path: str


def guide_stores(*, session: Session, scope: Scope) -> list[Store]:
    """The stores where the caller works as a guide, by code."""
    if scope.actor_type != "staff" or scope.actor_id is None or Role.GUIDE not in scope.roles:
        raise errors.NotAGuide()
    staff = auth_service.get_staff(session=session, scope=scope, staff_id=scope.actor_id)
    ids = {a.store_id for a in staff.roles if a.role == Role.GUIDE and a.store_id is not None}
    stores = [org_service.get_store(session=session, scope=scope, store_id=i) for i in ids]
    if not stores:
        raise errors.NotAGuide()
    return sorted(stores, key=lambda store: store.code)


def guide_store(*, session: Session, scope: Scope, store_id: int | None = None) -> Store:
    """The guide's store ``store_id``, or their first one."""
    stores = guide_stores(session=session, scope=scope)
    if store_id is None:
        return stores[0]
    for store in stores:
        if store.id == store_id:
            return store
    raise errors.NotAGuide()


def shareable_products(
    *, session: Session, scope: Scope, store: Store, limit: int = 60
) -> list[ShareableProduct]:
    """Products on sale in ``store`` for guide shares, each at its lowest SKU price."""
    found: dict[int, ShareableProduct] = {}
    cursor: str | None = None
    while len(found) < limit:
        entries, cursor = catalog_service.store_catalog(
            session=session,
            scope=scope,
            store_id=store.id,
            channel=SHARE_CHANNEL,
            cursor=cursor,
            limit=_SKU_BATCH,
            sellable_only=True,
        )
        for entry in entries:
            found[entry.product.id] = _merge(found.get(entry.product.id), entry)
        if cursor is None:
            break
    return list(found.values())[:limit]


def _merge(known: ShareableProduct | None, entry: catalog_service.CatalogEntry) -> ShareableProduct:
    price = Money(entry.resolved.price or 0, entry.resolved.currency)
    images = entry.resolved.value("images") or []
    if known is None:
        title = str(entry.resolved.value("title") or entry.product.title)
        image = str(images[0]) if images else None
        return ShareableProduct(entry.product.id, title, price, 1, image)
    cheaper = price if price.amount < known.price.amount else known.price
    return ShareableProduct(
        known.product_id, known.title, cheaper, known.sku_count + 1, known.image
    )


def share_link(
    *, session: Session, scope: Scope, secret: str, store: Store, product_id: int
) -> ShareLink:
    """The link that sells ``product_id`` in ``store`` and credits the calling guide."""
    product = catalog_service.get_product(session=session, scope=scope, product_id=product_id)
    if product.brand_id != store.brand_id or product.status != "active":
        raise errors.ProductNotShareable()
    skus, _ = catalog_service.list_skus(
        session=session, scope=scope, product_id=product.id, cursor=None, limit=_SKU_BATCH
    )
    resolved = catalog_service.resolve_offers(
        session=session,
        brand_id=store.brand_id,
        store_id=store.id,
        channel=SHARE_CHANNEL,
        sku_ids=[sku.id for sku in skus],
    )
    sellable = [offer for offer in resolved.values() if offer.sellable]
    if not sellable or scope.actor_id is None:
        raise errors.ProductNotShareable()
    ref = rules.make_share_ref(secret=secret, guide_id=scope.actor_id)
    brand = org_service.get_brand(session=session, scope=scope, brand_id=store.brand_id)
    public_code = org_rules.cloud_store_code(brand.code, store.code)
    return ShareLink(
        store_code=public_code,
        product_id=product.id,
        title=str(sellable[0].value("title") or product.title),
        ref=ref,
        path=rules.share_path(store_code=public_code, product_id=product.id, ref=ref),
    )


def share_ref(*, secret: str, guide_id: int) -> str:
    """The signed ``?ref=`` that credits ``guide_id`` on a cloud store link (a receipt's
    join-membership QR code binds whoever joins through it to the guide who served them)."""
    return rules.make_share_ref(secret=secret, guide_id=guide_id)
