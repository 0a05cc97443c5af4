from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from tests import builders
from tests.notify_builders import NOON, member

from newretail.config import Settings
from newretail.db import Database
from newretail.kernel.scope import SYSTEM, Scope
from newretail.notify import errors
from newretail.notify import service as notify_service
from newretail.notify.channels import sms
from newretail.notify.models import NotifyMessage
from newretail.notify.service import NotificationDeliverer, Recipient

# 23:30 and 08:00 next morning in Shanghai
LATE = datetime(2026, 12, 15, 15, 30, tzinfo=UTC)
MORNING = datetime(2026, 12, 16, 0, 0, tzinfo=UTC)


def _policy(database: Database, brand_id: int, **fields: object) -> None:
    values: dict[str, object] = {
        "quiet_start_minute": 22 * 60,
        "quiet_end_minute": 8 * 60,
        "max_per_hour": 20,
    } | fields
    with database.transaction() as session:
        notify_service.put_policy(session=session, scope=SYSTEM, brand_id=brand_id, **values)  # type: ignore[arg-type]


def _offer(database: Database, brand_id: int, consumer_id: int, at: datetime, **kw: object) -> None:
    with database.transaction() as session:
        notify_service.send(
            session=session,
            brand_id=brand_id,
            recipients=[Recipient("consumer", consumer_id)],
            template="notice.text",
            variables={"title": "Sale", "text": "20% off coats this weekend."},
            purpose="marketing",
            now=at,
            **kw,  # type: ignore[arg-type]
        )


def _inbox(database: Database, consumer_id: int) -> list[str]:
    scope = Scope(actor_type="consumer", actor_id=consumer_id, roles=frozenset())
    with database.transaction(read_only=True) as session:
        page, _ = notify_service.list_inbox(session=session, scope=scope, cursor=None, limit=20)
        return [m.body for m in page]


def _deliver(database: Database, at: datetime) -> None:
    settings = Settings(database_url=database.url, log_json=False, log_level="WARNING")
    NotificationDeliverer(clock=lambda: at)(database, settings)


def test_quiet_hours_hold_marketing_until_they_end_and_never_drop_it(database: Database) -> None:
    world = builders.brand_world(database)
    _policy(database, world.brand.id)
    _, consumer_id = member(database, world, marketing=True)
    _offer(database, world.brand.id, consumer_id, LATE)
    _deliver(database, LATE.replace(minute=59))
    during = _inbox(database, consumer_id)
    _deliver(database, MORNING)
    assert during == []
    assert _inbox(database, consumer_id) == ["20% off coats this weekend."]


def test_urgent_messages_ignore_quiet_hours(database: Database) -> None:
    world = builders.brand_world(database)
    _policy(database, world.brand.id)
    _, consumer_id = member(database, world)
    with database.transaction() as session:
        notify_service.send(
            session=session,
            brand_id=world.brand.id,
            recipients=[Recipient("consumer", consumer_id)],
            template="notice.text",
            variables={"title": "Recall", "text": "Stop using the kettle."},
            purpose="urgent",
            now=LATE,
        )
    assert _inbox(database, consumer_id) == ["Stop using the kettle."]


def test_a_flood_is_refused_with_a_clear_error_and_nothing_more_is_sent(database: Database) -> None:
    world = builders.brand_world(database)
    _policy(
        database, world.brand.id, quiet_start_minute=None, quiet_end_minute=None, max_per_hour=2
    )
    _, consumer_id = member(database, world, marketing=True)
    for _ in range(2):
        _offer(database, world.brand.id, consumer_id, NOON, sender_staff_id=world.east_guide.id)
    with pytest.raises(errors.RecipientRateLimited) as caught:
        _offer(database, world.brand.id, consumer_id, NOON, sender_staff_id=world.east_guide.id)
    with database.transaction(read_only=True) as session:
        count = session.scalar(select(func.count()).select_from(NotifyMessage))
    assert (caught.value.status, caught.value.code) == (429, "notify_rate_limited")
    assert count == 2


def test_texts_to_a_member_who_agreed_go_through_the_sandbox(database: Database) -> None:
    world = builders.brand_world(database)
    _, consumer_id = member(database, world, sms=True)
    with database.transaction() as session:
        records = notify_service.send(
            session=session,
            brand_id=world.brand.id,
            recipients=[Recipient("consumer", consumer_id)],
            template="order.ready_for_pickup",
            variables={"order_no": "A7", "store_name": "East", "pickup_code": "731902"},
            purpose="service",
            now=NOON,
        )
        phone = session.scalar(select(NotifyMessage.address).where(NotifyMessage.channel == "sms"))
    _deliver(database, NOON)
    assert sorted(r.channel for r in records) == ["inapp", "sms"]
    assert phone is not None
    assert any("731902" in text for text in sms.SANDBOX.texts_to(phone))


def test_the_hourly_limit_counts_again_once_the_hour_is_over(database: Database) -> None:
    world = builders.brand_world(database)
    _policy(
        database, world.brand.id, quiet_start_minute=None, quiet_end_minute=None, max_per_hour=2
    )
    _, consumer_id = member(database, world, marketing=True)
    guide = world.east_guide.id
    for at in (NOON, NOON + timedelta(minutes=59)):
        _offer(database, world.brand.id, consumer_id, at, sender_staff_id=guide)
    with pytest.raises(errors.RecipientRateLimited):  # still the first hour
        _offer(
            database,
            world.brand.id,
            consumer_id,
            NOON + timedelta(minutes=59, seconds=59),
            sender_staff_id=guide,
        )

    later = NOON + timedelta(hours=1)  # the window opened at noon is over: a new one opens
    for at in (later, later + timedelta(minutes=30)):
        _offer(database, world.brand.id, consumer_id, at, sender_staff_id=guide)
    with pytest.raises(errors.RecipientRateLimited):  # the new window's two are spent
        _offer(
            database,
            world.brand.id,
            consumer_id,
            later + timedelta(minutes=45),
            sender_staff_id=guide,
        )

    with database.transaction(read_only=True) as session:
        count = session.scalar(select(func.count()).select_from(NotifyMessage))
    assert count == 4
