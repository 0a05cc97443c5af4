"""The demo world's audiences: each brand keeps the common segments, not yet computed, and the
worker's first copy of the event intake gives them members."""

from collections import Counter

from sqlalchemy import select

from newretail.analytics.audiences import service as audiences_service
from newretail.analytics.audiences.models import Audience
from newretail.analytics.warehouse import open_warehouse
from newretail.analytics.warehouse.sync import sync
from newretail.db import Database, utcnow
from newretail.simulate import audiences as planted
from newretail.simulate.world import World


def test_every_brand_keeps_the_common_audiences_and_the_first_sync_fills_them(
    world: World, world_database: Database
) -> None:
    warehouse = open_warehouse(":memory:")
    session = world_database.session()
    try:
        rows = list(session.scalars(select(Audience).order_by(Audience.id)))
        owners = Counter(row.brand_id for row in rows)
        uncomputed = [row.computed_at for row in rows]
        sync(database=world_database, warehouse=warehouse)
        computed = audiences_service.refresh_stale(
            session=session, warehouse=warehouse, now=utcnow()
        )
        sizes = {(row.brand_id, row.name): row.size for row in rows}
    finally:
        session.rollback()  # the shared world keeps its audiences uncomputed
        session.close()
        warehouse.close()

    brands = [brand.id for brand in world.brands.values()]
    assert owners == dict.fromkeys(brands, len(planted.AUDIENCES))
    assert uncomputed == [None] * len(rows)
    assert computed == len(rows)
    assert all(sizes[(brand, "接受营销的会员")] > 0 for brand in brands)
    assert all(sizes[(brand, "近 30 天有购买")] > 0 for brand in brands)
