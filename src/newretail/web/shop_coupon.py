"""One coupon of the shopper's wallet: where and how to use it, and the nearest stores it
works in.

    GET /s/{store_code}/me/coupons/{coupon_id}

How: online in the cloud store (checkout uses it by itself when it saves most) and at the
till (the cashier finds it by the member's phone, or by its number), as its channels allow.
Where: every store of the brand, or the ones it names; the nearest of them to this store
(geodesic distance), with their addresses and cloud stores. What: its terms, the products
it covers and its validity. Someone else's coupon is not found.
"""

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy.orm import Session

from newretail.catalog import service as catalog_service
from newretail.cloudstore import service as cloudstore_service
from newretail.cloudstore.stores import CloudStore
from newretail.kernel.errors import NotFound
from newretail.kernel.scope import SYSTEM, Scope
from newretail.promotions import service as promotions_service
from newretail.promotions.models import Coupon, CouponTemplate
from newretail.web import labels, offer_words, shop_shell
from newretail.web.cloudstore import Ref, kept_ref, linker
from newretail.web.pages import Page, PageRoute, PageSessionDep, PublicPage
from newretail.web.shop_shell import signed_in

router = APIRouter(route_class=PageRoute, include_in_schema=False)
ONLINE = frozenset({"cloud_store", "online", "guide_share", "livestream"})
NEAREST = 5
SEARCH_KM = 100.0


class CouponNotFound(NotFound):
    code = "coupon_not_found"
    default_detail = "Coupon not found."


@router.get("/s/{store_code}/me/coupons/{coupon_id}")
def coupon_page(
    page: PublicPage, session: PageSessionDep, store_code: str, coupon_id: int, ref: Ref = None
) -> Response:
    store = cloudstore_service.get_cloud_store(session=session, code=store_code)
    ref = kept_ref(ref)
    link = linker(store.code, ref)
    buyer = signed_in(page, session, store, link, f"/me/coupons/{coupon_id}")
    if isinstance(buyer, Response):
        return buyer
    coupon, template = _mine(session, buyer, store, coupon_id)
    reach = template.reach
    channels = set(reach.get("channels") or []) or ONLINE | {"pos"}
    service = template.kind == "service"  # used at a counter by staff, never in a cart
    if service:
        channels = {"pos"}
    return page.render(
        "cloudstore/coupon.html",
        **shop_shell.tabs(page, session, store, "me"),
        store=store,
        link=link,
        ref=ref,
        coupon={
            "id": coupon.id,
            "number": f"{coupon.id:08d}",
            "name": template.name,
            "terms": offer_words.terms_text(page, template.kind, template.terms, store.currency),
            "status": coupon.status,
            "status_label": labels.label(page, labels.COUPON_STATUSES, coupon.status),
            "usable": coupon.status in ("claimed", "released"),
            "valid_from": coupon.valid_from,
            "valid_until": coupon.valid_until,
            "returns": labels.label(page, offer_words.RETURN_RULES, template.return_rule),
        },
        online=bool(channels & ONLINE),
        in_store=("pos" in channels),
        service=service,
        covers=_covers(page, session, store, reach),
        every_store=not reach.get("stores"),
        nearest=_nearest(session, store, set(reach.get("stores") or [])),
        categories=[],
    )


def _mine(
    session: Session, buyer: Scope, store: CloudStore, coupon_id: int
) -> tuple[Coupon, CouponTemplate]:
    found = [
        c
        for c in promotions_service.list_wallet(
            session=session, scope=buyer, brand_id=store.brand_id
        )
        if c.id == coupon_id
    ]
    if not found:
        raise CouponNotFound()
    template = session.get(CouponTemplate, found[0].template_id)
    if template is None:
        raise CouponNotFound()
    return found[0], template


def _covers(page: Page, session: Session, store: CloudStore, reach: dict[str, Any]) -> list[str]:
    """What the coupon counts: categories and products, in words; empty: everything."""
    categories: dict[int, str] = {}
    for category_id in reach.get("categories") or []:
        try:
            found = catalog_service.get_category(
                session=session, scope=SYSTEM, category_id=int(category_id)
            )
        except NotFound:
            continue  # a category removed since: the coupon simply no longer reaches it
        categories[found.id] = found.name
    return offer_words.reach_text(page, {**reach, "stores": [], "channels": []}, {}, categories)


def _nearest(session: Session, store: CloudStore, allowed: set[int]) -> list[dict[str, Any]]:
    """The brand's cloud stores nearest to this one where the coupon works."""
    near = cloudstore_service.nearby_stores(
        session=session,
        lat=store.lat,
        lng=store.lng,
        radius_km=SEARCH_KM,
        brand_code=store.brand_code,
        limit=50,
    )
    return [
        {
            "name": n.store.name,
            "address": n.store.address,
            "distance_km": f"{n.distance_km:.1f}",
            "url": f"/s/{n.store.code}",
            "here": n.store.id == store.id,
            "open": n.open_now,
        }
        for n in near
        if not allowed or n.store.id in allowed
    ][:NEAREST]
