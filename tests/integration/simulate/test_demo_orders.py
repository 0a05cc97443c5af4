"""The demo's orders: every channel, pickups waiting with a code, refunds and returns, with
the ground truth in the world record and the stock of every shelf agreeing with it."""

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import func, select

from newretail.db import Database
from newretail.inventory.models import StockLevel
from newretail.orders.models import Fulfilment, Order
from newretail.simulate.world import World


def test_orders_in_the_database_match_the_world_record(
    world: World, world_database: Database
) -> None:
    truth = world.truth["orders"]["brands"]
    with world_database.transaction(read_only=True) as session:
        for code, brand in world.brands.items():
            rows = session.execute(
                select(Order.status, Order.channel, Order.refunded_amount, Order.member_id).where(
                    Order.brand_id == brand.id, Order.id.in_(truth[code]["order_ids"])
                )
            ).all()
            waiting = session.scalar(
                select(func.count())
                .select_from(Fulfilment)
                .where(
                    Fulfilment.brand_id == brand.id,
                    Fulfilment.order_id.in_(truth[code]["order_ids"]),
                    Fulfilment.status == "ready",
                    Fulfilment.pickup_code.is_not(None),
                )
            )
            assert len(rows) == truth[code]["orders"]
            assert dict(Counter(r.status for r in rows)) == truth[code]["by_status"]
            assert dict(Counter(r.channel for r in rows)) == truth[code]["by_channel"]
            assert sum(r.refunded_amount for r in rows) == truth[code]["refunded"]
            assert all(r.member_id is not None for r in rows)
            assert waiting == truth[code]["waiting_pickups"]


def test_the_demo_has_every_channel_waiting_pickups_refunds_and_returns(world: World) -> None:
    for planted in world.truth["orders"]["brands"].values():
        assert set(planted["by_channel"]) == {
            "pos",
            "cloud_store",
            "online",
            "guide_share",
            "livestream",
        }
        assert planted["waiting_pickups"] > 0
        assert planted["refunds"] + planted["returns"] > 0


def test_every_shelf_holds_what_was_received_less_what_was_sold(
    world: World, world_database: Database
) -> None:
    with world_database.transaction(read_only=True) as session:
        levels = {
            (row.location_id, row.sku_id): row.on_hand
            for row in session.execute(
                select(StockLevel.location_id, StockLevel.sku_id, StockLevel.on_hand)
            )
        }
    for brand in world.brands.values():
        stores = {store.code: store.id for store in brand.stores}
        record = brand.catalog
        for location, sku in record.received:
            key = (stores[location], record.skus[sku].id)
            assert levels[key] == record.on_hand(location, sku), (location, sku)


def test_orders_lie_within_the_last_30_days(world: World, world_database: Database) -> None:
    planted = [i for brand in world.truth["orders"]["brands"].values() for i in brand["order_ids"]]
    with world_database.transaction(read_only=True) as session:
        oldest, newest = session.execute(
            select(func.min(Order.created_at), func.max(Order.created_at)).where(
                Order.id.in_(planted)
            )
        ).one()
    anchor = datetime.fromisoformat(world.truth["orders"]["anchor"])
    first_day = (anchor - timedelta(days=30)).date().isoformat()
    assert oldest.isoformat()[:10] >= first_day
    assert newest.isoformat()[:10] < anchor.date().isoformat()
