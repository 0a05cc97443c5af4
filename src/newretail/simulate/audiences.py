"""The demo brands' audiences: a few common segments HQ would keep, over the data bank.

Only their rules are planted: the worker finds their members after its first copy of the
event intake into the warehouse (``refresh_audiences``), as it would for audiences HQ makes.
"""

from newretail.analytics.audiences import segments
from newretail.analytics.audiences import service as audiences_service
from newretail.kernel.scope import SYSTEM
from newretail.simulate.world import Step, StepContext

STEP_NAME = "audiences"
# Each audience's name, and its segment over how many days.
AUDIENCES: tuple[tuple[str, str, int], ...] = (
    ("接受营销的会员", "marketing", 1),
    ("近 30 天有购买", "bought", 30),
    ("近 30 天到店未入会", "visited_not_member", 30),
)


def step() -> Step:
    return Step(name=STEP_NAME, run=build, units=1)


def build(ctx: StepContext) -> None:
    for brand in ctx.world.brands.values():
        for name, segment, days in AUDIENCES:
            audiences_service.create_audience(
                session=ctx.session,
                scope=SYSTEM,
                brand_id=brand.id,
                name=name,
                rule=segments.rule(segment, days),
            )
    ctx.tick(1)
