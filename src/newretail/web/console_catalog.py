"""Console screens for the catalog and stock: products, a store's offers, stock and its journal.

Read-only screens; every read goes through the services with the caller's scope, so a
store manager sees their own store's offers and stock and nothing of another brand. A
platform admin first picks the brand (``?brand=``).
"""

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from newretail.catalog import service as catalog_service
from newretail.catalog.rules import CHANNELS, Channel
from newretail.inventory import service as inventory_service
from newretail.inventory.rules import MovementKind
from newretail.kernel.money import Money
from newretail.kernel.scope import Role
from newretail.org import service as org_service
from newretail.org.schemas import BrandRead
from newretail.web import data, labels, messages
from newretail.web.nav import console_nav
from newretail.web.pages import Page, PageRoute, PageSessionDep, StaffPage

router = APIRouter(route_class=PageRoute, include_in_schema=False)
PAGE_SIZE = 50
Search = Annotated[str | None, Query(max_length=100)]
Cursor = Annotated[str | None, Query(max_length=200)]
# A select left on "all" submits an empty value: these parameters take it as "not given".
Choice = Annotated[str | None, Query(max_length=32)]


def number(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 19 else None


def url(path: str, **params: Any) -> str:
    kept = {name: value for name, value in params.items() if value not in (None, "")}
    return path + ("?" + urlencode(kept) if kept else "")


def _brand(page: Page, session: Session, brand: int | None) -> BrandRead:
    """The brand the screen is about. A platform admin's GET without ``?brand=`` never gets
    here: the brand choice (``brand_choice.redirect_for``) sends it on first."""
    return data.brand(session=session, scope=page.caller, brand_id=brand)


def _brand_param(page: Page, brand: BrandRead) -> int | None:
    return brand.id if page.caller.is_platform else None


def _categories(session: Session, page: Page, brand_id: int) -> list[tuple[int, str]]:
    rows, _ = catalog_service.list_categories(
        session=session, scope=page.caller, cursor=None, limit=200
    )
    mine = [c for c in rows if c.brand_id == brand_id]
    roots = [c for c in mine if c.parent_id is None]
    options: list[tuple[int, str]] = []
    for root in roots:
        options.append((root.id, root.name))
        options += [(c.id, "\u3000" + c.name) for c in mine if c.parent_id == root.id]
    return options


@router.get("/console/products")
def products(
    page: StaffPage,
    session: PageSessionDep,
    brand: int | None = None,
    q: Search = None,
    category_choice: Annotated[Choice, Query(alias="category")] = None,
    cursor: Cursor = None,
) -> HTMLResponse:
    category = number(category_choice)
    current = _brand(page, session, brand)
    rows, next_cursor = catalog_service.list_products(
        session=session,
        scope=page.caller,
        cursor=cursor,
        limit=PAGE_SIZE,
        category_id=category,
        q=q or None,
    )
    rows = [p for p in rows if p.brand_id == current.id]
    categories = _categories(session, page, current.id)
    names = {cid: name.strip("\u3000") for cid, name in categories}
    keep = {"brand": _brand_param(page, current), "q": q, "category": category}
    return page.render(
        "console/products.html",
        nav_items=console_nav(page, current.id, "products"),
        brand=current,
        brand_param=keep["brand"],
        products=[
            {
                "id": p.id,
                "code": p.code,
                "title": p.title,
                "category": names.get(p.category_id or 0, ""),
                "status": p.status,
                "status_label": page.translate(messages.PRODUCT_STATUSES.get(p.status, p.status)),
            }
            for p in rows
        ],
        categories=categories,
        filters={"q": q or "", "category": category or ""},
        next_url=url("/console/products", **keep, cursor=next_cursor) if next_cursor else None,
        first_url=url("/console/products", **keep) if cursor else None,
        clear_url=url("/console/products", brand=keep["brand"]),
        new_url=url("/console/products/new", brand=keep["brand"])
        if page.caller.has_any(Role.BRAND_ADMIN)
        else None,
    )


@router.get("/console/products/{product_id}")
def product(page: StaffPage, session: PageSessionDep, product_id: int) -> HTMLResponse:
    found = catalog_service.get_product(session=session, scope=page.caller, product_id=product_id)
    current = data.brand(session=session, scope=page.caller, brand_id=found.brand_id)
    skus, _ = catalog_service.list_skus(
        session=session, scope=page.caller, product_id=found.id, cursor=None, limit=200
    )
    defaults: dict[int, Any] = {}
    for sku in skus:
        offers, _ = catalog_service.list_offers(
            session=session, scope=page.caller, cursor=None, limit=1, sku_id=sku.id, level="brand"
        )
        defaults[sku.id] = offers[0] if offers else None
    category = (
        catalog_service.get_category(
            session=session, scope=page.caller, category_id=found.category_id
        ).name
        if found.category_id
        else ""
    )
    return page.render(
        "console/product.html",
        nav_items=console_nav(page, current.id, "products"),
        brand=current,
        brand_param=_brand_param(page, current),
        product=found,
        category=category,
        specs=[(page.translate(messages.ATTRIBUTES.get(k, k)), v) for k, v in found.specs.items()],
        skus=[_sku_row(page, sku, defaults[sku.id], current.currency) for sku in skus],
        status_label=page.translate(messages.PRODUCT_STATUSES.get(found.status, found.status)),
        images=list(found.images),
        can_edit=page.caller.has_any(Role.BRAND_ADMIN),
        prices_url=url("/console/prices", brand=_brand_param(page, current)),
    )


def _sku_row(page: Page, sku: Any, offer: Any, currency: str) -> dict[str, Any]:
    price = offer.price if offer is not None else None
    compare_at = offer.compare_at_price if offer is not None else None
    return {
        "id": sku.id,
        "code": sku.code,
        "barcode": sku.barcode or "",
        "attributes": _attributes(page, sku.attributes),
        "price": Money(price, currency) if price is not None else None,
        "compare_at": Money(compare_at, currency) if compare_at is not None else None,
    }


def _attributes(page: Page, attributes: dict[str, Any]) -> list[tuple[str, str]]:
    return [(page.translate(messages.ATTRIBUTES.get(k, k)), str(v)) for k, v in attributes.items()]


def _stores(page: Page, session: Session, brand_id: int, warehouses: bool) -> list[Any]:
    stores, _ = org_service.list_stores(
        session=session, scope=page.caller, cursor=None, limit=200, brand_id=brand_id
    )
    return [s for s in stores if warehouses or s.type != "warehouse"]


def _store_options(page: Page, stores: list[Any]) -> list[tuple[int, str]]:
    label = messages.STORE_TYPES
    return [(s.id, f"{s.name} · {page.translate(label.get(s.type, s.type))}") for s in stores]


@router.get("/console/offers")
def offers(
    page: StaffPage,
    session: PageSessionDep,
    brand: int | None = None,
    store: int | None = None,
    channel: Annotated[str, Query(max_length=32)] = Channel.CLOUD_STORE.value,
    category_choice: Annotated[Choice, Query(alias="category")] = None,
    cursor: Cursor = None,
) -> HTMLResponse:
    category = number(category_choice)
    current = _brand(page, session, brand)
    stores = _stores(page, session, current.id, warehouses=False)
    chosen = next((s for s in stores if s.id == store), stores[0] if stores else None)
    channel = channel if channel in CHANNELS else Channel.CLOUD_STORE.value
    keep = {
        "brand": _brand_param(page, current),
        "store": chosen.id if chosen else None,
        "channel": channel,
        "category": category,
    }
    rows: list[dict[str, Any]] = []
    next_cursor = None
    if chosen is not None:
        entries, next_cursor = catalog_service.store_catalog(
            session=session,
            scope=page.caller,
            store_id=chosen.id,
            channel=channel,
            cursor=cursor,
            limit=PAGE_SIZE,
            category_id=category,
        )
        rows = [
            {
                **_offer_row(page, entry),
                "price_url": url(
                    "/console/prices",
                    brand=keep["brand"],
                    sku=entry.sku.id,
                    store=chosen.id,
                    channel=channel,
                ),
            }
            for entry in entries
        ]
    return page.render(
        "console/offers.html",
        nav_items=console_nav(page, current.id, "offers"),
        brand=current,
        brand_param=keep["brand"],
        store=chosen,
        store_options=_store_options(page, stores),
        channel_options=[(k, page.translate(v)) for k, v in messages.CHANNELS.items()],
        categories=_categories(session, page, current.id),
        filters={k: v or "" for k, v in keep.items()},
        rows=rows,
        next_url=url("/console/offers", **keep, cursor=next_cursor) if next_cursor else None,
        first_url=url("/console/offers", **keep) if cursor else None,
    )


def _offer_row(page: Page, entry: catalog_service.CatalogEntry) -> dict[str, Any]:
    resolved = entry.resolved

    def field(name: str) -> dict[str, Any]:
        item = resolved.fields[name]
        level = item.source.level.value if item.source else None
        label = page.translate(messages.PRICE_LEVELS[level]) if level else "—"
        return {"value": item.value, "level": level or "", "label": label}

    price, compare_at = field("price"), field("compare_at_price")
    for money_field in (price, compare_at):
        if money_field["value"] is not None:
            money_field["value"] = Money(money_field["value"], resolved.currency)
    return {
        "sku_id": entry.sku.id,
        "sku_code": entry.sku.code,
        "product_id": entry.product.id,
        "attributes": " / ".join(str(v) for v in entry.sku.attributes.values()),
        "title": field("title"),
        "price": price,
        "compare_at": compare_at,
        "available": field("available"),
        "sellable": resolved.sellable,
    }


@router.get("/console/stock")
def stock(
    page: StaffPage,
    session: PageSessionDep,
    brand: int | None = None,
    store: int | None = None,
    cursor: Cursor = None,
) -> HTMLResponse:
    current = _brand(page, session, brand)
    stores = _stores(page, session, current.id, warehouses=True)
    chosen = next((s for s in stores if s.id == store), stores[0] if stores else None)
    keep = {"brand": _brand_param(page, current), "store": chosen.id if chosen else None}
    levels: list[Any] = []
    next_cursor = None
    if chosen is not None:
        levels, next_cursor = inventory_service.list_levels(
            session=session,
            scope=page.caller,
            cursor=cursor,
            limit=PAGE_SIZE,
            location_id=chosen.id,
        )
    skus = _sku_labels(session, current.id, chosen, [lv.sku_id for lv in levels])
    rows = [
        {
            "sku_id": lv.sku_id,
            "sku": skus.get(lv.sku_id, {"code": str(lv.sku_id), "title": "", "attributes": ""}),
            "on_hand": lv.on_hand,
            "reserved": lv.reserved,
            "available": lv.on_hand - lv.reserved,
            "movements_url": url("/console/stock/movements", **keep, sku=lv.sku_id),
            "adjust_url": url("/console/stock/adjust", **keep, sku=lv.sku_id),
        }
        for lv in levels
    ]
    return page.render(
        "console/stock.html",
        nav_items=console_nav(page, current.id, "stock"),
        brand=current,
        brand_param=keep["brand"],
        store=chosen,
        store_options=_store_options(page, stores),
        filters={k: v or "" for k, v in keep.items()},
        rows=rows,
        movements_url=url("/console/stock/movements", **keep),
        adjust_url=url("/console/stock/adjust", **keep),
        transfer_url=url("/console/stock/transfer", **keep),
        can_move=page.caller.has_any(Role.BRAND_ADMIN, Role.REGION_MANAGER, Role.STORE_MANAGER),
        next_url=url("/console/stock", **keep, cursor=next_cursor) if next_cursor else None,
        first_url=url("/console/stock", **keep) if cursor else None,
    )


def _sku_labels(
    session: Session, brand_id: int, store: Any, sku_ids: list[int]
) -> dict[int, dict[str, str]]:
    """Code, title and variant of each SKU, the title as the store's till shows it."""
    if store is None or not sku_ids:
        return {}
    skus = catalog_service.skus_by_id(session=session, brand_id=brand_id, sku_ids=sku_ids)
    titles = catalog_service.resolve_offers(
        session=session,
        brand_id=brand_id,
        store_id=store.id,
        channel=Channel.POS.value,
        sku_ids=sku_ids,
    )
    return {
        sku_id: {
            "code": sku.code,
            "title": str(titles[sku_id].value("title") or "") if sku_id in titles else "",
            "attributes": " / ".join(str(v) for v in sku.attributes.values()),
        }
        for sku_id, sku in skus.items()
    }


@router.get("/console/stock/movements")
def movements(
    page: StaffPage,
    session: PageSessionDep,
    brand: int | None = None,
    store: int | None = None,
    sku: int | None = None,
    kind_choice: Annotated[Choice, Query(alias="kind")] = None,
    cursor: Cursor = None,
) -> HTMLResponse:
    kind = MovementKind(kind_choice) if kind_choice in set(MovementKind) else None
    current = _brand(page, session, brand)
    stores = _stores(page, session, current.id, warehouses=True)
    chosen = next((s for s in stores if s.id == store), stores[0] if stores else None)
    keep = {
        "brand": _brand_param(page, current),
        "store": chosen.id if chosen else None,
        "sku": sku,
        "kind": kind.value if kind else None,
    }
    found: list[Any] = []
    next_cursor = None
    if chosen is not None:
        found, next_cursor = inventory_service.list_movements(
            session=session,
            scope=page.caller,
            cursor=cursor,
            limit=PAGE_SIZE,
            location_id=chosen.id,
            sku_id=sku,
            kind=kind,
            newest_first=True,
        )
    skus = _sku_labels(session, current.id, chosen, sorted({m.sku_id for m in found}))
    kinds = messages.MOVEMENT_KINDS
    return page.render(
        "console/movements.html",
        nav_items=console_nav(page, current.id, "stock"),
        brand=current,
        brand_param=keep["brand"],
        store=chosen,
        store_options=_store_options(page, stores),
        kind_options=[(k, page.translate(v)) for k, v in kinds.items()],
        filters={k: v or "" for k, v in keep.items()},
        sku_label=skus.get(sku or 0),
        rows=[
            {
                "id": m.id,
                "at": m.created_at,
                "kind": m.kind,
                "kind_label": page.translate(kinds.get(m.kind, m.kind)),
                "sku": skus.get(m.sku_id, {"code": str(m.sku_id), "title": "", "attributes": ""}),
                "quantity": m.quantity,
                "on_hand_after": m.on_hand_after,
                "reference_label": labels.label(page, labels.REFERENCE_TYPES, m.reference_type),
                "reference_id": m.reference_id or "",
                "note": labels.movement_note(page, m.note),
            }
            for m in found
        ],
        stock_url=url("/console/stock", brand=keep["brand"], store=keep["store"]),
        next_url=url("/console/stock/movements", **keep, cursor=next_cursor)
        if next_cursor
        else None,
        first_url=url("/console/stock/movements", **keep) if cursor else None,
    )
