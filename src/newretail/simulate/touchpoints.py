"""The touchpoints step: shelf, floor and poster codes per store, a badge per guide, scans.

Scans are anonymous devices spread over the last two weeks; some devices scan a code more
than once, so unique scanners are fewer than scans. What was planted is recorded under
``world.truth["touchpoints"]``: per code, its scans and unique scanners.
"""

from datetime import timedelta

from newretail.db import utcnow
from newretail.kernel.scope import Role
from newretail.simulate.world import Step, StepContext
from newretail.touchpoints import service as touchpoints_service
from newretail.touchpoints.schemas import CodeBulkCreate, CodeCreate

STEP_NAME = "touchpoints"
SHELF_TAGS_PER_STORE = 3
SCAN_WINDOW_DAYS = 14
STORE_CODES = (("shelf_tag", SHELF_TAGS_PER_STORE), ("floor_sticker", 1))
POSTER_CAMPAIGN = "开业季 Grand opening"


def step() -> Step:
    return Step(name=STEP_NAME, run=build, units=1)


def build(ctx: StepContext) -> None:
    session, rng = ctx.session, ctx.rng
    planted: dict[str, dict[str, int]] = {}
    now = utcnow()
    for brand in ctx.world.brands.values():
        scope = touchpoints_service.brand_scope(brand.id)
        codes: list[str] = []
        for store in brand.stores:
            if store.type == "warehouse":
                continue
            for placement, count in STORE_CODES:
                bulk = CodeBulkCreate.model_validate(
                    {"store_id": store.id, "placement": placement, "count": count}
                )
                rows = touchpoints_service.create_codes(
                    session=session, scope=scope, data=bulk, pick=rng.choice
                )
                codes.extend(row.code for row in rows)
            poster = CodeCreate.model_validate(
                {"store_id": store.id, "placement": "poster", "campaign": POSTER_CAMPAIGN}
            )
            row = touchpoints_service.create_code(
                session=session, scope=scope, data=poster, pick=rng.choice
            )
            codes.append(row.code)
        for guide in brand.staff_with_role(Role.GUIDE):
            badge, _ = touchpoints_service.guide_badge(
                session=session, scope=scope, guide_id=guide.id, pick=rng.choice
            )
            codes.append(badge.code)
        for code in codes:
            devices = [f"sim-{brand.code}-{code}-{n}" for n in range(rng.randint(1, 12))]
            scans = 0
            for device in devices:
                for _ in range(rng.choice((1, 1, 1, 2, 3))):
                    at = now - timedelta(seconds=rng.randint(60, SCAN_WINDOW_DAYS * 86400))
                    touchpoints_service.scan(
                        session=session, code=code, anonymous_id=device, device="sim", now=at
                    )
                    scans += 1
            planted[code] = {"scans": scans, "unique_scanners": len(devices)}
    ctx.world.truth[STEP_NAME] = planted
    ctx.tick(1)
