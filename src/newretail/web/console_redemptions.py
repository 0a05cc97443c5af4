"""The console's redemption report: what the brand's coupons and promotions gave away.

    GET /console/coupons/report?days=30

    coupons      each template: issued, in wallets, held by unpaid orders, redeemed,
                 released back to wallets, expired, and what the redeemed ones took off
    funders      what every discount of the orders paid in the last ``days`` days took
                 off, by who pays for it (platform, brand, store, franchisee) and source
    stores       per store: coupons redeemed there, and the discounts of its paid orders
                 by funder

HQ reads the whole brand, a region or store manager the stores they cover.
"""

from collections import defaultdict
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from newretail.db import utcnow
from newretail.kernel.money import Money
from newretail.kernel.reporting import READERS
from newretail.orders import queries as order_queries
from newretail.promotions import service as promotions_service
from newretail.web import labels, offer_words
from newretail.web.console_catalog import _brand, _stores, url
from newretail.web.manage import brand_param
from newretail.web.nav import console_nav
from newretail.web.pages import PageRoute, PageSessionDep, StaffPage

router = APIRouter(route_class=PageRoute, include_in_schema=False)
FUNDER_ORDER = ("platform", "brand", "store", "franchisee")
Days = Annotated[int, Query(ge=1, le=366)]


@router.get("/console/coupons/report")
def report(
    page: StaffPage, session: PageSessionDep, brand: int | None = None, days: Days = 30
) -> Response:
    current = _brand(page, session, brand)
    page.caller.require(*READERS)
    figures = promotions_service.redemption_report(
        session=session, scope=page.caller, brand_id=current.id
    )
    now = utcnow()
    shares = order_queries.discounts_by_funder(
        session=session,
        scope=page.caller,
        brand_id=current.id,
        start=now - timedelta(days=days),
        end=now,
    )

    def cash(amount: int) -> Money:
        return Money(amount, current.currency)

    by_funder: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_store: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for share in shares:
        by_funder[share.funder][share.source] += share.amount
        by_store[share.store_id][share.funder] += share.amount
    coupons_at: dict[int, int] = defaultdict(int)
    for row in figures.stores:
        coupons_at[row.store_id] += row.redeemed
    stores = {s.id: s.name for s in _stores(page, session, current.id, warehouses=True)}
    funders = [f for f in FUNDER_ORDER if f in by_funder or f == "brand"]
    return page.render(
        "console/redemptions.html",
        nav_items=console_nav(page, current.id, "coupons"),
        brand=current,
        days=days,
        templates=[
            {
                **t.__dict__,
                "kind": labels.label(page, offer_words.KINDS, t.kind),
                "funder": labels.label(page, labels.FUNDERS, t.funder),
                "discount": cash(t.discount),
                "sales": cash(t.sales),
            }
            for t in figures.templates
        ],
        channels=[
            {
                "name": labels.label(page, offer_words.CLAIM_CHANNELS, c.channel),
                "claimed": c.claimed,
                "redeemed": c.redeemed,
                "share": c.redeemed_share,
                "discount": cash(c.discount),
            }
            for c in figures.channels
        ],
        funders=[
            {
                "name": labels.label(page, labels.FUNDERS, f),
                "sources": [
                    (labels.label(page, offer_words.SOURCES, source), cash(amount))
                    for source, amount in sorted(by_funder[f].items())
                ],
                "total": cash(sum(by_funder[f].values())),
            }
            for f in funders
        ],
        funder_names=[labels.label(page, labels.FUNDERS, f) for f in funders],
        stores=[
            {
                "name": stores.get(store_id, f"#{store_id}"),
                "coupons": coupons_at.get(store_id, 0),
                "by_funder": [cash(by_store[store_id].get(f, 0)) for f in funders],
            }
            for store_id in sorted(set(by_store) | set(coupons_at), key=lambda s: stores.get(s, ""))
        ],
        back_url=url("/console/coupons", brand=brand_param(page, current)),
    )
