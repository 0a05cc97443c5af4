"""The warehouse follows the transactional database by watermark; persons follow merges."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from tests import analytics_builders as ab
from tests import builders
from tests import member_builders as mb
from tests.warehouse_builders import ENGINES, PlantedWarehouse

from newretail import consumers
from newretail.analytics.events import service as events_service
from newretail.analytics.events.models import AnalyticsEvent
from newretail.analytics.warehouse import open_warehouse
from newretail.analytics.warehouse.base import Warehouse
from newretail.analytics.warehouse.jobs import WarehouseSync
from newretail.analytics.warehouse.snapshots import SnapshotReader
from newretail.analytics.warehouse.sync import sync
from newretail.config import Settings
from newretail.db import Database, utcnow
from newretail.kernel.scope import Role, Scope
from newretail.members import service as members_service
from newretail.members.rules import IdentifierKind
from newretail.members.schemas import Consents
from newretail.outbox.dispatch import OutboxDispatcher

pytestmark = pytest.mark.postgres
PLATFORM = Scope(actor_type="staff", actor_id=None, roles=frozenset({Role.PLATFORM_ADMIN}))


def _send(database: Database, settings: Settings, brand_id: int, events: list[dict]) -> dict:
    with database.transaction() as session:
        result = events_service.ingest(
            session=session,
            sender=events_service.Sender(brand_id=brand_id),
            events=events,
            clock=events_service.clock_of(settings, utcnow()),
        )
    return result.model_dump()


def _person(warehouse: Warehouse, brand_id: int, key: str) -> str:
    rows = warehouse.query(
        "SELECT coalesce(max(person_id), ?) FROM persons WHERE brand_id = ? AND person_key = ?",
        [key, brand_id, key],
    )
    return str(rows[0][0])


def test_events_are_copied_once_and_then_incrementally(
    database: Database, settings: Settings
) -> None:
    world = builders.brand_world(database)
    warehouse = open_warehouse(":memory:")
    now = utcnow()
    store = world.east_store.id
    _send(
        database,
        settings,
        world.brand.id,
        [ab.event(f"a{i}", at=now, store=store) for i in range(3)],
    )

    first = sync(database=database, warehouse=warehouse)
    again = sync(database=database, warehouse=warehouse)
    _send(database, settings, world.brand.id, [ab.event("b", at=now, store=store)])
    later = sync(database=database, warehouse=warehouse)

    assert (first.events, again.events, later.events) == (3, 0, 1)
    assert warehouse.query("SELECT count(*), count(DISTINCT message_id) FROM events") == [(4, 4)]
    assert warehouse.watermark("events") == warehouse.query("SELECT max(seq) FROM events")[0][0]


def test_members_are_copied_with_their_consents_and_recopied_when_they_change(
    database: Database, settings: Settings
) -> None:
    world = builders.brand_world(database)
    warehouse = open_warehouse(":memory:")
    member = ab.member(database, world.brand.id, analytics=True)
    sync(database=database, warehouse=warehouse)

    with database.transaction() as session:
        members_service.update_consents(
            session=session, scope=PLATFORM, member_id=member, consents=Consents(analytics=False)
        )
    sync(database=database, warehouse=warehouse)

    rows = warehouse.query("SELECT member_id, person_key, analytics_consent FROM members")
    assert rows == [(member, f"member:{member}", False)]


def test_an_anonymous_visitor_who_signs_in_becomes_the_member(
    database: Database, settings: Settings
) -> None:
    world = builders.brand_world(database)
    warehouse = open_warehouse(":memory:")
    member = ab.member(database, world.brand.id)
    now = utcnow()
    store = world.east_store.id
    _send(
        database,
        settings,
        world.brand.id,
        [
            ab.event("v1", at=now - timedelta(hours=1), anonymous_id="web-1", store=store),
            ab.event("s1", at=now, anonymous_id="web-1", user_id=member, store=store),
            ab.event("v2", at=now, anonymous_id="web-2", store=store),
        ],
    )

    sync(database=database, warehouse=warehouse)

    assert _person(warehouse, world.brand.id, "anon:web-1") == f"member:{member}"
    assert _person(warehouse, world.brand.id, "anon:web-2") == "anon:web-2"


def test_an_anonymous_id_shared_by_two_members_joins_neither_and_is_recorded(
    database: Database, settings: Settings
) -> None:
    world = builders.brand_world(database)
    warehouse = open_warehouse(":memory:")
    first = ab.member(database, world.brand.id)
    second = ab.member(database, world.brand.id)
    now = utcnow()
    store = world.east_store.id
    _send(database, settings, world.brand.id, [ab.event("a", at=now, user_id=first, store=store)])
    _send(database, settings, world.brand.id, [ab.event("b", at=now, user_id=second, store=store)])
    _send(database, settings, world.brand.id, [ab.event("c", at=now, store=store)])

    sync(database=database, warehouse=warehouse)

    with database.transaction(read_only=True) as session:
        refusals = members_service.refused_merges(session=session)
        assert [r.details["rule"] for r in refusals] == ["two_verified_phones"]
    assert _person(warehouse, world.brand.id, "anon:anon-1") == f"member:{first}"
    assert warehouse.query("SELECT count(*) FROM persons WHERE person_key LIKE 'member:%'") == [
        (0,)
    ]


def test_undoing_a_merge_rewrites_who_the_anonymous_id_is(
    database: Database, settings: Settings
) -> None:
    world = builders.brand_world(database)
    warehouse = open_warehouse(":memory:")
    member = ab.member(database, world.brand.id)
    with database.transaction() as session:
        scanner = members_service.identify(
            session=session,
            identifiers=[(IdentifierKind.ANONYMOUS, "tab-9"), (IdentifierKind.DEVICE, "dev-9")],
        )
    now = utcnow()
    store = world.east_store.id
    _send(
        database,
        settings,
        world.brand.id,
        [
            ab.event("scan", "QR Scanned", at=now, anonymous_id="tab-9", code="Hk4pT9wz"),
            ab.event("in", at=now, anonymous_id="tab-9", user_id=member, store=store),
        ],
    )
    sync(database=database, warehouse=warehouse)
    merged_person = _person(warehouse, world.brand.id, "anon:tab-9")

    with database.transaction() as session:
        merges, _ = members_service.list_merges(
            session=session, scope=PLATFORM, consumer_id=scanner, cursor=None, limit=5
        )
        members_service.undo_merge(session=session, scope=PLATFORM, merge_id=merges[0].id)
    sync(database=database, warehouse=warehouse)

    assert merged_person == f"member:{member}"
    assert _person(warehouse, world.brand.id, "anon:tab-9") == f"consumer:{scanner}"


def test_a_sign_up_recorded_by_the_platform_becomes_one_event(
    database: Database, settings: Settings
) -> None:
    world = builders.brand_world(database)
    warehouse = open_warehouse(":memory:")
    member = ab.member(database, world.brand.id)
    dispatcher = OutboxDispatcher(registry=consumers.registry())
    dispatcher(database, settings)
    dispatcher(database, settings)

    sync(database=database, warehouse=warehouse)

    rows = warehouse.query("SELECT event, channel, person_key, message_id FROM events")
    assert len(rows) == 1
    assert rows[0][:3] == ("Member Signed Up", "platform", f"member:{member}")
    assert rows[0][3].startswith("outbox:")


def test_a_member_without_consent_is_not_recorded_by_the_platform_either(
    database: Database, settings: Settings
) -> None:
    world = builders.brand_world(database)
    warehouse = open_warehouse(":memory:")
    mb.member_of_brand_only(database, world.brand.id)  # joins without analytics consent
    OutboxDispatcher(registry=consumers.registry())(database, settings)

    sync(database=database, warehouse=warehouse)

    assert warehouse.query("SELECT count(*) FROM events") == [(0,)]


def test_the_same_sync_runs_on_clickhouse(database: Database, settings: Settings) -> None:
    copy = PlantedWarehouse("clickhouse")
    world = builders.brand_world(database)
    member = ab.member(database, world.brand.id)
    warehouse = copy.store
    now = utcnow()
    store = world.east_store.id
    _send(
        database,
        settings,
        world.brand.id,
        [
            ab.event("v1", at=now, anonymous_id="web-1", store=store),
            ab.event("s1", at=now, anonymous_id="web-1", user_id=member, store=store),
        ],
    )

    first = sync(database=database, warehouse=warehouse)
    again = sync(database=database, warehouse=warehouse)

    assert (first.events, first.members, again.events) == (2, 1, 0)
    assert _person(warehouse, world.brand.id, "anon:web-1") == f"member:{member}"
    assert warehouse.query("SELECT count(*) FROM members") == [(1,)]
    copy.close()


class _StopsAfterCopying:
    """A warehouse whose round stops once, after a page of events is copied and before its
    watermark moves (as when the process ends or the server goes away there)."""

    def __init__(self, inner: Warehouse) -> None:
        self.inner = inner
        self.stopped = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def set_watermark(self, source: str, watermark: int) -> None:
        if source == "events" and not self.stopped:
            self.stopped = True
            raise ConnectionError("the warehouse went away")
        self.inner.set_watermark(source, watermark)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_round_stopped_after_copying_events_is_followed_without_copying_them_twice(
    database: Database, settings: Settings, engine: str
) -> None:
    copy = PlantedWarehouse(engine)
    world = builders.brand_world(database)
    now = utcnow()
    store = world.east_store.id
    events = [ab.event(f"a{i}", at=now, store=store) for i in range(3)]
    _send(database, settings, world.brand.id, events)
    stopping = _StopsAfterCopying(copy.store)

    with pytest.raises(ConnectionError):
        sync(database=database, warehouse=stopping)  # type: ignore[arg-type]
    copied_before = copy.store.query("SELECT count(*) FROM events")
    _send(database, settings, world.brand.id, [ab.event("b", at=now, store=store)])
    followed = sync(database=database, warehouse=copy.store)
    counts = copy.store.query("SELECT count(*), count(DISTINCT message_id) FROM events")
    copy.close()

    assert copied_before == [(3,)]
    assert followed.events == 4
    assert counts == [(4, 4)]


def test_the_worker_job_copies_at_once_then_after_each_period_and_publishes(
    database: Database, settings: Settings, tmp_path: Path
) -> None:
    world = builders.brand_world(database)
    store = world.east_store.id
    _send(database, settings, world.brand.id, [ab.event("a", at=utcnow(), store=store)])
    fast = settings.model_copy(
        update={
            "analytics_warehouse_path": str(tmp_path / "wh.duckdb"),
            "analytics_sync_seconds": 10,
        }
    )
    clock = [100.0]
    job = WarehouseSync(clock=lambda: clock[0])

    first = job(database, fast)
    _send(database, settings, world.brand.id, [ab.event("b", at=utcnow(), store=store)])
    clock[0] += 9
    early = job(database, fast)
    clock[0] += 1
    later = job(database, fast)
    reader = SnapshotReader(fast.analytics_warehouse_path)
    rows = reader.query("SELECT count(*) FROM events")
    reader.close()
    job.close()

    assert (first, early, later) == (1, 0, 1)
    assert rows == [(2,)]


def test_a_mini_app_visitor_with_a_known_union_id_is_that_member(
    database: Database, settings: Settings
) -> None:
    world = builders.brand_world(database)
    warehouse = open_warehouse(":memory:")
    member = ab.member(database, world.brand.id)
    mb.link(database, mb.consumer_of(database, member), IdentifierKind.UNION_ID, "union-7")
    event = ab.event(
        "m", at=utcnow(), anonymous_id="mini-7", channel="mini_app", union_id="union-7"
    )
    event["context"]["store"] = world.east_store.id

    _send(database, settings, world.brand.id, [event])
    sync(database=database, warehouse=warehouse)

    assert _person(warehouse, world.brand.id, "anon:mini-7") == f"member:{member}"
    with database.transaction(read_only=True) as session:
        stored = session.scalars(select(AnalyticsEvent.properties)).one()
    assert "union-7" not in str(stored)


def test_a_visitor_who_gives_a_members_phone_at_a_kiosk_is_that_member(
    database: Database, settings: Settings
) -> None:
    world = builders.brand_world(database)
    warehouse = open_warehouse(":memory:")
    number = mb.phone()
    member = ab.member(database, world.brand.id, phone=number)
    at, store = utcnow(), world.east_store.id
    given = ab.event("k1", "Sample Dispensed", at=at, anonymous_id="kiosk-3", channel="kiosk",
                     store=store, phone=f"+86 {number[:3]} {number[3:7]} {number[7:]}")  # fmt: skip
    later = ab.event("k2", at=at, anonymous_id="kiosk-3", channel="kiosk", store=store)

    sent = _send(database, settings, world.brand.id, [given, later])
    sync(database=database, warehouse=warehouse)

    assert (sent["accepted"], sent["rejected"]) == (2, [])
    assert _person(warehouse, world.brand.id, "anon:kiosk-3") == f"member:{member}"
    with database.transaction(read_only=True) as session:
        stored = session.scalars(select(AnalyticsEvent.properties)).all()
    assert number not in str(stored)


def test_a_phone_is_refused_from_a_page_token_or_when_it_is_not_a_mobile(
    database: Database, settings: Settings
) -> None:
    world = builders.brand_world(database)
    store, at = world.east_store.id, utcnow()
    page = events_service.Sender(brand_id=world.brand.id, store_id=store, may_name_users=False)
    with database.transaction() as session:
        from_page = events_service.ingest(
            session=session,
            sender=page,
            events=[ab.event("p1", at=at, store=store, phone="13800000000")],
            clock=events_service.clock_of(settings, utcnow()),
        )
    not_mobile = _send(
        database, settings, world.brand.id, [ab.event("p2", at=at, store=store, phone="12345")]
    )

    assert [r.code for r in from_page.rejected] == ["user_not_allowed"]
    assert [r["code"] for r in not_mobile["rejected"]] == ["invalid_envelope"]


def test_a_sign_in_in_a_later_round_moves_the_earlier_anonymous_events(
    database: Database, settings: Settings
) -> None:
    world = builders.brand_world(database)
    warehouse = open_warehouse(":memory:")
    member = ab.member(database, world.brand.id)
    other = ab.member(database, world.brand.id)
    store = world.east_store.id
    now = utcnow()
    _send(
        database, settings, world.brand.id, [ab.event("v", at=now, anonymous_id="w", store=store)]
    )
    sync(database=database, warehouse=warehouse)
    before = _person(warehouse, world.brand.id, "anon:w")

    _send(
        database,
        settings,
        world.brand.id,
        [ab.event("in", at=now, anonymous_id="w", user_id=member, store=store)],
    )
    sync(database=database, warehouse=warehouse)
    _send(
        database,
        settings,
        world.brand.id,
        [ab.event("x", at=now, anonymous_id="w", user_id=other, store=store)],
    )
    sync(database=database, warehouse=warehouse)

    assert before == "anon:w"
    assert _person(warehouse, world.brand.id, "anon:w") == f"member:{member}"
    assert warehouse.query("SELECT count(*) FROM persons WHERE person_key = 'anon:w'") == [(1,)]
