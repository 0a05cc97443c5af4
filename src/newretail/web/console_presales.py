"""Console screens for pre-sales and pay later: the deposit board and the dunning list.

The pre-sale board shows, for one campaign, the paid deposits per store and SKU (the same
figures as ``GET /api/v1/presales/{id}/deposits``) so HQ can stock ahead of the event. The
dunning list shows deferred charges whose automatic retries all failed.
"""

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from newretail.kernel.errors import NotFound
from newretail.kernel.money import Money
from newretail.kernel.scope import Role
from newretail.members import service as members_service
from newretail.members.phones import mask_phone
from newretail.orders import service as orders_service
from newretail.org import service as org_service
from newretail.paylater import service as paylater_service
from newretail.presales import service as presales_service
from newretail.presales.rules import delivery_methods
from newretail.web import labels, member_pages, messages
from newretail.web.console_catalog import _brand, _brand_param, url
from newretail.web.nav import console_nav
from newretail.web.pages import Page, PageRoute, PageSessionDep, StaffPage

router = APIRouter(route_class=PageRoute, include_in_schema=False)
BOARD_ROLES = (Role.BRAND_ADMIN, Role.REGION_MANAGER, Role.STORE_MANAGER)


@router.get("/console/presales")
def presale_board(
    page: StaffPage, session: PageSessionDep, brand: int | None = None, presale: int | None = None
) -> HTMLResponse:
    current = _brand(page, session, brand)
    page.caller.require(*BOARD_ROLES)
    campaigns = presales_service.list_presales(
        session=session, scope=page.caller, brand_id=current.id
    )
    chosen = next((c for c in campaigns if c.id == presale), campaigns[0] if campaigns else None)
    keep = _brand_param(page, current)
    board = None
    rows: list[dict[str, Any]] = []
    if chosen is not None:
        board = presales_service.board(session=session, scope=page.caller, presale_id=chosen.id)
        rows = [
            {**r.model_dump(), "amount": Money(r.deposit_amount, board.currency)}
            for r in board.rows
        ]
    return page.render(
        "console/presales.html",
        nav_items=console_nav(page, current.id, "presales"),
        brand=current,
        brand_param=keep,
        campaigns=[
            {"id": c.id, "name": c.name, "selected": chosen is not None and c.id == chosen.id}
            for c in campaigns
        ],
        campaign=chosen,
        deliveries=" · ".join(
            page.translate(messages.DELIVERY_METHODS[m.value])
            for m in delivery_methods(chosen.delivery_methods)
        )
        if chosen
        else "",
        board=board,
        total_amount=Money(board.total_deposit_amount, board.currency) if board else None,
        rows=rows,
        stores=len({r["store_id"] for r in rows}),
        action=url("/console/presales"),
        new_url=url("/console/presales/new", brand=keep)
        if page.caller.has_any(Role.BRAND_ADMIN)
        else None,
    )


@router.get("/console/dunning")
def dunning(page: StaffPage, session: PageSessionDep, brand: int | None = None) -> HTMLResponse:
    current = _brand(page, session, brand)
    page.caller.require(*BOARD_ROLES)
    charges = [
        c
        for c in paylater_service.dunning(session=session, scope=page.caller)
        if c.brand_id == current.id
    ]
    rows = [
        {
            "id": c.id,
            **_who(page, session, c.order_id, c.member_id, c.store_id),
            "amount": Money(c.amount, c.currency),
            "due_at": c.due_at,
            "attempts": c.attempts,
            "last_failure": labels.failure(page, c.last_failure),
        }
        for c in charges
    ]
    return page.render(
        "console/dunning.html",
        tz=current.timezone,
        nav_items=console_nav(page, current.id, "dunning"),
        brand=current,
        brand_param=_brand_param(page, current),
        rows=rows,
        total=Money(sum(c.amount for c in charges), current.currency),
    )


def _who(
    page: Page, session: Session, order_id: int, member_id: int, store_id: int
) -> dict[str, str]:
    """The order number, the member's masked phone and the store's name, for follow-up."""
    scope = page.caller
    order = orders_service.get_order(session=session, scope=scope, order_id=order_id)
    store = org_service.get_store(session=session, scope=scope, store_id=store_id)
    try:
        member = members_service.read_member(session=session, scope=scope, member_id=member_id)
    except NotFound:
        # The debtor bought here but is bound to a store outside the caller's reach: the
        # charge is still theirs to follow up, through the order.
        member_view = {"member": "—", "member_url": ""}
    else:
        phone = member_pages.display_phone(mask_phone(member.phone) if member.phone else None)
        member_view = {"member": phone, "member_url": f"/console/members/{member.id}"}
    return {
        "order_number": order.number,
        "order_url": f"/console/orders/{order.id}",
        **member_view,
        "store": store.name,
    }
