"""Audiences kept current: people enter when they match the rule and leave when they stop,
with the times kept; persons join devices; targets are consenting members only."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from tests import builders
from tests.warehouse_builders import PlantedWarehouse

from newretail.analytics.audiences import service as audiences
from newretail.analytics.audiences.models import Audience
from newretail.analytics.audiences.rules import AudienceRule
from newretail.db import Database
from newretail.kernel.scope import Role, Scope

pytestmark = pytest.mark.postgres
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
CART_NO_ORDER = {
    "kind": "did",
    "event": "Product Added",
    "channels": ["web", "mini_app", "app"],
    "within_days": 14,
    "none_since": ["Order Completed"],
}
POPUP_NOT_MEMBER = {
    "kind": "all",
    "rules": [
        {"kind": "did", "event": "Popup Visited", "popup_id": 7},
        {"kind": "profile", "field": "member", "value": False},
    ],
}


def _admin(database: Database) -> Scope:
    with database.transaction() as session:
        brand_id = builders.brand(session).id
    return Scope(
        actor_type="staff", actor_id=1, roles=frozenset({Role.BRAND_ADMIN}), brand_id=brand_id
    )


def _audience(database: Database, scope: Scope, rule: dict) -> int:
    with database.transaction() as session:
        return audiences.create_audience(
            session=session,
            scope=scope,
            brand_id=None,
            name="x",
            rule=AudienceRule.model_validate({"rule": rule}),
        ).id


def _refresh(
    database: Database, scope: Scope, wh: PlantedWarehouse, audience_id: int, now: datetime
) -> None:
    with database.transaction() as session:
        audiences.refresh(
            session=session, scope=scope, warehouse=wh, audience_id=audience_id, now=now
        )


def _history(database: Database, scope: Scope, audience_id: int) -> list[tuple]:
    with database.transaction(read_only=True) as session:
        rows = audiences.history(session=session, scope=scope, audience_id=audience_id)
        return [(r.person_id, r.entered_at, r.left_at) for r in rows]


def test_cart_without_order_enters_and_leaves_when_the_order_comes(
    database: Database, planted: PlantedWarehouse
) -> None:
    scope = _admin(database)
    brand, wh = scope.brand_id or 0, planted
    day = (NOW - timedelta(days=3)).replace(tzinfo=None)
    wh.event(brand, "anon:a", "Product Added", day, channel="web")
    wh.event(brand, "anon:b", "Product Added", day, channel="web")
    wh.event(brand, "anon:b", "Order Completed", day + timedelta(hours=1), channel="platform")
    wh.event(brand, "anon:c", "Product Added", day - timedelta(days=17), channel="app")
    wh.event(brand, "anon:d", "Product Added", day, channel="pos")
    wh.same_person(brand, "anon:e", "anon:e", "member:5")
    wh.event(brand, "anon:e", "Product Added", day, channel="mini_app")
    wh.event(brand, "member:5", "Order Completed", day + timedelta(hours=2), channel="pos")
    wh.event(brand + 1, "anon:z", "Product Added", day, channel="web")
    audience_id = _audience(database, scope, CART_NO_ORDER)

    _refresh(database, scope, wh, audience_id, NOW)
    later = NOW + timedelta(hours=1)
    wh.event(brand, "anon:a", "Order Completed", later.replace(tzinfo=None) - timedelta(minutes=5))
    wh.event(
        brand,
        "anon:b",
        "Product Added",
        later.replace(tzinfo=None) - timedelta(minutes=1),
        channel="web",
    )
    _refresh(database, scope, wh, audience_id, later)

    assert _history(database, scope, audience_id) == [
        ("anon:a", NOW, later),
        ("anon:b", later, None),
    ]
    with database.transaction(read_only=True) as session:
        assert session.get(Audience, audience_id).size == 1  # type: ignore[union-attr]


def test_pop_up_visitors_leave_when_they_become_members(
    database: Database, planted: PlantedWarehouse
) -> None:
    scope = _admin(database)
    brand, wh = scope.brand_id or 0, planted
    day = (NOW - timedelta(days=1)).replace(tzinfo=None)
    wh.event(brand, "anon:f", "Popup Visited", day, popup_id=7)
    wh.event(brand, "anon:g", "Popup Visited", day, popup_id=7)
    wh.event(brand, "anon:h", "Popup Visited", day, popup_id=8)
    wh.same_person(brand, "anon:g", "anon:g", "member:7")
    wh.member(brand, 7, day - timedelta(days=30))
    audience_id = _audience(database, scope, POPUP_NOT_MEMBER)

    _refresh(database, scope, wh, audience_id, NOW)
    first = _history(database, scope, audience_id)
    wh.same_person(brand, "anon:f", "anon:f", "member:8")
    wh.member(brand, 8, NOW.replace(tzinfo=None))
    _refresh(database, scope, wh, audience_id, NOW + timedelta(hours=1))

    assert first == [("anon:f", NOW, None)]
    assert _history(database, scope, audience_id) == [("anon:f", NOW, NOW + timedelta(hours=1))]


def test_targets_are_the_members_inside_who_accept_marketing(
    database: Database, planted: PlantedWarehouse
) -> None:
    scope = _admin(database)
    brand, wh = scope.brand_id or 0, planted
    day = (NOW - timedelta(days=1)).replace(tzinfo=None)
    for member_id, consent in ((21, True), (22, False), (23, True)):
        wh.member(brand, member_id, day, marketing_consent=consent)
        wh.event(brand, f"member:{member_id}", "Store Entered", day, store_id=3)
    wh.event(brand, "anon:x", "Store Entered", day, store_id=3)
    audience_id = _audience(database, scope, {"kind": "did", "event": "Store Entered"})

    _refresh(database, scope, wh, audience_id, NOW)

    with database.transaction(read_only=True) as session:
        marketing = audiences.target_member_ids(
            session=session, scope=scope, audience_id=audience_id
        )
        service = audiences.target_member_ids(
            session=session, scope=scope, audience_id=audience_id, marketing=False
        )
    assert (marketing, service) == ([21, 23], [21, 22, 23])


def test_the_worker_recomputes_only_audiences_older_than_the_last_sync(
    database: Database,
) -> None:
    scope = _admin(database)
    brand, wh = scope.brand_id or 0, PlantedWarehouse()
    wh.event(brand, "anon:a", "Store Entered", (NOW - timedelta(hours=2)).replace(tzinfo=None))
    audience_id = _audience(database, scope, {"kind": "did", "event": "Store Entered"})
    wh.insert_rows(
        "sync_state",
        [
            {
                "source": "events",
                "watermark": 1,
                "synced_at": (NOW - timedelta(hours=1)).replace(tzinfo=None),
            }
        ],
    )

    with database.transaction() as session:
        first = audiences.refresh_stale(session=session, warehouse=wh, now=NOW)
    with database.transaction() as session:
        second = audiences.refresh_stale(session=session, warehouse=wh, now=NOW)
    wh.conn.execute(
        "UPDATE sync_state SET synced_at = ?", [NOW.replace(tzinfo=None) + timedelta(minutes=1)]
    )
    with database.transaction() as session:
        third = audiences.refresh_stale(
            session=session, warehouse=wh, now=NOW + timedelta(minutes=2)
        )
        computed = session.scalar(select(Audience.computed_at).where(Audience.id == audience_id))

    assert (first, second, third) == (1, 0, 1)
    assert computed == NOW + timedelta(minutes=2)
