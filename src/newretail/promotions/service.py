"""The promotions domain's use cases, for routers, the worker and checkout (import only this).

    definitions.py  automatic promotions and coupon templates: create, read, change, archive
    wallet.py       claiming coupons within quantity, budget and per-member limits, each
                    coupon recording its claim channel; wallets; the expiry job
                    (``expire_coupons_job``, run by the worker)
    store_use.py    service and free-trial vouchers redeemed by a store's staff, once
                    (``redeem_at_store``)
    purchases.py    paid vouchers bought: counted, charged by the caller, price and payment
                    recorded (``buy_voucher``); an unused one bought back, its price
                    refunded by the caller, once (``buy_back``)
    gifts.py        free gifts: gift SKUs a store cannot give, the gift lines of a
                    combination (``SaleOffers.gifts``)
    imports.py      coupons imported from a brand's own system: all or none, idempotent
                    per external reference (``import_coupons``)
    redemption.py   pricing a cart (``load`` then ``price_cart``), and the two-phase
                    redemption checkout calls: ``reserve`` (or ``hold`` a combination
                    already checked), ``commit`` / ``redeem``, ``release``; lapsed
                    reservations released by the worker (``release_lapsed_job``), and a
                    fully refunded order's coupons given back by rule (``restore``)
    checkout.py     a sale's offers from per-process copies (``sale_offers``), ``choose``
    showcase.py     what the cloud store shows: ``running``, ``for_sku``, ``claimable``,
                    ``claimable_for_sku``, ``offer_names``, ``coupon_kinds``
    consumers.py    coupons redeemed when their order is paid, released when it is
                    cancelled, restored by rule when it is refunded in full
    reports.py      redemption figures per template and per store (the console's report)
    packages/       coupon packages across brands: their own facade, ``packages.service``

Pure rules: ``discounts.py`` (what each kind takes off), ``eligibility.py`` (which offers a
cart may use), ``rules.py`` (the exact best combination, and the exhaustive reference),
``tail.py`` (the pre-sale deposit credit and the member's points after every discount).
"""

from datetime import datetime

from sqlalchemy.orm import Session

from newretail.kernel.scope import Scope
from newretail.members import service as members_service
from newretail.promotions import errors
from newretail.promotions.checkout import OfferInfo, SaleOffers, choose, sale_offers
from newretail.promotions.definitions import (
    archive,
    create_promotion,
    create_template,
    get_promotion,
    get_template,
    list_promotions,
    list_templates,
    update_promotion,
    update_template,
)
from newretail.promotions.gifts import Gift
from newretail.promotions.imports import Imported, import_coupons
from newretail.promotions.purchases import Charged, buy_back, buy_voucher
from newretail.promotions.redemption import (
    CartItem,
    Priced,
    SkuNotSold,
    commit,
    hold,
    load,
    price_cart,
    redeem,
    release,
    release_lapsed,
    release_lapsed_job,
    reserve,
    restore,
    select_exactly,
)
from newretail.promotions.reports import RedemptionReport, redemption_report
from newretail.promotions.rules import DEPOSIT, POINTS, Combination, Limits, Quote
from newretail.promotions.schemas import BestRequest
from newretail.promotions.showcase import (
    claimable,
    claimable_for_sku,
    coupon_kinds,
    for_sku,
    running,
)
from newretail.promotions.showcase import names as offer_names
from newretail.promotions.store_use import redeem_at_store
from newretail.promotions.wallet import claim, expire_coupons, expire_coupons_job, list_wallet

__all__ = [
    "DEPOSIT",
    "POINTS",
    "CartItem",
    "Charged",
    "Combination",
    "Gift",
    "Imported",
    "Limits",
    "OfferInfo",
    "Priced",
    "Quote",
    "RedemptionReport",
    "SaleOffers",
    "SkuNotSold",
    "archive",
    "best_for",
    "buy_back",
    "buy_voucher",
    "choose",
    "claim",
    "claimable",
    "claimable_for_sku",
    "commit",
    "coupon_kinds",
    "create_promotion",
    "create_template",
    "expire_coupons",
    "expire_coupons_job",
    "for_sku",
    "get_promotion",
    "get_template",
    "hold",
    "import_coupons",
    "list_promotions",
    "list_templates",
    "list_wallet",
    "load",
    "offer_names",
    "price_cart",
    "redeem",
    "redeem_at_store",
    "redemption_report",
    "release",
    "release_lapsed",
    "release_lapsed_job",
    "reserve",
    "restore",
    "running",
    "sale_offers",
    "select_exactly",
    "update_promotion",
    "update_template",
]


def best_for(
    *, session: Session, scope: Scope, data: BestRequest, now: datetime | None = None
) -> Quote:
    """The best combination for a cart: a consumer's own, or (staff) a member's or a guest's."""
    if scope.actor_type == "consumer":
        consumer_id = members_service.live_consumer_id(
            session=session, consumer_id=scope.actor_id or 0
        )
        if consumer_id is None:
            raise errors.MemberRequired()
        member = members_service.find_membership(
            session=session, brand_id=data.brand_id, consumer_id=consumer_id
        )
    else:
        brand_id = scope.target_brand(data.brand_id)
        member = None
        if data.member_id is not None:
            member = members_service.get_brand_member(
                session=session, scope=scope, member_id=data.member_id
            )
            if member.brand_id != brand_id:
                raise errors.MemberRequired()
    priced = load(
        session=session,
        brand_id=data.brand_id,
        store_id=data.store_id,
        channel=data.channel.value,
        member_id=member.id if member else None,
        tier=member.tier if member else None,
        items=[CartItem(line.sku_id, line.quantity) for line in data.lines],
        now=now,
        points=data.points,
    )
    return price_cart(priced)
