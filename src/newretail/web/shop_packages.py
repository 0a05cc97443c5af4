"""Coupon packages on the cloud store: the published packages with a benefit of this brand,
shown in "my coupons", and claimed whole in one tap.

    POST /s/{store_code}/packages/{package_id}/claim   every benefit of the package at once
                                                       (joining the brands the shopper is new
                                                       to), or none, with the reason

A package's benefits are listed with their brands and terms, so the shopper knows what
joining means before claiming.
"""

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy.orm import Session

from newretail.cloudstore import service as cloudstore_service
from newretail.cloudstore.stores import CloudStore
from newretail.kernel.errors import DomainError
from newretail.kernel.scope import SYSTEM, Scope
from newretail.org import service as org_service
from newretail.promotions import service as promotions_service
from newretail.promotions.packages import service as packages_service
from newretail.web import offer_words
from newretail.web.cloudstore import Ref, kept_ref, linker
from newretail.web.pages import Page, PageRoute, PageSessionDep, PublicPage
from newretail.web.shop_shell import signed_in

router = APIRouter(route_class=PageRoute, include_in_schema=False)
SHOWN = 10


def open_packages(
    page: Page, session: Session, store: CloudStore, buyer: Scope
) -> list[dict[str, Any]]:
    """The packages open for claims that hold a benefit of this store's brand."""
    packages, _ = packages_service.list_packages(
        session=session, scope=buyer, status=None, cursor=None, limit=50
    )
    shown = []
    for package in packages:
        picked = packages_service.candidates_of(session=session, scope=buyer, package=package)
        if any(c.brand_id == store.brand_id for c in picked):
            shown.append((package, picked))
    claimed = packages_service.claimed_by(
        session=session, consumer_id=buyer.actor_id or 0, package_ids=[p.id for p, _ in shown]
    )
    return [
        {
            "id": package.id,
            "name": package.name,
            "theme": package.theme,
            "claimed": package.id in claimed,
            "benefits": _benefits(page, session, [c.template_id for c in picked]),
        }
        for package, picked in shown[:SHOWN]
    ]


def _benefits(page: Page, session: Session, template_ids: list[int]) -> list[dict[str, str]]:
    out = []
    for template_id in template_ids:
        template = promotions_service.get_template(
            session=session, scope=SYSTEM, template_id=template_id
        )
        brand = org_service.live_brand(session=session, brand_id=template.brand_id)
        currency = brand.currency if brand else "CNY"
        out.append(
            {
                "brand": brand.name if brand else "",
                "name": template.name,
                "terms": offer_words.terms_text(page, template.kind, template.terms, currency),
            }
        )
    return out


@router.post("/s/{store_code}/packages/{package_id}/claim")
def claim(
    page: PublicPage, session: PageSessionDep, store_code: str, package_id: int, ref: Ref = None
) -> Response:
    store = cloudstore_service.get_cloud_store(session=session, code=store_code)
    link = linker(store.code, kept_ref(ref))
    buyer = signed_in(page, session, store, link, "/me/coupons")
    if isinstance(buyer, Response):
        return buyer
    try:
        packages_service.claim_package(session=session, scope=buyer, package_id=package_id)
    except DomainError as refused:
        session.rollback()
        reason = page.error_message(refused)
        return page.redirect(
            link("/me/coupons"), flash="package_claim_failed", kind="error", reason=reason
        )
    return page.redirect(link("/me/coupons"), flash="package_claimed")
