"""The guide's workbench at /g (mobile first): my members, a member's history, sharing.

Everything is read with the guide's own scope, so a guide only ever finds the members
bound to them, with masked phone numbers; another guide's member is a 404.
"""

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from newretail.guides import service as guides_service
from newretail.members import service as members_service
from newretail.web import member_pages
from newretail.web.pages import Page, PageRoute, PageSessionDep, StaffPage

router = APIRouter(route_class=PageRoute, include_in_schema=False)
PAGE_SIZE = 20
MAX_OFFSET = 100_000
Search = Annotated[str | None, Query(max_length=64)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]


def _tabs(page: Page, active: str) -> list[dict[str, object]]:
    tabs = (
        ("members", "/g", page.gettext("My members")),
        ("share", "/g/share", page.gettext("Share")),
    )
    return [{"url": url, "label": label, "active": key == active} for key, url, label in tabs]


@router.get("/g")
def workbench(
    page: StaffPage,
    session: PageSessionDep,
    q: Search = None,
    tier: Annotated[str | None, Query(max_length=32)] = None,
    offset: Offset = 0,
) -> HTMLResponse:
    scope = page.caller
    store = guides_service.guide_store(session=session, scope=scope)
    known = member_pages.names(session=session, scope=scope, brand_id=store.brand_id)
    rows, more = members_service.search_members(
        session=session, scope=scope, q=q, tier=tier or None, offset=offset, limit=PAGE_SIZE
    )
    total = members_service.count_members(session=session, scope=scope, guide_id=scope.actor_id)
    members = [
        member_pages.member_view(page, row.member, row.name, known, row.last_activity)
        for row in rows
    ]
    return page.render(
        "guide/home.html",
        store=store,
        members=members,
        total=total,
        filters={"q": q or "", "tier": tier or ""},
        tiers=sorted(known.tiers.items()),
        next_offset=offset + PAGE_SIZE if more else None,
        prev_offset=max(0, offset - PAGE_SIZE) if offset else None,
        tabs=_tabs(page, "members"),
    )


@router.get("/g/members/{member_id}")
def member(page: StaffPage, session: PageSessionDep, member_id: int) -> HTMLResponse:
    scope = page.caller
    guides_service.guide_store(session=session, scope=scope)
    found = members_service.read_member(session=session, scope=scope, member_id=member_id)
    known = member_pages.names(session=session, scope=scope, brand_id=found.brand_id)
    name = members_service.member_name(session=session, member=found)
    sections = member_pages.history(page, session, found, known)
    latest = max([found.joined_at, *(e.at for s in sections for e in s.entries)])
    return page.render(
        "guide/member.html",
        member=member_pages.member_view(page, found, name, known, latest),
        sections=sections,
        tabs=_tabs(page, "members"),
    )


@router.get("/g/share")
def share(
    page: StaffPage,
    session: PageSessionDep,
    store: int | None = None,
    product: int | None = None,
) -> HTMLResponse:
    scope = page.caller
    stores = guides_service.guide_stores(session=session, scope=scope)
    current = guides_service.guide_store(session=session, scope=scope, store_id=store)
    products = guides_service.shareable_products(session=session, scope=scope, store=current)
    link = None
    if product is not None:
        made = guides_service.share_link(
            session=session,
            scope=scope,
            secret=page.settings.secret_key,
            store=current,
            product_id=product,
        )
        base = str(page.request.base_url).rstrip("/")
        link = {"title": made.title, "url": base + made.path, "product_id": made.product_id}
    return page.render(
        "guide/share.html",
        stores=stores,
        store=current,
        products=products,
        link=link,
        tabs=_tabs(page, "share"),
    )
