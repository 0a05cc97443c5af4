"""Counts of many codes at once (the console's list) and reading a guide's badge."""

from datetime import timedelta

from sqlalchemy import select
from tests import builders
from tests import code_builders as cb
from tests import member_builders as mb

from newretail.db import Database, utcnow
from newretail.kernel.scope import SYSTEM
from newretail.touchpoints import service as touchpoints_service
from newretail.touchpoints.models import TouchpointCode


def test_counts_of_a_page_of_codes_match_each_code_s_stats(database: Database) -> None:
    world = builders.brand_world(database)
    busy = cb.code(database, world.east_store.id)
    badge = cb.badge(database, world.east_guide.id)
    quiet = cb.code(database, world.west_store.id)
    now = utcnow()
    with database.transaction() as session:
        for device, days_ago in (("a", 1), ("a", 2), ("b", 3), ("c", 45)):
            touchpoints_service.scan(
                session=session, code=busy, anonymous_id=device, now=now - timedelta(days=days_ago)
            )
        touchpoints_service.scan(session=session, code=badge, anonymous_id="a", now=now)
    consumer_id = mb.consumer(database, "13700001111")
    with database.transaction() as session:
        touchpoints_service.join(session=session, code=badge, consumer_id=consumer_id)
    since, until = now - timedelta(days=30), now + timedelta(seconds=1)
    with database.transaction(read_only=True) as session:
        rows = session.scalars(select(TouchpointCode).order_by(TouchpointCode.id)).all()
        counts = touchpoints_service.counts(session=session, codes=rows, since=since, until=until)
        each = {
            row.id: touchpoints_service.stats(
                session=session, scope=SYSTEM, code=row.code, since=since, until=until
            )
            for row in rows
        }
        by_code = {row.code: counts[row.id] for row in rows}
    assert {code_id: (c.scans, c.unique_scanners, c.joins) for code_id, c in counts.items()} == {
        code_id: (s.scans, s.unique_scanners, s.joins) for code_id, s in each.items()
    }
    assert (by_code[busy].scans, by_code[busy].unique_scanners) == (3, 2)
    assert (by_code[badge].joins, by_code[quiet].scans) == (1, 0)


def test_reading_a_guide_s_badge_never_creates_one(database: Database) -> None:
    world = builders.brand_world(database)
    with database.transaction(read_only=True) as session:
        before = touchpoints_service.find_guide_badge(
            session=session, scope=SYSTEM, guide_id=world.east_guide.id
        )
    code = cb.badge(database, world.east_guide.id)
    other_brand = touchpoints_service.brand_scope(builders.brand_world(database).brand.id)
    with database.transaction(read_only=True) as session:
        after = touchpoints_service.find_guide_badge(
            session=session, scope=SYSTEM, guide_id=world.east_guide.id
        )
        hidden = touchpoints_service.find_guide_badge(
            session=session, scope=other_brand, guide_id=world.east_guide.id
        )
        found = after.code if after else None
    assert (before, found, hidden) == (None, code, None)
