"""The shopper's own corner of the cloud store: the "me" page and joining the brand.

    GET  /s/{code}/me    my orders, my membership (tier, points, card with a QR code of the
                         member number for the till, my guide and how to reach them at their
                         store), or a join button; my addresses (the default one shown)
    POST /s/{code}/join  one tap to become a member of the brand, bound to this store (and to
                         the guide who referred the order it was offered on) by the brand's
                         binding policy; joining again keeps the one membership

Signed-out visitors are sent to the phone sign-in and back, as the orders pages do.
"""

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from newretail.cloudstore import service as cloudstore_service
from newretail.cloudstore.stores import CloudStore
from newretail.kernel.errors import DomainError
from newretail.kernel.scope import Scope
from newretail.members import errors as member_errors
from newretail.members import service as members_service
from newretail.members.schemas import MemberCreate
from newretail.notify import service as notify_service
from newretail.orders import service as orders_service
from newretail.org.rules import cloud_store_code
from newretail.touchpoints.images import QUIET_ZONE, dark_runs
from newretail.web import shop_shell
from newretail.web.cloudstore import Ref, kept_ref, linker
from newretail.web.pages import FormDep, PageRoute, PageSessionDep, PublicPage
from newretail.web.shop_checkout import address_view
from newretail.web.shop_shell import signed_in

router = APIRouter(route_class=PageRoute, include_in_schema=False)
GUIDE_GONE = (
    member_errors.GuideNotFound,
    member_errors.GuideInactive,
    member_errors.GuideNotAtStore,
)


def member_qr_svg(member_no: str) -> Markup:
    """An inline SVG QR code of the member number (dark runs as one path; no inline styles)."""
    size, runs = dark_runs(member_no)
    box = size + 2 * QUIET_ZONE
    path = "".join(
        f"M{column + QUIET_ZONE} {row + QUIET_ZONE}h{length}v1h-{length}z"
        for row, column, length in runs
    )
    return Markup(
        '<svg class="member-card__qr" viewBox="0 0 {box} {box}" role="img" '
        'shape-rendering="crispEdges" data-testid="member-qr" data-modules="{size}">'
        '<rect width="{box}" height="{box}" fill="#fff"/>'
        '<path fill="#000" d="{path}"/></svg>'
    ).format(box=box, size=size, path=path)


def membership_context(session: Session, store: CloudStore, buyer: Scope) -> dict[str, Any]:
    """The buyer's membership of the store's brand, for the "me" page and the join prompt."""
    mine = None
    if buyer.actor_id is not None:
        mine = members_service.my_membership(
            session=session, consumer_id=buyer.actor_id, brand_id=store.brand_id
        )
    return {
        "membership": mine,
        "member_qr": member_qr_svg(mine.member_no) if mine is not None else None,
    }


@router.get("/s/{store_code}/me")
def me_page(
    page: PublicPage, session: PageSessionDep, store_code: str, ref: Ref = None
) -> Response:
    store = cloudstore_service.get_cloud_store(session=session, code=store_code)
    ref = kept_ref(ref)
    link = linker(store.code, ref)
    buyer = signed_in(page, session, store, link, "/me")
    if isinstance(buyer, Response):
        return buyer
    held = members_service.list_addresses(session=session, scope=buyer, brand_id=store.brand_id)
    mine = membership_context(session, store, buyer)
    conversations, _ = notify_service.list_conversations(
        session=session, scope=buyer, cursor=None, limit=1, brand_id=store.brand_id
    )
    return page.render(
        "cloudstore/me.html",
        **shop_shell.tabs(page, session, store, "me"),
        store=store,
        link=link,
        ref=ref,
        categories=[],
        default_address=next((address_view(a) for a in held if a.is_default), None),
        address_count=len(held),
        guide_store_link=_guide_store_link(store, mine["membership"], link()),
        guide_unread=conversations[0].member_unread if conversations else 0,
        notices_unread=notify_service.unread_count(
            session=session, scope=buyer, brand_id=store.brand_id
        ),
        **mine,
    )


def _guide_store_link(
    store: CloudStore, mine: members_service.MyMembership | None, here: str
) -> str | None:
    """The home page of the member's own store's cloud store, which lists its guides on duty
    (``here`` when that is the store being browsed)."""
    if mine is None or mine.store_code is None:
        return None
    if mine.store_code == store.store_code:
        return here
    return "/s/" + cloud_store_code(store.brand_code, mine.store_code)


@router.post("/s/{store_code}/join")
def join(
    page: PublicPage, session: PageSessionDep, store_code: str, fields: FormDep, ref: Ref = None
) -> Response:
    store = cloudstore_service.get_cloud_store(session=session, code=store_code)
    ref = kept_ref(ref)
    link = linker(store.code, ref)
    order_id = _order_id(fields.get("order_id"))
    back = link(f"/orders/{order_id}") if order_id is not None else link("/me")
    buyer = signed_in(page, session, store, link, "/me")
    if isinstance(buyer, Response):
        return buyer
    guide_id = _referring_guide(session, store, buyer, order_id)
    try:
        result = _join(session, store, buyer, guide_id)
    except DomainError as exc:
        session.rollback()
        return page.redirect(
            back, flash="order_action_failed", kind="error", reason=page.error_message(exc)
        )
    flash = "member_joined" if result.created else "member_already"
    return page.redirect(back, flash=flash, brand=store.brand_name)


def _join(
    session: Session, store: CloudStore, buyer: Scope, guide_id: int | None
) -> members_service.JoinResult:
    data = MemberCreate(
        brand_id=store.brand_id,
        store_id=store.id,
        guide_id=guide_id,
        channel=members_service.JoinChannel.CLOUD_STORE,
        source=members_service.BindingSource.SHARE_LINK,
    )
    if guide_id is not None:
        try:
            return members_service.join(session=session, scope=buyer, data=data)
        except GUIDE_GONE:
            # the referring guide has left or moved (refused before anything is written):
            # join this store without them
            data = data.model_copy(update={"guide_id": None})
    return members_service.join(session=session, scope=buyer, data=data)


def _order_id(value: str | None) -> int | None:
    text = (value or "").strip()
    return int(text) if text.isdigit() and len(text) < 12 else None


def _referring_guide(
    session: Session, store: CloudStore, buyer: Scope, order_id: int | None
) -> int | None:
    """The guide who referred the buyer's own order in this store, if the join came from it."""
    if order_id is None:
        return None
    try:
        order = orders_service.get_order(session=session, scope=buyer, order_id=order_id)
    except DomainError:
        return None
    if order.brand_id != store.brand_id or order.store_id != store.id:
        return None
    guide: int | None = order.referring_guide_id
    return guide


def offers_membership(session: Session, store: CloudStore, buyer: Scope) -> bool:
    """Whether the buyer is not yet a member of the store's brand (the join prompt shows)."""
    if buyer.actor_id is None:
        return False
    found = members_service.find_membership(
        session=session, brand_id=store.brand_id, consumer_id=buyer.actor_id
    )
    return found is None
