"""Finding members: search by name, phone tail or member number; most recently active first."""

from datetime import timedelta

from tests import builders
from tests import member_builders as mb

from newretail.auth import service as auth_service
from newretail.db import Database, utcnow
from newretail.kernel.scope import SYSTEM, Scope
from newretail.members import service as members_service
from newretail.members.schemas import PointsEntryCreate

T0 = utcnow().replace(microsecond=0) - timedelta(days=30)


def _scope(database: Database, staff_id: int) -> Scope:
    with database.transaction(read_only=True) as session:
        staff = auth_service.get_staff(session=session, scope=SYSTEM, staff_id=staff_id)
        return auth_service.scope_for_staff(session=session, staff=staff)


def _name(database: Database, member_id: int, name: str) -> None:
    consumer_id = mb.consumer_of(database, member_id)
    with database.transaction() as session:
        members_service.set_consumer_name(
            session=session, consumer_id=consumer_id, display_name=name
        )


def _search(database: Database, scope: Scope, **filters: object) -> list[int]:
    with database.transaction(read_only=True) as session:
        rows, _ = members_service.search_members(session=session, scope=scope, **filters)  # type: ignore[arg-type]
        return [row.member.id for row in rows]


def test_members_are_listed_most_recently_active_first(database: Database) -> None:
    world = builders.brand_world(database)
    older = mb.member(database, world, now=T0)
    newer = mb.member(database, world, now=T0 + timedelta(days=1))
    with database.transaction() as session:
        members_service.post(
            session=session,
            scope=SYSTEM,
            member_id=older,
            data=PointsEntryCreate(kind="earn", points=10),
            now=T0 + timedelta(days=2),
        )
    assert _search(database, SYSTEM) == [older, newer]


def test_the_last_activity_is_the_latest_points_entry_or_binding(database: Database) -> None:
    world = builders.brand_world(database)
    member_id = mb.member(database, world, now=T0)
    with database.transaction(read_only=True) as session:
        [row], more = members_service.search_members(session=session, scope=SYSTEM)
    assert row.member.id == member_id
    assert row.last_activity == T0
    assert more is False


def test_a_search_finds_members_by_name_phone_tail_or_member_number(database: Database) -> None:
    world = builders.brand_world(database)
    by_name = mb.member(database, world)
    _name(database, by_name, "王思雨")
    by_phone = mb.scan(
        database, world.brand.id, mb.consumer(database, "13912345678"), world.east_store.id, None
    ).member_id
    with database.transaction(read_only=True) as session:
        number = members_service.read_member(
            session=session, scope=SYSTEM, member_id=by_phone
        ).member_no
    assert _search(database, SYSTEM, q="思雨") == [by_name]
    assert _search(database, SYSTEM, q="5678") == [by_phone]
    assert _search(database, SYSTEM, q=number) == [by_phone]
    assert _search(database, SYSTEM, q=str(int(number))) == [by_phone]


def test_short_digit_searches_do_not_match_phone_numbers(database: Database) -> None:
    world = builders.brand_world(database)
    mb.scan(
        database, world.brand.id, mb.consumer(database, "13912340078"), world.east_store.id, None
    )
    assert _search(database, SYSTEM, q="78") == []


def test_a_guide_finds_only_their_own_members(database: Database) -> None:
    world = builders.brand_world(database)
    other = mb.guide(database, world.brand.id, world.east_store.id)
    mine = mb.member(database, world)
    theirs = mb.member(database, world, guide_id=other.id)
    _name(database, mine, "李娜")
    _name(database, theirs, "李娜")
    guide = _scope(database, world.east_guide.id)
    assert _search(database, guide, q="李娜") == [mine]
    with database.transaction(read_only=True) as session:
        [row], _ = members_service.search_members(session=session, scope=guide)
    assert row.member.phone is not None
    assert "****" in row.member.phone


def test_filters_by_guide_and_tier_and_a_count(database: Database) -> None:
    world = builders.brand_world(database)
    other = mb.guide(database, world.brand.id, world.east_store.id)
    mine = mb.member(database, world)
    mb.member(database, world, guide_id=other.id)
    assert _search(database, SYSTEM, guide_id=world.east_guide.id) == [mine]
    assert _search(database, SYSTEM, tier="gold") == []
    with database.transaction(read_only=True) as session:
        count = members_service.count_members(
            session=session, scope=SYSTEM, store_id=world.east_store.id
        )
        loads = members_service.guide_loads(
            session=session, scope=SYSTEM, guide_ids=[world.east_guide.id, other.id]
        )
    assert count == 2
    assert loads == {world.east_guide.id: 1, other.id: 1}


def test_pages_follow_each_other_without_overlap(database: Database) -> None:
    world = builders.brand_world(database)
    ids = [mb.member(database, world, now=T0 + timedelta(hours=n)) for n in range(5)]
    with database.transaction(read_only=True) as session:
        first, more = members_service.search_members(session=session, scope=SYSTEM, limit=3)
        second, last = members_service.search_members(
            session=session, scope=SYSTEM, offset=3, limit=3
        )
    assert [r.member.id for r in first + second] == list(reversed(ids))
    assert (more, last) == (True, False)


def test_a_search_takes_wildcards_as_text(database: Database) -> None:
    world = builders.brand_world(database)
    percent = mb.member(database, world)
    underscore = mb.member(database, world)
    _name(database, percent, "100% 李娜")
    _name(database, underscore, "li_na")
    assert _search(database, SYSTEM, q="%") == [percent]
    assert _search(database, SYSTEM, q="_") == [underscore]
    assert _search(database, SYSTEM, q="LI_NA") == [underscore]
