"""The demo brands' audiences: a few common segments HQ would keep, over the data bank.

Only their rules are planted: the worker finds their members after its first copy of the
event intake into the warehouse (``refresh_audiences``), as it would for audiences HQ makes.
"""

from typing import Any

from newretail.analytics.audiences import service as audiences_service
from newretail.analytics.audiences.rules import AudienceRule
from newretail.kernel.scope import SYSTEM
from newretail.simulate.world import Step, StepContext

STEP_NAME = "audiences"
AUDIENCES: tuple[tuple[str, dict[str, Any]], ...] = (
    ("接受营销的会员", {"kind": "profile", "field": "marketing_consent", "value": True}),
    ("近 30 天有购买", {"kind": "did", "event": "Order Completed", "within_days": 30}),
    (
        "近 30 天到店未入会",
        {
            "kind": "all",
            "rules": [
                {"kind": "did", "event": "Store Entered", "within_days": 30},
                {"kind": "profile", "field": "member", "value": False},
            ],
        },
    ),
)


def step() -> Step:
    return Step(name=STEP_NAME, run=build, units=1)


def build(ctx: StepContext) -> None:
    for brand in ctx.world.brands.values():
        for name, rule in AUDIENCES:
            audiences_service.create_audience(
                session=ctx.session,
                scope=SYSTEM,
                brand_id=brand.id,
                name=name,
                rule=AudienceRule.model_validate({"rule": rule}),
            )
    ctx.tick(1)
