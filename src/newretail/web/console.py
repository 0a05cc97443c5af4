"""The console's stores screen (a brand's region tree and stores) and a platform admin's
brand list and brand picker. The console home, the dashboard, is ``console_home.py``."""

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from newretail.kernel.errors import PermissionDenied
from newretail.kernel.scope import Role, Scope
from newretail.org import service as org_service
from newretail.org.rules import StoreStatus, StoreType
from newretail.org.schemas import BrandRead, StoreRead
from newretail.web import brand_choice, data, messages, security
from newretail.web.nav import console_nav, url
from newretail.web.pages import (
    SESSION_COOKIE,
    BadPageRequest,
    FormDep,
    Page,
    PageRoute,
    PageSessionDep,
    StaffPage,
)
from newretail.web.views import RegionNode, flatten

router = APIRouter(route_class=PageRoute, include_in_schema=False)
PAGE_SIZE = 50


@router.get("/console/stores")
def stores_page(
    page: StaffPage,
    session: PageSessionDep,
    brand: int | None = None,
    region: int | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    type: StoreType | None = None,
    status: StoreStatus | None = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    scope = page.caller
    current = data.brand(session=session, scope=scope, brand_id=brand)
    tree = data.region_tree(session=session, scope=scope, brand_id=current.id)
    regions = flatten(tree)
    selected = next((node for node in regions if node.id == region), None)
    stores, next_cursor = org_service.list_stores(
        session=session,
        scope=scope,
        cursor=cursor,
        limit=PAGE_SIZE,
        brand_id=current.id,
        region_id=selected.id if selected else None,
        type=type,
        status=status,
        q=q or None,
    )
    filters = {"region": region, "q": q, "type": type, "status": status}
    return page.render(
        "console/home.html",
        brand=current,
        tree=tree,
        region_count=len(regions),
        store_total=sum(node.total_stores for node in tree),
        selected_region=selected,
        stores=_store_rows(page, session, [StoreRead.model_validate(s) for s in stores], regions),
        filters={name: value or "" for name, value in filters.items()},
        type_options=_options(page, messages.STORE_TYPES),
        status_options=_options(page, messages.STORE_STATUSES),
        kind_labels={k: page.translate(v) for k, v in messages.REGION_KINDS.items()},
        next_url=data.console_url(scope, current.id, **filters, cursor=next_cursor)
        if next_cursor
        else None,
        first_url=data.console_url(scope, current.id, **filters) if cursor else None,
        clear_url=data.console_url(scope, current.id),
        home_url=data.console_url(scope, current.id),
        can=_permissions(scope),
        is_platform=scope.is_platform,
        nav_items=console_nav(page, current.id, "stores"),
    )


@router.get(brand_choice.BRAND_LIST)
def brands_page(
    page: StaffPage,
    session: PageSessionDep,
    next: Annotated[str | None, Query(max_length=2000)] = None,
) -> HTMLResponse:
    """A platform admin's brands, each a button that picks it and opens ``next``."""
    if not page.caller.is_platform:
        raise PermissionDenied()
    brands: list[BrandRead] = data.brands(session=session, scope=page.caller)
    return page.render(
        "console/brands.html",
        brands=brands,
        next_path=security.safe_next(next, brand_choice.CONSOLE),
    )


@router.post("/console/brand")
def pick_brand(page: StaffPage, session: PageSessionDep, fields: FormDep) -> RedirectResponse:
    """Remember a platform admin's brand for the session and open the section they were in."""
    scope = page.caller
    if not scope.is_platform:
        raise PermissionDenied()
    wanted = fields.get("brand", "")
    if not wanted.isdigit() or len(wanted) > 18:
        raise BadPageRequest()
    current = data.brand(session=session, scope=scope, brand_id=int(wanted))
    section = brand_choice.section_of(security.safe_next(fields.get("next")))
    response = page.redirect(url(section, scope, current.id))
    value = brand_choice.cookie_value(
        secret=page.settings.secret_key,
        session_token=page.request.cookies.get(SESSION_COOKIE, ""),
        brand_id=current.id,
    )
    page.set_cookie(response, brand_choice.COOKIE, value, page.settings.session_ttl_seconds)
    return response


def _permissions(scope: Scope) -> dict[str, bool]:
    managers = (Role.BRAND_ADMIN, Role.REGION_MANAGER)
    return {
        "manage_regions": scope.has_any(*managers),
        "create_stores": scope.has_any(*managers),
        "edit_stores": scope.has_any(*managers, Role.STORE_MANAGER),
    }


def _options(page: Page, labels: dict[str, str]) -> list[tuple[str, str]]:
    return [(value, page.translate(label)) for value, label in labels.items()]


def _store_rows(
    page: Page, session: Session, stores: list[StoreRead], regions: list[RegionNode]
) -> list[dict[str, object]]:
    region_names = {node.id: node.name for node in regions}
    wanted = {store.district_id for store in stores if store.district_id is not None}
    district_names = (
        {d.id: d.name for d in data.districts(session=session) if d.id in wanted} if wanted else {}
    )
    return [
        {
            "id": store.id,
            "code": store.code,
            "name": store.name,
            "type": page.translate(messages.STORE_TYPES.get(store.type, store.type)),
            "status": store.status,
            "status_label": page.translate(messages.STORE_STATUSES.get(store.status, store.status)),
            "district": district_names.get(store.district_id or 0, ""),
            "city": store.city,
            "region": region_names.get(store.region_id, ""),
        }
        for store in stores
    ]
