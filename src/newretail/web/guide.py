"""The guide's workbench at /g (mobile first): my members, a member's history, my QR code,
sharing.

Everything is read with the guide's own scope, so a guide only ever finds the members
bound to them, with masked phone numbers; another guide's member is a 404.
"""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from newretail.db import utcnow
from newretail.guides import errors as guides_errors
from newretail.guides import service as guides_service
from newretail.kernel.scope import Scope
from newretail.members import service as members_service
from newretail.touchpoints import errors as touchpoints_errors
from newretail.touchpoints import service as touchpoints_service
from newretail.touchpoints.models import TouchpointCode
from newretail.web import member_pages
from newretail.web.pages import FormDep, Page, PageRoute, PageSessionDep, StaffPage

router = APIRouter(route_class=PageRoute, include_in_schema=False)
Before = member_pages.Before
PAGE_SIZE = 20
MAX_OFFSET = 100_000
Search = Annotated[str | None, Query(max_length=64)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
STATS_WINDOWS_DAYS = (7, 30)
IMAGE_HEADERS = {"Cache-Control": "private, max-age=300", "X-Content-Type-Options": "nosniff"}


def _tabs(page: Page, active: str) -> list[dict[str, object]]:
    tabs = (
        ("work", "/g/work", page.gettext("Today")),
        ("members", "/g", page.gettext("My members")),
        ("inbox", "/g/inbox", page.gettext("Messages")),
        ("code", "/g/code", page.gettext("My QR code")),
        ("share", "/g/share", page.gettext("Share")),
        ("earnings", "/g/earnings", page.gettext("Earnings")),
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
        tiers=sorted(
            (code, member_pages.tier_label(page, name)) for code, name in known.tiers.items()
        ),
        next_offset=offset + PAGE_SIZE if more else None,
        prev_offset=max(0, offset - PAGE_SIZE) if offset else None,
        tabs=_tabs(page, "members"),
    )


@router.get("/g/members/{member_id}")
def member(
    page: StaffPage, session: PageSessionDep, member_id: int, before: Before = None
) -> HTMLResponse:
    scope = page.caller
    guides_service.guide_store(session=session, scope=scope)
    found = members_service.read_member(session=session, scope=scope, member_id=member_id)
    known = member_pages.names(session=session, scope=scope, brand_id=found.brand_id)
    name = members_service.member_name(session=session, member=found)
    sections = member_pages.history(
        page,
        session,
        found,
        known,
        path=page.request.url.path,
        before=member_pages.parse_before(before),
    )
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


# ---- my QR code (the guide's badge) ----------------------------------------------------


def _my_badge(session: Session, scope: Scope) -> TouchpointCode | None:
    """The calling guide's badge, if they have one yet (only guides get here)."""
    guides_service.guide_stores(session=session, scope=scope)
    if scope.actor_id is None:
        raise guides_errors.NotAGuide()
    return touchpoints_service.find_guide_badge(
        session=session, scope=scope, guide_id=scope.actor_id
    )


def _badge_view(page: Page, session: Session, badge: TouchpointCode) -> dict[str, object]:
    scope = page.caller
    names = touchpoints_service.names_of(session=session, row=badge)
    now = utcnow()
    windows = [
        (
            page.gettext("Last %(days)s days", days=days),
            touchpoints_service.stats(
                session=session, scope=scope, code=badge.code, since=now - timedelta(days=days)
            ),
        )
        for days in STATS_WINDOWS_DAYS
    ]
    return {
        "code": badge.code,
        "active": badge.is_active,
        "store": names.store_name,
        "brand": names.brand_name,
        "url": touchpoints_service.scan_url(base_url=page.public_base_url, code=badge.code),
        "windows": windows,
    }


@router.get("/g/code")
def my_code(page: StaffPage, session: PageSessionDep) -> HTMLResponse:
    scope = page.caller
    badge = _my_badge(session, scope)
    store = guides_service.guide_store(session=session, scope=scope)
    return page.render(
        "guide/code.html",
        store=store,
        badge=_badge_view(page, session, badge) if badge is not None else None,
        tabs=_tabs(page, "code"),
    )


@router.post("/g/code")
def create_my_code(page: StaffPage, session: PageSessionDep, fields: FormDep) -> Response:
    """The guide's first ask for their badge creates it (GET pages only read)."""
    scope = page.caller
    if _my_badge(session, scope) is None and scope.actor_id is not None:
        touchpoints_service.guide_badge(session=session, scope=scope, guide_id=scope.actor_id)
    return page.redirect("/g/code")


def _badge_image(page: Page, session: Session, kind: str) -> Response:
    scope = page.caller
    badge = _my_badge(session, scope)
    if badge is None:
        raise touchpoints_errors.CodeNotFound()
    make = touchpoints_service.qr_svg if kind == "svg" else touchpoints_service.qr_png
    image = make(session=session, scope=scope, code=badge.code, base_url=page.public_base_url)
    headers = dict(IMAGE_HEADERS)
    if kind == "png":
        headers["Content-Disposition"] = f'attachment; filename="qr-{badge.code}.png"'
    media_type = "image/svg+xml" if kind == "svg" else "image/png"
    return Response(content=image, media_type=media_type, headers=headers)


@router.get("/g/code.svg")
def my_code_svg(page: StaffPage, session: PageSessionDep) -> Response:
    """The badge's QR image for the page (pages authenticate by cookie, not bearer token)."""
    return _badge_image(page, session, "svg")


@router.get("/g/code.png")
def my_code_png(page: StaffPage, session: PageSessionDep) -> Response:
    """The badge's QR image to save to the phone and send in a chat."""
    return _badge_image(page, session, "png")
