"""Re-targeting near stores on the database: an audience member's geo event near a store
sends the offer once per period, held through quiet hours, never to one who refused
marketing nor for a position far away or stale."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from tests import analytics_builders, builders
from tests import promotion_builders as pb
from tests.warehouse_builders import PlantedWarehouse

from newretail.analytics.audiences import service as audiences
from newretail.analytics.audiences.rules import AudienceRule
from newretail.analytics.retarget import service as retarget
from newretail.analytics.retarget.models import RetargetSend
from newretail.analytics.retarget.schemas import RetargetRuleCreate
from newretail.db import Database
from newretail.kernel.scope import SYSTEM, Role, Scope
from newretail.notify import service as notify_service
from newretail.notify.models import NotifyMessage
from newretail.promotions.models import Coupon

pytestmark = pytest.mark.postgres
DAY0 = datetime(2026, 11, 2, tzinfo=UTC)
MORNING = DAY0 + timedelta(hours=2)  # 10:00 in Shanghai
LATE_EVENING = DAY0 + timedelta(days=1, hours=15, minutes=30)  # 23:30 in Shanghai
QUIET_END = DAY0 + timedelta(days=2)  # 08:00 in Shanghai
STORE_LAT, STORE_LNG = 31.2304, 121.4737


def _geo(
    wh: PlantedWarehouse, brand_id: int, member_id: int, at: datetime, km_north: float
) -> None:
    wh.event(
        brand_id,
        f"member:{member_id}",
        "Geofence Entered",
        at.replace(tzinfo=None),
        lat=STORE_LAT + km_north / 111.2,
        lng=STORE_LNG,
        channel="app",
    )


def _run(database: Database, wh: PlantedWarehouse, now: datetime) -> int:
    with database.transaction() as session:
        return retarget.run_due(session=session, warehouse=wh, now=now)


def test_offers_go_once_per_period_and_wait_out_quiet_hours(
    database: Database, planted: PlantedWarehouse
) -> None:
    world = builders.brand_world(database)
    brand = world.brand.id
    admin = Scope(
        actor_type="staff", actor_id=1, roles=frozenset({Role.BRAND_ADMIN}), brand_id=brand
    )
    keen, shy = (
        analytics_builders.member(database, brand, marketing=True),
        analytics_builders.member(database, brand, marketing=False),
    )
    wh = planted
    for member_id in (keen, shy):
        wh.member(brand, member_id, (DAY0 - timedelta(days=30)).replace(tzinfo=None))
    with database.transaction() as session:
        notify_service.put_policy(
            session=session,
            scope=SYSTEM,
            brand_id=brand,
            quiet_start_minute=22 * 60,
            quiet_end_minute=8 * 60,
            max_per_hour=10,
        )
        audience = audiences.create_audience(
            session=session,
            scope=admin,
            brand_id=None,
            name="members",
            rule=AudienceRule.model_validate(
                {"rule": {"kind": "profile", "field": "member", "value": True}}
            ),
        )
        audiences.recompute(session=session, warehouse=wh, audience=audience, now=DAY0)
        rule = retarget.create_rule(
            session=session,
            scope=admin,
            now=DAY0,
            data=RetargetRuleCreate(
                name="near",
                audience_id=audience.id,
                offer_kind="message",
                radius_m=3_000,
                period_hours=24,
                starts_at=DAY0,
            ),
        )
        rule_id = rule.id

    _geo(wh, brand, keen, MORNING - timedelta(minutes=10), km_north=1.0)
    _geo(wh, brand, keen, MORNING - timedelta(minutes=5), km_north=0.5)
    _geo(wh, brand, shy, MORNING - timedelta(minutes=5), km_north=0.5)
    first = _run(database, wh, MORNING)
    _geo(wh, brand, keen, MORNING + timedelta(minutes=30), km_north=0.2)
    again_same_day = _run(database, wh, MORNING + timedelta(minutes=31))
    _geo(wh, brand, keen, LATE_EVENING - timedelta(hours=2), km_north=0.2)  # stale by then
    _geo(wh, brand, keen, LATE_EVENING - timedelta(minutes=5), km_north=8.0)  # too far
    too_far_or_stale = _run(database, wh, LATE_EVENING)
    _geo(wh, brand, keen, LATE_EVENING, km_north=2.5)
    next_day = _run(database, wh, LATE_EVENING + timedelta(minutes=1))

    with database.transaction(read_only=True) as session:
        sends = [
            (s.member_id, s.period_index, s.store_id)
            for s in session.scalars(select(RetargetSend).where(RetargetSend.rule_id == rule_id))
        ]
        messages = session.scalars(
            select(NotifyMessage).where(NotifyMessage.brand_id == brand).order_by(NotifyMessage.id)
        ).all()
        held = [(m.status, m.next_attempt_at) for m in messages]
        texts = [m.body for m in messages]
    assert (first, again_same_day, too_far_or_stale, next_day) == (1, 0, 0, 1)
    assert sends == [(keen, 0, world.east_store.id), (keen, 1, world.east_store.id)]
    assert held[0][1] is None
    assert held[1] == ("queued", QUIET_END)
    assert len(texts) == 2
    assert all(world.east_store.name in text for text in texts)


def test_a_coupon_offer_puts_one_coupon_in_the_wallet_per_period(database: Database) -> None:
    shop = pb.shop(database)
    brand = shop.world.brand.id
    admin = Scope(
        actor_type="staff", actor_id=1, roles=frozenset({Role.BRAND_ADMIN}), brand_id=brand
    )
    coupon = pb.template(database, shop, starts_at=(DAY0 - timedelta(days=1)).isoformat())
    keen = analytics_builders.member(database, brand, marketing=True)
    wh = PlantedWarehouse()
    wh.member(brand, keen, (DAY0 - timedelta(days=30)).replace(tzinfo=None))
    with database.transaction() as session:
        audience = audiences.create_audience(
            session=session,
            scope=admin,
            brand_id=None,
            name="members",
            rule=AudienceRule.model_validate(
                {"rule": {"kind": "profile", "field": "member", "value": True}}
            ),
        )
        audiences.recompute(session=session, warehouse=wh, audience=audience, now=DAY0)
        retarget.create_rule(
            session=session,
            scope=admin,
            now=DAY0,
            data=RetargetRuleCreate(
                name="coupon near",
                audience_id=audience.id,
                offer_kind="coupon",
                coupon_template_id=coupon,
                period_hours=24,
                starts_at=DAY0,
            ),
        )

    _geo(wh, brand, keen, MORNING - timedelta(minutes=5), km_north=1.0)
    first = _run(database, wh, MORNING)
    _geo(wh, brand, keen, MORNING + timedelta(minutes=5), km_north=1.0)
    again = _run(database, wh, MORNING + timedelta(minutes=6))

    with database.transaction(read_only=True) as session:
        coupons = session.scalars(select(Coupon.membership_id).where(Coupon.template_id == coupon))
        held = list(coupons)
    assert (first, again) == (1, 0)
    assert held == [keen]
