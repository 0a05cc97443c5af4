"""An order taken on credit is attributed like any order (the buyer's binding snapshot, the
share link's or code's guide, the code and its campaign) and earns commission on what was
collected: the down payment at once, the balance when the worker charges it."""

from typing import Any

from tests import code_builders, member_builders, order_builders, paylater_builders
from tests import commission_builders as cb

from newretail.db import Database


def _on_credit(database: Database, shop: order_builders.Shop, **fields: Any) -> tuple[int, int]:
    """A member recruited by the east guide places ``order_body(shop, **fields)`` and takes
    it on credit for the brand's down payment: (member, order)."""
    paylater_builders.terms(database, shop.world.brand.id, 0)
    member_id = member_builders.member(database, shop.world)
    consumer = member_builders.consumer_of(database, member_id)
    order_id = order_builders.place(database, shop, consumer, **fields)
    paylater_builders.take_on_credit(database, consumer, order_id)
    return member_id, order_id


def _earned(database: Database, order_id: int) -> dict[int | None, int]:
    """What each guide earns of the order now."""
    earned: dict[int | None, int] = {}
    for entry in cb.live(cb.entries(database, order_id)):
        earned[entry.guide_id] = earned.get(entry.guide_id, 0) + entry.amount
    return earned


def test_an_order_on_credit_through_a_share_link_keeps_the_binding_and_the_sharing_guide(
    database: Database,
) -> None:
    shop = order_builders.shop(database)
    world = shop.world
    sharer = member_builders.guide(database, world.brand.id, world.west_store.id)
    member_id, order_id = _on_credit(
        database, shop, channel="guide_share", referring_guide_id=sharer.id
    )
    assert order_builders.attribution(database, order_id) == (
        "guide_share", member_id, shop.store_id, world.east_guide.id, sharer.id, None, None
    )  # fmt: skip


def test_an_order_on_credit_through_a_guides_code_keeps_the_code_its_guide_and_campaign(
    database: Database,
) -> None:
    shop = order_builders.shop(database)
    world = shop.world
    sharer = member_builders.guide(database, world.brand.id, shop.store_id)
    code = code_builders.code(
        database, shop.store_id, "guide_badge", guide_id=sharer.id, campaign="spring"
    )
    member_id, order_id = _on_credit(database, shop, touchpoint_code=code)
    assert order_builders.attribution(database, order_id) == (
        "cloud_store", member_id, shop.store_id, world.east_guide.id, sharer.id, code, "spring"
    )  # fmt: skip


def test_an_order_on_credit_earns_commission_on_what_was_collected(database: Database) -> None:
    shop = order_builders.shop(database, prices=[12_900, 5_990])
    s = cb.setup(database, world=shop.world, skus=0)
    cb.plan(
        database, s, [{"kind": "cps", "rate_bp": 1000}, {"kind": "share", "rate_bp": 300}],
        policy="bound",
    )  # fmt: skip
    _, order_id = _on_credit(
        database, shop, channel="guide_share", referring_guide_id=s.referrer_id
    )
    cb.dispatch(database)
    on_down_payment = _earned(database, order_id)
    paylater_builders.run(database, 31)
    cb.dispatch(database)
    assert on_down_payment == {s.guide_id: 10, s.referrer_id: 3}
    assert _earned(database, order_id) == {s.guide_id: 1_290 + 599, s.referrer_id: 387 + 180}
