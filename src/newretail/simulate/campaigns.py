"""The demo brands' promotions: what their cloud stores advertise, as rules checkout applies.

Each brand gets automatic promotions (the running shoes' 满 599 减 100, apparel's second
item at 20 % off, ...) and a coupon its members can claim on the cloud store. They start a
day before the build and run for weeks, and come last, so the simulated order history
before them is priced as it was. Every district where several brands have stores gets a
coupon package of their coupons, assembled by the optimiser and published.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from newretail.db import utcnow
from newretail.kernel.scope import SYSTEM
from newretail.org import service as org_service
from newretail.promotions import service as promotions_service
from newretail.promotions.packages import service as packages_service
from newretail.promotions.packages.schemas import PackageCreate
from newretail.promotions.schemas import PromotionCreate, TemplateCreate
from newretail.simulate.world import Step, StepContext

STEP_NAME = "promotions"


@dataclass(frozen=True)
class Planned:
    name: str
    kind: str
    terms: dict[str, Any]
    category: str | None = None
    weeks: int = 2


PROMOTIONS = {
    "YUEDONG": (
        Planned(
            "夏日跑步节 · 跑鞋满 599 减 100",
            "spend_save",
            {"tiers": [{"threshold": 59_900, "off": 10_000}]},
            "RUN",
        ),
        Planned(
            "会员日 · 服装第二件 8 折",
            "nth_item",
            {"every": 2, "percent_off": 20},
            "APPAREL",
            weeks=4,
        ),
    ),
    "HUAJIAN": (
        Planned(
            "护肤满 800 减 80",
            "spend_save",
            {"tiers": [{"threshold": 80_000, "off": 8_000}]},
            "SKINCARE",
        ),
        Planned("彩妆第二件半价", "nth_item", {"every": 2, "percent_off": 50}, "MAKEUP", weeks=4),
    ),
}
COUPONS = {
    "YUEDONG": (
        Planned("跑步节 满 300 减 30", "threshold", {"threshold": 30_000, "amount": 3_000}),
    ),
    "HUAJIAN": (
        Planned("新客礼 满 200 减 20", "threshold", {"threshold": 20_000, "amount": 2_000}),
    ),
}


def step() -> Step:
    return Step(name=STEP_NAME, run=build, units=1)


def build(ctx: StepContext) -> None:
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    for brand in ctx.world.brands.values():
        categories = brand.catalog.categories
        for plan in PROMOTIONS.get(brand.code, ()):
            reach = {"categories": [categories[plan.category]]} if plan.category else {}
            data = PromotionCreate.model_validate(
                {
                    "brand_id": brand.id,
                    "name": plan.name,
                    "kind": plan.kind,
                    "terms": plan.terms,
                    "reach": reach,
                    "starts_at": now - timedelta(days=1),
                    "ends_at": now + timedelta(weeks=plan.weeks),
                }
            )
            promotions_service.create_promotion(session=ctx.session, scope=SYSTEM, data=data)
        for plan in COUPONS.get(brand.code, ()):
            template = TemplateCreate.model_validate(
                {
                    "brand_id": brand.id,
                    "name": plan.name,
                    "kind": plan.kind,
                    "terms": plan.terms,
                    "starts_at": now - timedelta(days=1),
                    "ends_at": now + timedelta(weeks=plan.weeks),
                    "valid_days": 30,
                    "total_quantity": 5_000,
                    "per_member_limit": 1,
                }
            )
            promotions_service.create_template(session=ctx.session, scope=SYSTEM, data=template)
    for code, district_id in ctx.world.districts.items():
        trading = {
            brand.code
            for brand in ctx.world.brands.values()
            if any(store.district_code == code for store in brand.stores)
        }
        if len(trading) > 1:
            _district_package(ctx, district_id, now)
    ctx.tick(1)


def _district_package(ctx: StepContext, district_id: int, now: datetime) -> None:
    """The district's package of its brands' coupons (gathered by the optimiser), published."""
    district = org_service.get_district(session=ctx.session, district_id=district_id)
    data = PackageCreate.model_validate(
        {
            "name": f"{district.name}逛街券包",
            "kind": "district",
            "district_id": district_id,
            "theme": "周末逛商圈",
            "budget": 10_000,
            "starts_at": now - timedelta(days=1),
            "ends_at": now + timedelta(weeks=2),
            "total_quantity": 2_000,
        }
    )
    package = packages_service.create_package(session=ctx.session, scope=SYSTEM, data=data)
    packages_service.publish(session=ctx.session, scope=SYSTEM, package_id=package.id)
