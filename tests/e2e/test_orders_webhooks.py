"""Done when: a webhook receiver gets every order event of a small flash sale, each signed,
exactly once after de-duplication by event id, even when it fails some first deliveries."""

import time
from datetime import timedelta

from sqlalchemy import select
from tests import order_builders
from tests.e2e.webhook_receiver import Receiver
from tests.integration.orders.flash import buy, together

from newretail.config import Settings
from newretail.db import Database, utcnow
from newretail.integrations import service as webhook_service
from newretail.integrations.schemas import WebhookCreate
from newretail.kernel.scope import SYSTEM
from newretail.orders import service as orders_service
from newretail.outbox.models import OutboxEvent
from newretail.worker import Worker, default_jobs

BUYERS = 8
UNITS = 4


def test_every_order_event_of_a_flash_sale_reaches_the_webhook_once(
    database: Database, settings: Settings
) -> None:
    shop = order_builders.shop(database, stock=UNITS)
    consumers = [order_builders.consumer(database) for _ in range(BUYERS)]
    fast = settings.model_copy(
        update={"webhook_backoff_base_seconds": 0.01, "webhook_backoff_max_seconds": 0.05}
    )
    with Receiver(fail_every=3) as receiver:
        data = WebhookCreate.model_validate({"brand_id": shop.world.brand.id, "url": receiver.url})
        with database.transaction() as session:
            receiver.secret = webhook_service.create_endpoint(
                session=session, scope=SYSTEM, data=data
            ).secret
        together(4, BUYERS, lambda n: buy(database, shop, consumers[n], n % 2 == 0))
        with database.transaction() as session:
            orders_service.expire_unpaid(session=session, now=utcnow() + timedelta(hours=1))
        with database.transaction(read_only=True) as session:
            expected = set(
                session.scalars(
                    select(OutboxEvent.event_id).where(OutboxEvent.type.like("order.%"))
                )
            )
        worker = Worker(database=database, settings=fast, jobs=default_jobs())
        deadline = time.monotonic() + 60
        while not expected <= receiver.received_ids() and time.monotonic() < deadline:
            worker.run_once()
            time.sleep(0.02)
        retried = len(receiver.arrivals) > len(receiver.received_ids())
        arrivals = [a for a in receiver.arrivals if a.type.startswith("order.")]
    types = {a.type for a in arrivals}
    assert {a.event_id for a in arrivals} == expected
    assert all(a.valid for a in arrivals)
    assert retried  # some first deliveries were answered 503 and sent again
    assert {"order.created", "order.paid", "order.allocated", "order.cancelled"} <= types
