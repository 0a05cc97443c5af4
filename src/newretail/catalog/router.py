from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Response, UploadFile, status
from fastapi.responses import JSONResponse

from newretail.catalog import service
from newretail.catalog.files import FileTooLarge
from newretail.catalog.rules import Channel, Level
from newretail.catalog.schemas import (
    CategoryCreate,
    CategoryRead,
    CategoryUpdate,
    ImportReportRead,
    OfferCreate,
    OfferRead,
    OfferUpdate,
    ProductCreate,
    ProductRead,
    ProductUpdate,
    ResolvedFieldRead,
    ResolvedSkuRead,
    SkuCreate,
    SkuRead,
    SkuUpdate,
    SourceRead,
    StoreCatalogPage,
)
from newretail.kernel.http import ApiRoute, Cursor, Limit, ScopeDep, SessionDep
from newretail.kernel.schemas import Page

router = APIRouter(tags=["catalog"], route_class=ApiRoute)
MAX_IMPORT_BYTES = 64 * 1024 * 1024


@router.post("/categories", response_model=CategoryRead, status_code=status.HTTP_201_CREATED)
def create_category(data: CategoryCreate, session: SessionDep, scope: ScopeDep) -> CategoryRead:
    category = service.create_category(session=session, scope=scope, data=data)
    return CategoryRead.model_validate(category)


@router.get("/categories", response_model=Page[CategoryRead])
def list_categories(
    session: SessionDep,
    scope: ScopeDep,
    cursor: Cursor = None,
    limit: Limit = 200,
    parent_id: int | None = None,
) -> Page[CategoryRead]:
    items, next_cursor = service.list_categories(
        session=session, scope=scope, cursor=cursor, limit=limit, parent_id=parent_id
    )
    return Page(items=[CategoryRead.model_validate(c) for c in items], next_cursor=next_cursor)


@router.get("/categories/{category_id}", response_model=CategoryRead)
def get_category(category_id: int, session: SessionDep, scope: ScopeDep) -> CategoryRead:
    category = service.get_category(session=session, scope=scope, category_id=category_id)
    return CategoryRead.model_validate(category)


@router.patch("/categories/{category_id}", response_model=CategoryRead)
def update_category(
    category_id: int, data: CategoryUpdate, session: SessionDep, scope: ScopeDep
) -> CategoryRead:
    category = service.update_category(
        session=session, scope=scope, category_id=category_id, data=data
    )
    return CategoryRead.model_validate(category)


@router.delete("/categories/{category_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_category(category_id: int, session: SessionDep, scope: ScopeDep) -> Response:
    service.delete_category(session=session, scope=scope, category_id=category_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/products", response_model=ProductRead, status_code=status.HTTP_201_CREATED)
def create_product(data: ProductCreate, session: SessionDep, scope: ScopeDep) -> ProductRead:
    product = service.create_product(session=session, scope=scope, data=data)
    return ProductRead.model_validate(product)


@router.get("/products", response_model=Page[ProductRead])
def list_products(
    session: SessionDep,
    scope: ScopeDep,
    cursor: Cursor = None,
    limit: Limit = 50,
    category_id: Annotated[int | None, Query(description="Includes sub-categories.")] = None,
    status: Annotated[str | None, Query(pattern=r"^(active|archived)$")] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> Page[ProductRead]:
    items, next_cursor = service.list_products(
        session=session,
        scope=scope,
        cursor=cursor,
        limit=limit,
        category_id=category_id,
        status=status,
        q=q,
    )
    return Page(items=[ProductRead.model_validate(p) for p in items], next_cursor=next_cursor)


@router.get("/products/{product_id}", response_model=ProductRead)
def get_product(product_id: int, session: SessionDep, scope: ScopeDep) -> ProductRead:
    product = service.get_product(session=session, scope=scope, product_id=product_id)
    return ProductRead.model_validate(product)


@router.patch("/products/{product_id}", response_model=ProductRead)
def update_product(
    product_id: int, data: ProductUpdate, session: SessionDep, scope: ScopeDep
) -> ProductRead:
    product = service.update_product(session=session, scope=scope, product_id=product_id, data=data)
    return ProductRead.model_validate(product)


@router.post(
    "/products/{product_id}/skus", response_model=SkuRead, status_code=status.HTTP_201_CREATED
)
def create_sku(product_id: int, data: SkuCreate, session: SessionDep, scope: ScopeDep) -> SkuRead:
    sku = service.create_sku(session=session, scope=scope, product_id=product_id, data=data)
    return SkuRead.model_validate(sku)


@router.get("/products/{product_id}/skus", response_model=Page[SkuRead])
def list_skus(
    product_id: int, session: SessionDep, scope: ScopeDep, cursor: Cursor = None, limit: Limit = 200
) -> Page[SkuRead]:
    items, next_cursor = service.list_skus(
        session=session, scope=scope, product_id=product_id, cursor=cursor, limit=limit
    )
    return Page(items=[SkuRead.model_validate(s) for s in items], next_cursor=next_cursor)


@router.get("/products/{product_id}/skus/{sku_id}", response_model=SkuRead)
def get_sku(product_id: int, sku_id: int, session: SessionDep, scope: ScopeDep) -> SkuRead:
    sku = service.get_product_sku(
        session=session, scope=scope, product_id=product_id, sku_id=sku_id
    )
    return SkuRead.model_validate(sku)


@router.patch("/products/{product_id}/skus/{sku_id}", response_model=SkuRead)
def update_sku(
    product_id: int, sku_id: int, data: SkuUpdate, session: SessionDep, scope: ScopeDep
) -> SkuRead:
    sku = service.update_sku(
        session=session, scope=scope, product_id=product_id, sku_id=sku_id, data=data
    )
    return SkuRead.model_validate(sku)


@router.post("/offers", response_model=OfferRead, status_code=status.HTTP_201_CREATED)
def create_offer(data: OfferCreate, session: SessionDep, scope: ScopeDep) -> OfferRead:
    return service.offer_read(service.create_offer(session=session, scope=scope, data=data))


@router.get("/offers", response_model=Page[OfferRead])
def list_offers(
    session: SessionDep,
    scope: ScopeDep,
    cursor: Cursor = None,
    limit: Limit = 50,
    sku_id: int | None = None,
    store_id: int | None = None,
    region_id: int | None = None,
    channel: Channel | None = None,
    level: Annotated[
        Level | None, Query(description="store_channel, store, region, channel or brand.")
    ] = None,
) -> Page[OfferRead]:
    items, next_cursor = service.list_offers(
        session=session,
        scope=scope,
        cursor=cursor,
        limit=limit,
        sku_id=sku_id,
        store_id=store_id,
        region_id=region_id,
        channel=channel,
        level=level,
    )
    return Page(items=[service.offer_read(o) for o in items], next_cursor=next_cursor)


@router.get("/offers/{offer_id}", response_model=OfferRead)
def get_offer(offer_id: int, session: SessionDep, scope: ScopeDep) -> OfferRead:
    return service.offer_read(service.get_offer(session=session, scope=scope, offer_id=offer_id))


@router.patch("/offers/{offer_id}", response_model=OfferRead)
def update_offer(
    offer_id: int, data: OfferUpdate, session: SessionDep, scope: ScopeDep
) -> OfferRead:
    offer = service.update_offer(session=session, scope=scope, offer_id=offer_id, data=data)
    return service.offer_read(offer)


@router.delete("/offers/{offer_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_offer(offer_id: int, session: SessionDep, scope: ScopeDep) -> Response:
    service.delete_offer(session=session, scope=scope, offer_id=offer_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/stores/{store_id}/catalog", response_model=StoreCatalogPage)
def store_catalog(
    store_id: int,
    channel: Channel,
    session: SessionDep,
    scope: ScopeDep,
    cursor: Cursor = None,
    limit: Limit = 50,
    category_id: Annotated[int | None, Query(description="Includes sub-categories.")] = None,
    sellable_only: Annotated[
        bool, Query(description="Drop unavailable or unpriced SKUs from the page.")
    ] = False,
) -> StoreCatalogPage:
    """The store's catalog in one channel: every field resolved, with the rule it came from."""
    entries, next_cursor = service.store_catalog(
        session=session,
        scope=scope,
        store_id=store_id,
        channel=channel,
        cursor=cursor,
        limit=limit,
        category_id=category_id,
        sellable_only=sellable_only,
    )
    return StoreCatalogPage(
        store_id=store_id,
        channel=channel,
        items=[_resolved_read(entry) for entry in entries],
        next_cursor=next_cursor,
    )


def _resolved_read(entry: service.CatalogEntry) -> ResolvedSkuRead:
    resolved = entry.resolved
    fields = {
        name: ResolvedFieldRead(
            value=field.value,
            source=SourceRead.model_validate(field.source, from_attributes=True)
            if field.source
            else None,
        )
        for name, field in resolved.fields.items()
    }
    return ResolvedSkuRead(
        sku_id=entry.sku.id,
        sku_code=entry.sku.code,
        product_id=entry.product.id,
        product_code=entry.product.code,
        category_id=entry.product.category_id,
        attributes=entry.sku.attributes,
        barcode=entry.sku.barcode,
        currency=resolved.currency,
        sellable=resolved.sellable,
        fields=fields,
    )


@router.post(
    "/catalog/imports",
    response_model=ImportReportRead,
    responses={422: {"description": "A file-level error, or bad rows in all_or_nothing mode."}},
)
def import_catalog(
    session: SessionDep,
    scope: ScopeDep,
    file: Annotated[UploadFile, File(description="CSV (UTF-8, header row) or JSON array.")],
    kind: Annotated[service.ImportKind, Form()],
    mode: Annotated[service.ImportMode, Form()] = service.ImportMode.ALL_OR_NOTHING,
    format: Annotated[
        service.FileFormat | None, Form(description="Default: from the file name, else csv.")
    ] = None,
    brand_id: Annotated[int | None, Form(description="Platform admins only.")] = None,
) -> ImportReportRead | JSONResponse:
    """Import products, SKUs or offers; bad rows come back with their line and a code."""
    content = file.file.read(MAX_IMPORT_BYTES + 1)
    if len(content) > MAX_IMPORT_BYTES:
        raise FileTooLarge()
    fmt = format or _format_of(file.filename)
    report = service.import_catalog(
        session=session,
        scope=scope,
        brand_id=brand_id,
        kind=kind,
        content=content,
        fmt=fmt,
        mode=mode,
    )
    body = ImportReportRead.model_validate(report.as_dict())
    if report.rejected:
        detail = f"{len(report.errors)} bad row(s); nothing was imported."
        payload = {"detail": detail, "code": "import_rejected", "report": body.model_dump()}
        return JSONResponse(payload, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)
    return body


def _format_of(filename: str | None) -> service.FileFormat:
    if filename and filename.lower().endswith(".json"):
        return service.FileFormat.JSON
    return service.FileFormat.CSV


@router.get("/catalog/exports", response_class=Response)
def export_catalog(
    session: SessionDep,
    scope: ScopeDep,
    kind: service.ImportKind,
    format: service.FileFormat = service.FileFormat.CSV,
    brand_id: Annotated[int | None, Query(description="Platform admins only.")] = None,
) -> Response:
    """Every product, SKU or offer of the brand, in the columns the import reads."""
    text = service.export_catalog(
        session=session, scope=scope, brand_id=brand_id, kind=kind, fmt=format
    )
    media = "application/json" if format is service.FileFormat.JSON else "text/csv; charset=utf-8"
    filename = f"{kind.value}.{format.value}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(content=text, media_type=media, headers=headers)
