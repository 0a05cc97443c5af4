"""Builders for promotions tests: templates, promotions, members' coupons, priced carts."""

from datetime import datetime, timedelta
from typing import Any

from newretail.db import Database, utcnow
from newretail.kernel.scope import SYSTEM
from newretail.promotions import service as promotions_service
from newretail.promotions.packages import service as packages_service
from newretail.promotions.packages.schemas import PackageCreate
from newretail.promotions.schemas import ClaimCreate, PromotionCreate, TemplateCreate
from tests import member_builders, order_builders
from tests.order_builders import Shop, consumer_scope


def shop(database: Database, prices: list[int] | None = None) -> Shop:
    """A brand whose east store sells two SKUs (129.00 and 59.90 unless told), no stock."""
    return order_builders.shop(database, prices=prices, stock=0)


def template_body(shop: Shop, **fields: Any) -> dict[str, Any]:
    return {
        "brand_id": shop.world.brand.id,
        "name": "10 off",
        "kind": "fixed",
        "terms": {"amount": 1_000},
        "starts_at": (utcnow() - timedelta(days=1)).isoformat(),
        "valid_days": 30,
        **fields,
    }


def template(database: Database, shop: Shop, **fields: Any) -> int:
    data = TemplateCreate.model_validate(template_body(shop, **fields))
    with database.transaction() as session:
        return promotions_service.create_template(session=session, scope=SYSTEM, data=data).id


def promotion(database: Database, shop: Shop, **fields: Any) -> int:
    body = {
        "brand_id": shop.world.brand.id,
        "name": "spend 100 save 20",
        "kind": "spend_save",
        "terms": {"tiers": [{"threshold": 10_000, "off": 2_000}]},
        "starts_at": (utcnow() - timedelta(days=1)).isoformat(),
        **fields,
    }
    data = PromotionCreate.model_validate(body)
    with database.transaction() as session:
        return promotions_service.create_promotion(session=session, scope=SYSTEM, data=data).id


def member(database: Database, shop: Shop) -> int:
    return member_builders.member(database, shop.world)


def claim(database: Database, member_id: int, template_id: int) -> int:
    data = ClaimCreate(template_id=template_id, member_id=member_id)
    with database.transaction() as session:
        return promotions_service.claim(session=session, scope=SYSTEM, data=data).id


def priced(
    database: Database, shop: Shop, member_id: int | None, quantities: list[int]
) -> promotions_service.Priced:
    return priced_at(database, shop, member_id, quantities, utcnow())


def priced_at(
    database: Database,
    shop: Shop,
    member_id: int | None,
    quantities: list[int],
    now: datetime,
) -> promotions_service.Priced:
    items = [
        promotions_service.CartItem(sku, q)
        for sku, q in zip(shop.skus, quantities, strict=True)
        if q
    ]
    with database.transaction(read_only=True) as session:
        return promotions_service.load(
            session=session,
            brand_id=shop.world.brand.id,
            store_id=shop.store_id,
            channel="cloud_store",
            member_id=member_id,
            tier=None,
            items=items,
            now=now,
        )


def package_body(templates: list[int], **fields: Any) -> dict[str, Any]:
    return {
        "name": "weekend with children",
        "kind": "scenario",
        "budget": 10_000,
        "candidates": [{"template_id": t} for t in templates],
        "starts_at": (utcnow() - timedelta(hours=1)).isoformat(),
        **fields,
    }


def package(database: Database, templates: list[int], **fields: Any) -> int:
    """A draft coupon package of ``templates``, assembled by the optimiser."""
    data = PackageCreate.model_validate(package_body(templates, **fields))
    with database.transaction() as session:
        return packages_service.create_package(session=session, scope=SYSTEM, data=data).id


def published_package(database: Database, templates: list[int], **fields: Any) -> int:
    package_id = package(database, templates, **fields)
    with database.transaction() as session:
        packages_service.publish(session=session, scope=SYSTEM, package_id=package_id)
    return package_id


def claim_package(database: Database, consumer_id: int, package_id: int) -> list[int]:
    with database.transaction() as session:
        coupons = packages_service.claim_package(
            session=session, scope=consumer_scope(consumer_id), package_id=package_id
        )
        return [c.id for c in coupons]
