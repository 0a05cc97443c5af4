"""Texts through Alibaba Cloud, email over SMTP and a brand's signed webhook, each against
a local server that checks what it receives."""

import asyncio
from typing import Any

from aiosmtpd.controller import Controller
from tests import builders
from tests import notify_fakes as fakes
from tests.notify_builders import NOON, member
from tests.ports import free_port

from newretail.config import Settings
from newretail.db import Database
from newretail.kernel.scope import SYSTEM
from newretail.notify import service as notify_service
from newretail.notify.models import NotifyMessage
from newretail.notify.service import NotificationDeliverer, Recipient

SECRET = "the-secret"


def _settings(database: Database, brand_code: str, value: str = SECRET) -> Settings:
    return Settings(
        database_url=database.url,
        log_json=False,
        log_level="WARNING",
        notify_secrets={f"{brand_code}/key": value},
    )


def _channel(database: Database, brand_id: int, channel: str, **fields: object) -> None:
    with database.transaction() as session:
        notify_service.put_channel(
            session=session,
            scope=SYSTEM,
            brand_id=brand_id,
            channel=channel,
            settings=fields,
            secret_ref="setting:key",
        )


def _send(database: Database, brand_id: int, to: Recipient, channel: str) -> int:
    with database.transaction() as session:
        [sent] = notify_service.send(
            session=session,
            brand_id=brand_id,
            recipients=[to],
            template="order.ready_for_pickup",
            variables={"order_no": "A7", "store_name": "East", "pickup_code": "731902"},
            purpose="service",
            channels=[channel],
            now=NOON,
        )
    return sent.id


def _status(database: Database, message_id: int) -> tuple[str, str | None]:
    with database.transaction(read_only=True) as session:
        found = session.get(NotifyMessage, message_id)
        assert found is not None
        return found.status, found.last_error


def test_a_text_goes_to_alibaba_cloud_signed_with_the_brands_template(database: Database) -> None:
    world = builders.brand_world(database)
    _, consumer_id = member(database, world, sms=True)
    with fakes.serving(fakes.aliyun_sms(access_key_id="LTAI-1", secret=SECRET)) as vendor:
        _channel(
            database,
            world.brand.id,
            "sms",
            provider="aliyun",
            base_url=vendor.base_url,
            access_key_id="LTAI-1",
            sign_name="Brand",
            templates={"order.ready_for_pickup": "SMS_1001"},
        )
        message_id = _send(database, world.brand.id, Recipient("consumer", consumer_id), "sms")
        NotificationDeliverer(clock=lambda: NOON)(database, _settings(database, world.brand.code))
    query = vendor.seen[0].query
    assert (query["TemplateCode"], query["SignName"]) == ("SMS_1001", "Brand")
    assert '"pickup_code": "731902"' in query["TemplateParam"]
    assert _status(database, message_id) == ("sent", None)


def test_a_text_signed_with_the_wrong_secret_is_refused(database: Database) -> None:
    world = builders.brand_world(database)
    _, consumer_id = member(database, world, sms=True)
    with fakes.serving(fakes.aliyun_sms(access_key_id="LTAI-1", secret=SECRET)) as vendor:
        _channel(
            database,
            world.brand.id,
            "sms",
            provider="aliyun",
            base_url=vendor.base_url,
            access_key_id="LTAI-1",
            templates={"order.ready_for_pickup": "SMS_1001"},
        )
        message_id = _send(database, world.brand.id, Recipient("consumer", consumer_id), "sms")
        settings = _settings(database, world.brand.code, value="another")
        NotificationDeliverer(clock=lambda: NOON)(database, settings)
    assert _status(database, message_id)[0] == "failed"


class _Inbox:
    def __init__(self) -> None:
        self.received: list[tuple[list[str], str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append((list(envelope.rcpt_tos), envelope.content.decode()))
        await asyncio.sleep(0)
        return "250 OK"


def test_an_email_reaches_the_smtp_server(database: Database) -> None:
    world = builders.brand_world(database)
    handler = _Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        _channel(
            database,
            world.brand.id,
            "email",
            host="127.0.0.1",
            port=port,
            starttls=False,
            sender="shop@brand.example",
            addresses={str(world.east_guide.id): "ann@brand.example"},
        )
        guide = Recipient("staff", world.east_guide.id)
        message_id = _send(database, world.brand.id, guide, "email")
        NotificationDeliverer(clock=lambda: NOON)(database, _settings(database, world.brand.code))
    finally:
        controller.stop()
    [(to, content)] = handler.received
    assert to == ["ann@brand.example"]
    assert "取货码 731902" in content
    assert _status(database, message_id) == ("sent", None)


def test_a_brands_webhook_gets_each_message_signed(database: Database) -> None:
    world = builders.brand_world(database)
    with fakes.serving(fakes.webhook_receiver(secret=SECRET)) as vendor:
        _channel(database, world.brand.id, "webhook", url=f"{vendor.base_url}/hook")
        guide = Recipient("staff", world.east_guide.id)
        message_id = _send(database, world.brand.id, guide, "webhook")
        NotificationDeliverer(clock=lambda: NOON)(database, _settings(database, world.brand.code))
    assert vendor.seen[0].body["template"] == "order.ready_for_pickup"
    assert vendor.seen[0].headers["Webhook-Id"] == f"notification-{message_id}"
    assert _status(database, message_id) == ("sent", None)


def test_a_webhook_signed_with_another_secret_is_refused(database: Database) -> None:
    world = builders.brand_world(database)
    with fakes.serving(fakes.webhook_receiver(secret="not-the-brands")) as vendor:
        _channel(database, world.brand.id, "webhook", url=f"{vendor.base_url}/hook")
        guide = Recipient("staff", world.east_guide.id)
        message_id = _send(database, world.brand.id, guide, "webhook")
        NotificationDeliverer(clock=lambda: NOON)(database, _settings(database, world.brand.code))
    assert _status(database, message_id) == ("failed", "HTTP 401")
