"""The console's content centre: HQ publishes articles, posters (an uploaded picture),
product cards and short videos by link; every manager sees what was published and, per
item, each guide's share with its views, claims, orders and sales.
"""

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from newretail.catalog import service as catalog_service
from newretail.catalog.models import Product
from newretail.db import utcnow
from newretail.kernel.errors import DomainError
from newretail.kernel.i18n import N_
from newretail.kernel.money import Money
from newretail.kernel.scope import Role
from newretail.org.schemas import BrandRead
from newretail.web import data, forms
from newretail.web.console_forms import FormState
from newretail.web.manage import UploadDep, form_brand
from newretail.web.nav import WORKBENCH_ROLES, console_nav, url
from newretail.web.pages import Page, PageRoute, PageSessionDep, StaffPage
from newretail.workbench import service as workbench_service
from newretail.workbench.schemas import ContentCreate

router = APIRouter(route_class=PageRoute, include_in_schema=False)
KIND_LABELS = {
    "article": N_("Article"),
    "poster": N_("Poster"),
    "product": N_("Product card"),
    "video": N_("Short video"),
}
ERROR_TEXTS = {
    "invalid_content": N_("A poster needs a picture, a video its link, a product card its product.")
}
PAGE_SIZE = 30


def _products(session: Session, page: Page) -> list[Product]:
    products: list[Product] = data.every(
        lambda cursor: catalog_service.list_products(
            session=session, scope=page.caller, cursor=cursor, limit=200, status="active"
        )
    )
    return sorted(products, key=lambda p: p.title)


def _page(
    page: Page, session: Session, brand: BrandRead, state: FormState, status_code: int = 200
) -> HTMLResponse:
    scope = page.caller
    rows, _ = workbench_service.list_content(
        session=session, scope=scope, cursor=None, limit=PAGE_SIZE, brand_id=brand.id
    )
    items = []
    for item in rows:
        shares = workbench_service.share_stats(session=session, scope=scope, content_id=item.id)
        items.append(
            {
                "id": item.id,
                "title": item.title,
                "kind": page.translate(KIND_LABELS[item.kind]),
                "published_at": item.published_at,
                "image_url": item.image_url,
                "shares": len(shares),
                "views": sum(s.views for s in shares),
                "claims": sum(s.claims for s in shares),
                "orders": sum(s.orders for s in shares),
                "sales": Money(sum(s.sales for s in shares), brand.currency),
                "url": url(f"/console/content/{item.id}", scope, brand.id),
            }
        )
    can_publish = scope.has_any(Role.BRAND_ADMIN)
    return page.render(
        "workbench/console_content.html",
        status_code=status_code,
        brand=brand,
        nav_items=console_nav(page, brand.id, "content"),
        brand_param=brand.id if scope.is_platform else None,
        items=items,
        can_publish=can_publish,
        kinds=[(k, page.translate(v)) for k, v in KIND_LABELS.items()],
        products=[(p.id, p.title) for p in _products(session, page)] if can_publish else [],
        upload_limit_mb=f"{page.settings.media_max_bytes / (1024 * 1024):g}",
        timezone=brand.timezone,
        **state.as_context(),
    )


@router.get("/console/content")
def content(page: StaffPage, session: PageSessionDep, brand: int | None = None) -> HTMLResponse:
    scope = page.caller
    current = data.brand(session=session, scope=scope, brand_id=brand)
    scope.require(*WORKBENCH_ROLES)
    return _page(
        page, session, current, FormState(page, {"kind": "article"}, error_texts=ERROR_TEXTS)
    )


@router.post("/console/content")
def publish(page: StaffPage, session: PageSessionDep, form: UploadDep) -> Response:
    scope = page.caller
    current = form_brand(page, session, form.fields)
    scope.require(Role.BRAND_ADMIN)
    fields = form.fields
    state = FormState(page, fields, error_texts=ERROR_TEXTS)
    try:
        image = form.files.get("image")
        image_url = (
            workbench_service.store_picture(settings=page.settings, data=image)
            if image is not None
            else None
        )
        request = ContentCreate.model_validate(
            {
                "brand_id": current.id if scope.is_platform else None,
                "kind": fields.get("kind", ""),
                "title": fields.get("title", ""),
                "body": fields.get("body", ""),
                "image_url": image_url,
                "video_url": fields.get("video_url", "").strip() or None,
                "product_id": fields.get("product", "") or None,
            }
        )
        workbench_service.publish(session=session, scope=scope, data=request, now=utcnow())
    except ValidationError as exc:
        renamed = {"product_id": "product"}
        state.add_field_errors({renamed.get(k, k): v for k, v in forms.field_errors(exc).items()})
        return _page(page, session, current, state, status_code=422)
    except DomainError as exc:
        session.rollback()
        state.add_domain_error(exc)
        return _page(page, session, current, state, status_code=exc.status)
    return page.redirect(url("/console/content", scope, current.id))


@router.get("/console/content/{content_id}")
def content_item(page: StaffPage, session: PageSessionDep, content_id: int) -> HTMLResponse:
    scope = page.caller
    scope.require(*WORKBENCH_ROLES)
    item = workbench_service.get_content(session=session, scope=scope, content_id=content_id)
    current = data.brand(session=session, scope=scope, brand_id=item.brand_id)
    shares = workbench_service.share_stats(session=session, scope=scope, content_id=item.id)
    rows: list[dict[str, Any]] = [
        {
            "guide": s.guide_name,
            "views": s.views,
            "claims": s.claims,
            "orders": s.orders,
            "sales": Money(s.sales, current.currency),
        }
        for s in sorted(shares, key=lambda s: (-s.sales, -s.views, s.guide_name))
    ]
    return page.render(
        "workbench/console_content_item.html",
        brand=current,
        nav_items=console_nav(page, current.id, "content"),
        item=item,
        kind=page.translate(KIND_LABELS[item.kind]),
        shares=rows,
        timezone=current.timezone,
        back_url=url("/console/content", scope, current.id),
    )
