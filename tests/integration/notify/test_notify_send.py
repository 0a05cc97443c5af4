import pytest
from tests import builders
from tests.notify_builders import NOON, member

from newretail.db import Database
from newretail.kernel.scope import Scope
from newretail.notify import errors
from newretail.notify import service as notify_service
from newretail.notify.service import Recipient


def _consumer_scope(consumer_id: int) -> Scope:
    return Scope(actor_type="consumer", actor_id=consumer_id, roles=frozenset())


def _send(database: Database, brand_id: int, to: Recipient, purpose: str) -> list[object]:
    with database.transaction() as session:
        return list(
            notify_service.send(
                session=session,
                brand_id=brand_id,
                recipients=[to],
                template="notice.text",
                variables={"title": "Autumn", "text": "New coats are in."},
                purpose=purpose,  # type: ignore[arg-type]
                channels=["inapp"],
                now=NOON,
            )
        )


def test_an_in_app_message_lands_in_the_staff_inbox_and_is_marked_read(database: Database) -> None:
    world = builders.brand_world(database)
    guide = world.east_guide
    _send(database, world.brand.id, Recipient("staff", guide.id), "service")
    scope = Scope(actor_type="staff", actor_id=guide.id, roles=frozenset(), brand_id=world.brand.id)
    with database.transaction() as session:
        page, _ = notify_service.list_inbox(session=session, scope=scope, cursor=None, limit=10)
        unread = notify_service.unread_count(session=session, scope=scope)
        read = notify_service.mark_read(
            session=session, scope=scope, message_id=page[0].id, now=NOON
        )
    assert [m.body for m in page] == ["New coats are in."]
    assert unread == 1
    assert (read.status, read.read_at) == ("read", NOON)


def test_consent_blocks_marketing_but_not_service_messages(database: Database) -> None:
    world = builders.brand_world(database)
    _, consumer_id = member(database, world, marketing=False)
    to = Recipient("consumer", consumer_id)
    with pytest.raises(errors.NoMarketingConsent):
        _send(database, world.brand.id, to, "marketing")
    _send(database, world.brand.id, to, "service")
    with database.transaction() as session:
        page, _ = notify_service.list_inbox(
            session=session, scope=_consumer_scope(consumer_id), cursor=None, limit=10
        )
    assert [m.purpose for m in page] == ["service"]


def test_a_member_who_consented_gets_marketing(database: Database) -> None:
    world = builders.brand_world(database)
    _, consumer_id = member(database, world, marketing=True)
    [sent] = _send(database, world.brand.id, Recipient("consumer", consumer_id), "marketing")
    assert sent.status == "delivered"  # type: ignore[attr-defined]


def test_a_missing_template_variable_is_refused_and_nothing_sent(database: Database) -> None:
    world = builders.brand_world(database)
    with database.transaction() as session, pytest.raises(errors.TemplateInvalid) as caught:
        notify_service.send(
            session=session,
            brand_id=world.brand.id,
            recipients=[Recipient("staff", world.east_guide.id)],
            template="order.ready_for_pickup",
            variables={"order_no": "A1", "store_name": "East"},
            purpose="service",
            now=NOON,
        )
    assert "pickup_code" in caught.value.detail
    assert caught.value.status == 422


def test_another_brands_person_is_not_a_recipient(database: Database) -> None:
    world = builders.brand_world(database)
    other = builders.brand_world(database)
    with pytest.raises(errors.RecipientNotFound):
        _send(database, world.brand.id, Recipient("staff", other.east_guide.id), "service")


def test_a_sends_read_receipts_say_who_has_and_has_not_read(database: Database) -> None:
    world = builders.brand_world(database)
    guides = [world.east_guide.id, world.east_store_manager.id]
    with database.transaction() as session:
        records = notify_service.send(
            session=session,
            brand_id=world.brand.id,
            recipients=[Recipient("staff", g) for g in guides],
            template="notice.text",
            variables={"title": "Stock count", "text": "Tonight."},
            purpose="urgent",
            channels=["inapp"],
            now=NOON,
        )
    reader = Scope(
        actor_type="staff", actor_id=guides[0], roles=frozenset(), brand_id=world.brand.id
    )
    with database.transaction() as session:
        notify_service.mark_read(session=session, scope=reader, message_id=records[0].id, now=NOON)
        states = notify_service.batch_states(
            session=session, brand_id=world.brand.id, batch=records[0].batch
        )
    assert {s.recipient.id: s.read_at for s in states} == {guides[0]: NOON, guides[1]: None}
