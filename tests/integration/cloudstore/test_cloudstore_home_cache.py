"""The home page in one session, and from each process's cache: single flight, stock within
two seconds, events, the member's own part, and errors that are not served as empty pages."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import TimeoutError as PoolTimeout
from tests import builders, member_builders
from tests.integration.cloudstore.cloudworld import (
    CloudWorld,
    add_store,
    cloud_world,
    receive,
    sell,
)
from tests.statements import count_checkouts, count_statements, without_begin

from newretail.catalog import service as catalog_service
from newretail.catalog.schemas import OfferCreate
from newretail.cloudstore import errors, rules, service
from newretail.cloudstore.homecache import HomeCache
from newretail.cloudstore.schemas import ActivityCreate, CloudStoreSettingsWrite
from newretail.db import Database
from newretail.kernel.scope import SYSTEM, Scope
from newretail.outbox.follow import EventFollower

START = datetime(2025, 6, 2, 3, 0, tzinfo=UTC)


@dataclass
class Clocks:
    """The cache's two clocks, moved together by the test."""

    monotonic: float = 1000.0
    wall: datetime = START

    def tick(self, seconds: float) -> None:
        self.monotonic += seconds
        self.wall += timedelta(seconds=seconds)


def cache_of(database: Database, clocks: Clocks) -> HomeCache:
    follower = EventFollower(database, every=1.0, clock=lambda: clocks.monotonic)
    return HomeCache(
        database,
        follower=follower,
        clock=lambda: clocks.monotonic,
        wall_clock=lambda: clocks.wall,
    )


@contextmanager
def counted(database: Database) -> Iterator[dict[str, int]]:
    """Statements (not BEGIN) and connection checkouts (sessions) while inside; the counts
    are there once the block is left."""
    seen = {"statements": 0, "sessions": 0}
    with count_statements(database) as statements, count_checkouts(database) as checkouts:
        yield seen
    seen.update(statements=len(without_begin(statements)), sessions=len(checkouts))


def full_world(database: Database) -> CloudWorld:
    """A store with every section filled: sales, featured SKUs, guides, an activity,
    a nearby store to sell from."""
    world = cloud_world(database, skus=3)
    near_id, _ = add_store(database, world, lat=31.2400, lng=121.4737)
    for sku_id in world.sku_ids[:2]:
        receive(database, world.store_id, sku_id, 10)
    receive(database, near_id, world.sku_ids[2], 4)
    sell(database, world.store_id, world.sku_ids[0], 2, "o1")
    with database.transaction() as session:
        builders.staff(session, world.brand_id, [{"role": "guide", "store_id": world.store_id}])
        service.set_featured(
            session=session, scope=SYSTEM, brand_id=world.brand_id, sku_ids=world.sku_ids
        )
        service.put_settings(
            session=session,
            scope=SYSTEM,
            brand_id=world.brand_id,
            data=CloudStoreSettingsWrite.model_validate({"store_sourcing": "nearby"}),
        )
        service.create_activity(
            session=session,
            scope=SYSTEM,
            data=ActivityCreate(
                brand_id=world.brand_id,
                title="Tasting",
                starts_at=START - timedelta(days=1),
                ends_at=START + timedelta(days=1),
            ),
        )
    return world


def stock_here(page: service.Home, sku_id: int) -> int:
    return next(c["stock_here"] for c in page.sections["featured"] if c["sku_id"] == sku_id)


def test_the_page_read_afresh_is_one_session_of_pinned_statements(database: Database) -> None:
    world = full_world(database)
    with counted(database) as cost, database.transaction(read_only=True) as session:
        page = service.home(session=session, code=world.code, now=START)
    assert (cost["sessions"], cost["statements"]) == (1, 15)
    assert [c["sku_id"] for c in page.sections["best_sellers"]] == world.sku_ids[:1]
    assert page.sections["featured"][2]["fulfilment"]["kind"] == "nearby_store"
    assert [a["title"] for a in page.sections["activities"]] == ["Tasting"]
    assert len(page.sections["guides"]) == 1


def test_the_cached_page_is_the_page_read_afresh(database: Database) -> None:
    world = full_world(database)
    clocks = Clocks()
    cached = cache_of(database, clocks).home(code=world.code)
    with database.transaction(read_only=True) as session:
        fresh = service.home(session=session, code=world.code, now=START)
    assert cached.sections == fresh.sections


def test_a_page_served_from_the_cache_reads_nothing(database: Database) -> None:
    world = full_world(database)
    clocks = Clocks()
    cache = cache_of(database, clocks)
    cache.home(code=world.code)
    clocks.tick(0.5)
    with counted(database) as cost:
        page = cache.home(code=world.code)
    assert cost == {"statements": 0, "sessions": 0}
    assert page.context.now == START + timedelta(seconds=0.5)


def test_stock_is_read_again_after_a_second_and_alone(database: Database) -> None:
    world = full_world(database)
    sku_id = world.sku_ids[1]
    clocks = Clocks()
    cache = cache_of(database, clocks)
    assert stock_here(cache.home(code=world.code), sku_id) == 10
    sell(database, world.store_id, sku_id, 3, "o2")
    clocks.tick(0.5)
    assert stock_here(cache.home(code=world.code), sku_id) == 10
    clocks.tick(0.5)
    with counted(database) as cost:
        page = cache.home(code=world.code)
    assert stock_here(page, sku_id) == 7
    assert cost["statements"] == 2  # the events since the last look, and the stock


def test_an_offer_change_drops_the_brands_pages_once_its_event_is_read(
    database: Database,
) -> None:
    world = full_world(database)
    other = full_world(database)
    sku_id = world.sku_ids[1]
    clocks = Clocks()
    cache = cache_of(database, clocks)
    cache.home(code=world.code)
    cache.home(code=other.code)
    with database.transaction() as session:
        catalog_service.create_offer(
            session=session,
            scope=SYSTEM,
            data=OfferCreate(sku_id=sku_id, store_id=world.store_id, price=1500),
        )
    clocks.tick(0.5)
    assert cache.home(code=world.code).sections["featured"][1]["price"] == 2000
    clocks.tick(0.5)
    page = cache.home(code=world.code)
    assert (
        page.sections["featured"][1]["price"],
        page.sections["featured"][1]["price_source"],
    ) == (
        1500,
        "store",
    )
    with counted(database) as cost:
        cache.home(code=other.code)
    assert cost["statements"] == 1  # its stock only: the other brand's page was kept


def test_a_new_featured_list_is_shown_once_its_event_is_read(database: Database) -> None:
    world = full_world(database)
    clocks = Clocks()
    cache = cache_of(database, clocks)
    cache.home(code=world.code)
    with database.transaction() as session:
        service.set_featured(
            session=session, scope=SYSTEM, store_id=world.store_id, sku_ids=world.sku_ids[2:]
        )
    clocks.tick(1.0)
    featured = cache.home(code=world.code).sections["featured"]
    assert [c["sku_id"] for c in featured] == world.sku_ids[2:]


def test_an_activity_shows_when_it_starts_without_any_event(database: Database) -> None:
    world = cloud_world(database)
    with database.transaction() as session:
        service.create_activity(
            session=session,
            scope=SYSTEM,
            data=ActivityCreate(
                brand_id=world.brand_id,
                title="Opening hour",
                starts_at=START + timedelta(seconds=30),
                ends_at=START + timedelta(seconds=90),
            ),
        )
    clocks = Clocks()
    cache = cache_of(database, clocks)
    shown = []
    for seconds in (0, 29, 2, 60):
        clocks.tick(seconds)
        shown.append([a["title"] for a in cache.home(code=world.code).sections["activities"]])
    assert shown == [[], [], ["Opening hour"], []]


def test_each_member_gets_their_own_part_and_nobody_else_does(database: Database) -> None:
    world = builders.brand_world(database)
    other_guide = member_builders.guide(database, world.brand.id, world.east_store.id)
    first = member_builders.member(database, world)
    second = member_builders.member(database, world, guide_id=other_guide.id)
    scopes = [
        Scope(
            actor_type="consumer",
            actor_id=member_builders.consumer_of(database, member_id),
            roles=frozenset(),
        )
        for member_id in (first, second)
    ]
    code = rules.public_code(world.brand.code, world.east_store.code)
    cache = cache_of(database, Clocks())
    cards = [
        cache.home(code=code, caller=lambda _, scope=scope: scope).sections["member"]
        for scope in scopes
    ]
    anonymous = cache.home(code=code).sections["member"]
    assert [card["guide"]["id"] for card in cards] == [world.east_guide.id, other_guide.id]
    assert cards[0]["member_no"] != cards[1]["member_no"]
    assert all(card["joined"] for card in cards)
    assert anonymous is None


def test_a_consumer_who_is_not_a_member_is_told_so(database: Database) -> None:
    world = cloud_world(database)
    consumer = Scope(
        actor_type="consumer", actor_id=member_builders.consumer(database), roles=frozenset()
    )
    with database.transaction(read_only=True) as session:
        page = service.home(session=session, code=world.code, member=consumer)
    assert page.sections["member"]["joined"] is False


def test_an_unknown_store_is_not_found_through_the_cache(database: Database) -> None:
    cache = cache_of(database, Clocks())
    with pytest.raises(errors.CloudStoreNotFound):
        cache.home(code="NOBODY.S1")


@pytest.fixture
def one_connection(database: Database) -> Iterator[Database]:
    """The same database through a pool of one connection that gives up at once."""
    small = Database(database.url, pool_size=1, max_overflow=0, pool_timeout=0.05)
    yield small
    small.dispose()


def test_an_exhausted_pool_fails_the_page_instead_of_emptying_it(
    database: Database, one_connection: Database
) -> None:
    world = full_world(database)
    clocks = Clocks()
    cache = cache_of(one_connection, clocks)
    cache.home(code=world.code)
    clocks.tick(2.5)  # the stock may no longer be served as it is
    with one_connection.engine.connect(), pytest.raises(PoolTimeout):
        cache.home(code=world.code)
    with one_connection.engine.connect(), pytest.raises(PoolTimeout):
        cached = cache_of(one_connection, Clocks())
        cached.home(code=world.code)


def test_the_anonymous_page_is_rendered_again_only_when_a_part_changed(
    database: Database,
) -> None:
    world = full_world(database)
    clocks = Clocks()
    cache = cache_of(database, clocks)
    rendered: list[service.Home] = []

    def render(page: service.Home) -> int:
        rendered.append(page)
        return len(rendered)

    assert cache.ready_page(code=world.code, render=render) is None  # nothing read yet
    answers = [cache.page(code=world.code, render=render)]
    clocks.tick(0.5)
    answers.append(cache.page(code=world.code, render=render))
    answers.append(cache.ready_page(code=world.code, render=render))
    clocks.tick(0.5)  # the stock is read again
    assert cache.ready_page(code=world.code, render=render) is None
    answers.append(cache.page(code=world.code, render=render))
    assert answers == [1, 1, 1, 2]
    assert rendered[0].sections["member"] is None
