"""Promotions and coupons on the cloud store: only what checkout applies is shown.

    home section       "happening now": the brand's automatic promotions running in this
                       store's cloud store, and the coupons a member may claim here
    POST /s/{code}/coupons/{template_id}/claim   a member claims one coupon of a template
    GET  /s/{code}/me/coupons                    my coupons of the brand: usable, used, gone;
                                                 the coupon packages with a benefit of it
    checkout           the best combination for the cart and the next two, to pick one

Signed-out visitors are sent to the phone sign-in and back, as the orders pages do.
"""

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy.orm import Session

from newretail.cloudstore import service as cloudstore_service
from newretail.cloudstore.stores import CloudStore
from newretail.db import utcnow
from newretail.kernel.errors import DomainError
from newretail.kernel.money import Money
from newretail.kernel.scope import Scope
from newretail.members import service as members_service
from newretail.orders import schemas
from newretail.payments import service as payments_service
from newretail.promotions import errors as promotion_errors
from newretail.promotions import service as promotions_service
from newretail.promotions.models import CouponTemplate
from newretail.promotions.schemas import BestRequest, ClaimCreate
from newretail.web import labels, offer_words, shop_packages, shop_shell
from newretail.web.cloudstore import PAGE_SECTIONS, Ref, kept_ref, linker
from newretail.web.pages import Page, PageRoute, PageSessionDep, PublicPage
from newretail.web.shop_shell import signed_in

router = APIRouter(route_class=PageRoute, include_in_schema=False)
OFFER_KEY = re.compile(schemas.OFFER_KEY)
CHANNEL = "cloud_store"
BEST = "best"
NONE = "none"
KEEP_POINTS = "keep-points"


# ---- the home page's section (cached with the page's shared part) ----------------------


def home_section(session: Session, context: cloudstore_service.HomeContext) -> Any:
    """Running promotions and claimable coupons, and when the list next changes by itself."""
    store, now = context.store, context.now
    running = promotions_service.running(
        session=session, brand_id=store.brand_id, store_id=store.id, channel=CHANNEL, now=now
    )
    claimable = promotions_service.claimable(
        session=session, brand_id=store.brand_id, store_id=store.id, channel=CHANNEL, now=now
    )
    ends = [p.ends_at for p in running if p.ends_at] + [t.ends_at for t in claimable if t.ends_at]
    data = {
        "promotions": [{"id": p.id, "name": p.name, "ends_at": _iso(p.ends_at)} for p in running],
        "coupons": [_template_card(t) for t in claimable],
    }
    return cloudstore_service.Timed(data, min(ends, default=None))


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _template_card(template: CouponTemplate) -> dict[str, Any]:
    terms = template.terms
    return {
        "id": template.id,
        "name": template.name,
        "kind": template.kind,
        "amount": int(terms.get("amount") or 0),
        "threshold": int(terms.get("threshold") or 0),
        "percent_off": int(terms.get("percent_off") or 0),
        "price": int(terms.get("price") or 0),
        "ends_at": _iso(template.ends_at),
    }


PAGE_SECTIONS.add("offers", home_section)


# ---- claiming and the wallet ------------------------------------------------------------


def _offered_here(session: Session, store: CloudStore) -> set[int]:
    """The templates this cloud store offers to claim or buy now."""
    offers = promotions_service.claimable(
        session=session, brand_id=store.brand_id, store_id=store.id, channel=CHANNEL, now=utcnow()
    )
    return {t.id for t in offers}


@router.post("/s/{store_code}/coupons/{template_id}/claim")
def claim(
    page: PublicPage, session: PageSessionDep, store_code: str, template_id: int, ref: Ref = None
) -> Response:
    store = cloudstore_service.get_cloud_store(session=session, code=store_code)
    link = linker(store.code, kept_ref(ref))
    buyer = signed_in(page, session, store, link, "")
    if isinstance(buyer, Response):
        return buyer
    if template_id not in _offered_here(session, store):
        return page.redirect(link(), flash="coupon_not_claimable", kind="error")
    try:
        promotions_service.claim(
            session=session, scope=buyer, data=ClaimCreate(template_id=template_id)
        )
    except promotion_errors.MemberRequired:
        session.rollback()
        return page.redirect(link("/me"), flash="coupon_member_required", kind="error")
    except DomainError as exc:
        session.rollback()
        return page.redirect(
            link(), flash="coupon_claim_failed", kind="error", reason=page.error_message(exc)
        )
    return page.redirect(link("/me/coupons"), flash="coupon_claimed")


@router.post("/s/{store_code}/coupons/{template_id}/buy")
def buy(
    page: PublicPage, session: PageSessionDep, store_code: str, template_id: int, ref: Ref = None
) -> Response:
    """A paid voucher bought on the home page, paid through the payments sandbox."""
    store = cloudstore_service.get_cloud_store(session=session, code=store_code)
    link = linker(store.code, kept_ref(ref))
    buyer = signed_in(page, session, store, link, "")
    if isinstance(buyer, Response):
        return buyer
    if template_id not in _offered_here(session, store):
        return page.redirect(link(), flash="coupon_not_claimable", kind="error")
    try:
        promotions_service.buy_voucher(
            session=session,
            scope=buyer,
            template_id=template_id,
            charge=payments_service.charge_voucher,
        )
    except promotion_errors.MemberRequired:
        session.rollback()
        return page.redirect(link("/me"), flash="coupon_member_required", kind="error")
    except DomainError as exc:
        session.rollback()
        return page.redirect(
            link(), flash="coupon_claim_failed", kind="error", reason=page.error_message(exc)
        )
    return page.redirect(link("/me/coupons"), flash="voucher_bought")


@router.post("/s/{store_code}/me/coupons/{coupon_id}/buy-back")
def buy_back(
    page: PublicPage, session: PageSessionDep, store_code: str, coupon_id: int, ref: Ref = None
) -> Response:
    """An unused paid voucher bought back: its price refunded through the payments sandbox."""
    store = cloudstore_service.get_cloud_store(session=session, code=store_code)
    link = linker(store.code, kept_ref(ref))
    buyer = signed_in(page, session, store, link, "/me/coupons")
    if isinstance(buyer, Response):
        return buyer
    try:
        payments_service.buy_back_voucher(session=session, scope=buyer, coupon_id=coupon_id)
    except DomainError as exc:
        session.rollback()
        return page.redirect(
            link("/me/coupons"),
            flash="voucher_not_bought_back",
            kind="error",
            reason=page.error_message(exc),
        )
    return page.redirect(link("/me/coupons"), flash="voucher_bought_back")


@router.get("/s/{store_code}/me/coupons")
def my_coupons(
    page: PublicPage, session: PageSessionDep, store_code: str, ref: Ref = None
) -> Response:
    store = cloudstore_service.get_cloud_store(session=session, code=store_code)
    ref = kept_ref(ref)
    link = linker(store.code, ref)
    buyer = signed_in(page, session, store, link, "/me/coupons")
    if isinstance(buyer, Response):
        return buyer
    return page.render(
        "cloudstore/coupons.html",
        **shop_shell.tabs(page, session, store, "me"),
        store=store,
        link=link,
        ref=ref,
        categories=[],
        coupons=wallet(page, session, store, buyer),
        packages=shop_packages.open_packages(page, session, store, buyer),
    )


def wallet(page: Page, session: Session, store: CloudStore, buyer: Scope) -> list[dict[str, Any]]:
    """The buyer's coupons of the store's brand, usable first, with their labels."""
    if (
        members_service.find_membership(
            session=session, brand_id=store.brand_id, consumer_id=buyer.actor_id or 0
        )
        is None
    ):
        return []
    coupons = promotions_service.list_wallet(session=session, scope=buyer, brand_id=store.brand_id)
    names = promotions_service.offer_names(
        session=session, brand_id=store.brand_id, keys=[f"coupon:{c.id}" for c in coupons]
    )
    kinds = promotions_service.coupon_kinds(
        session=session, brand_id=store.brand_id, coupon_ids=[c.id for c in coupons]
    )
    views = [
        {
            "id": c.id,
            "name": names.get(f"coupon:{c.id}", ""),
            "status": c.status,
            "status_label": labels.label(page, labels.COUPON_STATUSES, c.status),
            "kind": kinds.get(c.id, ""),
            "kind_label": labels.label(page, offer_words.COUPON_KINDS, kinds.get(c.id, "")),
            "paid": Money(c.price_paid, store.currency) if c.price_paid else None,
            "buy_back": bool(c.price_paid) and c.status in ("claimed", "released"),
            "usable": c.status in ("claimed", "released"),
            "valid_until": c.valid_until,
            "discount": Money(c.discount, store.currency) if c.discount else None,
        }
        for c in coupons
    ]
    return sorted(views, key=lambda v: (not v["usable"], v["valid_until"]))


# ---- the product page and checkout --------------------------------------------------------


def checkout_options(
    session: Session,
    store: CloudStore,
    buyer: Scope,
    lines: Sequence[tuple[int, int]],
) -> list[dict[str, Any]]:
    """The best combination for the cart and the next two, each with its saving and the
    points it spends, and, when the best spends points, the best that keeps them; none
    when nothing applies (or a line is not sold here: checkout says why when placed)."""
    if not lines:
        return []
    quote = _quote(session, store, buyer, lines, None)
    if quote is None:
        return []
    combos = [c for c in (quote.best, *quote.alternatives) if c.applied or c.tail]
    kept = _quote(session, store, buyer, lines, 0) if quote.best.points else None
    keeping = [kept.best] if kept is not None else []
    keys = {key for c in (*combos, *keeping) for key in c.keys}
    names = promotions_service.offer_names(session=session, brand_id=store.brand_id, keys=keys)
    options = [
        _option(c, BEST if n == 0 else ",".join(c.keys) or NONE, names, store)
        for n, c in enumerate(combos)
    ]
    options += [{**_option(c, KEEP_POINTS, names, store), "keeps_points": True} for c in keeping]
    return options


def _quote(
    session: Session,
    store: CloudStore,
    buyer: Scope,
    lines: Sequence[tuple[int, int]],
    points: int | None,
) -> promotions_service.Quote | None:
    data = BestRequest.model_validate(
        {
            "brand_id": store.brand_id,
            "store_id": store.id,
            "channel": CHANNEL,
            "lines": [{"sku_id": sku, "quantity": q} for sku, q in lines],
            "points": points,
        }
    )
    try:
        return promotions_service.best_for(session=session, scope=buyer, data=data)
    except DomainError:
        return None


def _option(
    c: promotions_service.Combination, value: str, names: dict[str, str], store: CloudStore
) -> dict[str, Any]:
    return {
        "value": value,
        "best": value == BEST,
        "names": [names.get(key, key) for key in c.keys],
        "saving": Money(c.saving, store.currency),
        "saves": c.saving > 0,  # points and gifts are shown on their own, not as a saving
        "payable": Money(c.payable, store.currency),
        "gift": Money(c.gift, store.currency) if c.gift else None,
        "points": c.points,
        "points_off": Money(c.points_off, store.currency) if c.points_off else None,
        "keeps_points": False,
    }


def chosen_points(value: str | None) -> int | None:
    """How many points the form lets checkout use: none for "keep my points", else the best."""
    return 0 if value == KEEP_POINTS else None


def chosen_keys(value: str | None) -> list[str] | None:
    """The keys of the combination the form picked (checkout checks them again on the
    order); None: the best, which checkout works out itself."""
    if not value or value in (BEST, KEEP_POINTS):
        return None
    if value == NONE:
        return []  # no offer: points alone
    keys = [key for key in value.split(",")[:10] if OFFER_KEY.match(key)]
    return keys or None
