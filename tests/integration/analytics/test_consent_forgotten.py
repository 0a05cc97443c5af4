"""A member who refuses analytics keeps no events: not those sent as themselves, not those of
an anonymous id that turns out to be theirs, and, after the next sync, none kept before they
withdrew; in the intake and in the warehouse's copy, on each engine. Nobody else loses any."""

from datetime import datetime, timedelta
from typing import Any, cast

import pytest
from sqlalchemy import Table, select, text
from tests import analytics_builders as ab
from tests import builders
from tests import member_builders as mb
from tests.statements import statements_with_parameters
from tests.warehouse_builders import PlantedWarehouse

from newretail.analytics.events import service as events_service
from newretail.analytics.events.models import AnalyticsEvent
from newretail.analytics.funnels import rules
from newretail.analytics.funnels.query import FunnelQuery, run_funnel
from newretail.analytics.funnels.rules import FunnelSpec, Step
from newretail.analytics.warehouse import open_warehouse
from newretail.analytics.warehouse.base import Warehouse
from newretail.analytics.warehouse.sync import sync
from newretail.config import Settings
from newretail.db import Database, utcnow
from newretail.kernel.bulk import insert_rows
from newretail.kernel.scope import Role, Scope
from newretail.members import service as members_service
from newretail.members.rules import IdentifierKind
from newretail.members.schemas import Consents

pytestmark = pytest.mark.postgres
PLATFORM = Scope(actor_type="staff", actor_id=None, roles=frozenset({Role.PLATFORM_ADMIN}))
ENTERED_THEN_TRIED_ON = FunnelSpec(
    steps=[
        Step(label="entered", events=["Store Entered"]),
        Step(label="tried", events=["Item Tried On"]),
    ],
    window_seconds=3600,
)


def _an_hour_ago() -> datetime:
    """A member who joined then (refusing analytics) is not copied again by a sync."""
    return utcnow() - timedelta(hours=1)


def _send(database: Database, settings: Settings, brand_id: int, events: list[Any]) -> Any:
    with database.transaction() as session:
        return events_service.ingest(
            session=session,
            sender=events_service.Sender(brand_id=brand_id),
            events=events,
            clock=events_service.clock_of(settings, utcnow()),
        )


def _visit(
    name: str, at: datetime, store: int, *, anonymous_id: str, user_id: int | None = None
) -> list[dict[str, Any]]:
    """A store entered, then something tried on."""
    who: dict[str, Any] = {"anonymous_id": anonymous_id, "user_id": user_id, "store": store}
    return [
        ab.event(f"{name}-in", at=at - timedelta(minutes=30), **who),
        ab.event(f"{name}-try", "Item Tried On", at=at - timedelta(minutes=20), **who),
    ]


def _two_visitors(
    database: Database, settings: Settings, world: builders.BrandWorld, anonymous_id: str
) -> None:
    """``anonymous_id`` and a stranger (``web-s``) each enter the east store and try
    something on, now."""
    store, now = world.east_store.id, utcnow()
    visits = _visit("v", now, store, anonymous_id=anonymous_id)
    _send(
        database, settings, world.brand.id, visits + _visit("s", now, store, anonymous_id="web-s")
    )


def _intake_keys(database: Database) -> list[str]:
    with database.transaction(read_only=True) as session:
        return sorted(session.scalars(select(AnalyticsEvent.person_key)))


def _copy_keys(warehouse: Warehouse | PlantedWarehouse) -> list[str]:
    return sorted(r[0] for r in warehouse.query("SELECT person_key FROM events"))


def _reached(warehouse: PlantedWarehouse, brand_id: int, now: datetime) -> list[int]:
    """How many people entered, and then tried something on."""
    day = timedelta(days=1)
    query = FunnelQuery(brand_id, ENTERED_THEN_TRIED_ON, now - day, now + day, now)
    (funnel,) = rules.grouped(["entered", "tried"], run_funnel(warehouse, query))
    return [step.reached for step in funnel.steps]


def test_anonymous_events_later_linked_to_a_refusing_member_are_forgotten_and_not_counted(
    database: Database, settings: Settings, planted: PlantedWarehouse
) -> None:
    world = builders.brand_world(database)
    refuser = ab.member(database, world.brand.id, analytics=False, joined_at=_an_hour_ago())
    _two_visitors(database, settings, world, "web-r")
    store, now = world.east_store.id, utcnow()
    sync(database=database, warehouse=planted.store)
    reached_before = _reached(planted, world.brand.id, now)

    signed_in = _send(
        database,
        settings,
        world.brand.id,
        [ab.event("in", at=now, anonymous_id="web-r", user_id=refuser, store=store)],
    )
    again = _send(
        database,
        settings,
        world.brand.id,
        [ab.event("again", at=now, anonymous_id="web-r", store=store)],
    )
    sync(database=database, warehouse=planted.store)

    assert reached_before == [2, 2]
    assert (signed_in.no_consent, again.no_consent, again.accepted) == (1, 1, 0)
    assert _intake_keys(database) == ["anon:web-s", "anon:web-s"]
    assert _copy_keys(planted) == ["anon:web-s", "anon:web-s"]
    assert _reached(planted, world.brand.id, now) == [1, 1]


def test_a_member_who_withdraws_consent_loses_their_events_at_the_next_sync_and_others_keep_theirs(
    database: Database, settings: Settings, planted: PlantedWarehouse
) -> None:
    world = builders.brand_world(database)
    leaving = ab.member(database, world.brand.id)
    staying = ab.member(database, world.brand.id)
    store = world.east_store.id
    now = utcnow()
    _send(
        database,
        settings,
        world.brand.id,
        _visit("l", now, store, anonymous_id="web-l")
        + _visit("l-in", now, store, anonymous_id="web-l", user_id=leaving)
        + _visit("k", now, store, anonymous_id="web-k")
        + _visit("k-in", now, store, anonymous_id="web-k", user_id=staying),
    )
    sync(database=database, warehouse=planted.store)
    reached_before = _reached(planted, world.brand.id, now)

    with database.transaction() as session:
        members_service.update_consents(
            session=session, scope=PLATFORM, member_id=leaving, consents=Consents(analytics=False)
        )
    still_there = _intake_keys(database)
    report = sync(database=database, warehouse=planted.store)

    kept = ["anon:web-k", "anon:web-k", f"member:{staying}", f"member:{staying}"]
    assert reached_before == [2, 2]
    assert len(still_there) == 8
    assert report.forgotten == 4
    assert _intake_keys(database) == kept
    assert _copy_keys(planted) == kept
    assert _reached(planted, world.brand.id, now) == [1, 1]


def test_a_consenting_members_events_are_untouched(
    database: Database, settings: Settings, planted: PlantedWarehouse
) -> None:
    world = builders.brand_world(database)
    member = ab.member(database, world.brand.id)
    ab.member(database, world.brand.id, analytics=False)
    store = world.east_store.id
    now = utcnow()
    _send(database, settings, world.brand.id, _visit("a", now, store, anonymous_id="web-a"))
    sync(database=database, warehouse=planted.store)

    _send(
        database,
        settings,
        world.brand.id,
        _visit("a-in", now, store, anonymous_id="web-a", user_id=member),
    )
    with database.transaction() as session:
        members_service.update_consents(
            session=session, scope=PLATFORM, member_id=member, consents=Consents(analytics=True)
        )
    report = sync(database=database, warehouse=planted.store)

    kept = ["anon:web-a", "anon:web-a", f"member:{member}", f"member:{member}"]
    assert report.forgotten == 0
    assert _intake_keys(database) == kept
    assert _copy_keys(planted) == kept
    assert _reached(planted, world.brand.id, now) == [1, 1]


def test_an_anonymous_id_given_to_a_refusing_member_outside_the_events_is_forgotten(
    database: Database, settings: Settings
) -> None:
    world = builders.brand_world(database)
    warehouse = open_warehouse(":memory:")
    refuser = ab.member(database, world.brand.id, analytics=False, joined_at=_an_hour_ago())
    _two_visitors(database, settings, world, "web-r")
    sync(database=database, warehouse=warehouse)

    mb.link(database, mb.consumer_of(database, refuser), IdentifierKind.ANONYMOUS, "web-r")
    sync(database=database, warehouse=warehouse)

    assert _intake_keys(database) == ["anon:web-s", "anon:web-s"]
    assert _copy_keys(warehouse) == ["anon:web-s", "anon:web-s"]


def test_a_visitor_who_joins_refusing_analytics_leaves_no_events(
    database: Database, settings: Settings
) -> None:
    world = builders.brand_world(database)
    warehouse = open_warehouse(":memory:")
    consumer = mb.consumer(database)
    mb.link(database, consumer, IdentifierKind.ANONYMOUS, "web-j")
    _two_visitors(database, settings, world, "web-j")
    sync(database=database, warehouse=warehouse)
    copied = _copy_keys(warehouse)

    with database.transaction() as session:
        members_service.ensure_membership(
            session=session,
            brand_id=world.brand.id,
            consumer_id=consumer,
            channel=members_service.JoinChannel.ONLINE,
            store_id=None,
            consents=Consents(analytics=False),
        )
    sync(database=database, warehouse=warehouse)

    assert len(copied) == 4
    assert _intake_keys(database) == ["anon:web-s", "anon:web-s"]
    assert _copy_keys(warehouse) == ["anon:web-s", "anon:web-s"]


def test_a_visitor_merged_into_a_refusing_member_leaves_no_events(
    database: Database, settings: Settings
) -> None:
    world = builders.brand_world(database)
    warehouse = open_warehouse(":memory:")
    refuser = ab.member(database, world.brand.id, analytics=False, joined_at=_an_hour_ago())
    with database.transaction() as session:
        scanner = members_service.identify(
            session=session,
            identifiers=[(IdentifierKind.ANONYMOUS, "tab-9"), (IdentifierKind.DEVICE, "dev-9")],
        )
    now = utcnow()
    _send(
        database,
        settings,
        world.brand.id,
        [
            ab.event("scan", "QR Scanned", at=now, anonymous_id="tab-9", code="Hk4pT9wz"),
            ab.event("other", "QR Scanned", at=now, anonymous_id="tab-1", code="Hk4pT9wz"),
        ],
    )
    sync(database=database, warehouse=warehouse)

    _send(
        database,
        settings,
        world.brand.id,
        [ab.event("in", at=now, anonymous_id="tab-9", user_id=refuser, store=world.east_store.id)],
    )
    sync(database=database, warehouse=warehouse)

    with database.transaction(read_only=True) as session:
        merges, _ = members_service.list_merges(
            session=session, scope=PLATFORM, consumer_id=scanner, cursor=None, limit=5
        )
    assert len(merges) == 1
    assert _intake_keys(database) == ["anon:tab-1"]
    assert _copy_keys(warehouse) == ["anon:tab-1"]


def test_forgetting_finds_a_persons_events_by_index_not_by_walking_the_brands_intake(
    database: Database,
) -> None:
    world = builders.brand_world(database)
    now = utcnow()
    kept = [
        {
            "brand_id": world.brand.id,
            "dedupe_key": f"{world.brand.id}:m{n}",
            "message_id": f"m{n}",
            "event": "Store Entered",
            "channel": "web",
            "person_key": f"a:visitor-{n}",
            "ts": now,
            "received_at": now,
            "properties": {},
        }
        for n in range(2_000)
    ]
    with database.transaction() as session:  # an intake of many people, its statistics known
        insert_rows(session, cast(Table, AnalyticsEvent.__table__), kept)
    with database.engine.connect() as connection:
        connection.execute(text("ANALYZE analytics_event"))
        connection.commit()
    with statements_with_parameters(database) as run, database.transaction() as session:
        keys = ["c:1", "a:visitor-7"]
        events_service.forget(session=session, brand_id=world.brand.id, person_keys=keys)
    ((statement, parameters),) = [
        (sql, params)
        for sql, params in run
        if sql.lstrip().upper().startswith("DELETE FROM ANALYTICS_EVENT")
    ]

    with database.engine.connect() as connection:
        raw = connection.connection.driver_connection
        assert raw is not None
        cursor = raw.cursor()
        if database.is_sqlite:
            cursor.execute(f"EXPLAIN QUERY PLAN {statement}", parameters)
        else:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {statement}", parameters)
        plan = " ".join(str(row) for row in cursor.fetchall())
        connection.rollback()

    assert "ix_analytics_event_brand_person" in plan, plan
