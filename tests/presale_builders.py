"""Builders for pre-sale tests: a campaign over a shop's SKUs, deposits placed and paid."""

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from newretail import consumers
from newretail.config import Settings
from newretail.db import Database, utcnow
from newretail.kernel.scope import SYSTEM, Scope
from newretail.outbox.dispatch import OutboxDispatcher
from newretail.payments import service as payments_service
from newretail.payments.schemas import PaymentCreate
from newretail.presales import service as presales_service
from newretail.presales.schemas import DepositCreate, PresaleCreate
from tests import order_builders
from tests.order_builders import Shop, consumer_scope

PRICE, DEPOSIT, VALUE = 59_900, 10_000, 15_000


def today_in(timezone: str) -> date:
    return datetime.now(ZoneInfo(timezone)).date()


def body(shop: Shop, *, event_day: date | None = None, **fields: Any) -> dict[str, Any]:
    """Deposits open now; the balance is due all day on ``event_day`` (today by default)."""
    now = utcnow()
    return {
        "brand_id": shop.world.brand.id,
        "name": "Double 11",
        "deposit_starts_at": (now - timedelta(hours=1)).isoformat(),
        "deposit_ends_at": (now + timedelta(days=1)).isoformat(),
        "event_day": str(event_day or today_in("Asia/Shanghai")),
        "store_ids": [shop.store_id],
        "items": [
            {"sku_id": shop.skus[0], "price": PRICE, "deposit": DEPOSIT, "deposit_value": VALUE}
        ],
        **fields,
    }


def presale(database: Database, shop: Shop, **fields: Any) -> int:
    with database.transaction() as session:
        campaign = presales_service.create_presale(
            session=session, scope=SYSTEM, data=PresaleCreate.model_validate(body(shop, **fields))
        )
        return campaign.id


def paid_deposit(database: Database, shop: Shop, presale_id: int, quantity: int = 1) -> int:
    """A new consumer's deposit of ``quantity`` units at the shop's store, paid."""
    scope = consumer_scope(order_builders.consumer(database))
    data = DepositCreate(store_id=shop.store_id, sku_id=shop.skus[0], quantity=quantity)
    with database.transaction() as session:
        deposit, order = presales_service.place_deposit(
            session=session, scope=scope, presale_id=presale_id, data=data
        )
        payments_service.pay(session=session, scope=scope, order_id=order.id, data=PaymentCreate())
        return deposit.id


def owner_scope(database: Database, deposit_id: int) -> Scope:
    with database.transaction() as session:
        deposit = presales_service.get_deposit(session=session, scope=SYSTEM, deposit_id=deposit_id)
        return consumer_scope(deposit.consumer_id or 0)


def dispatch(database: Database) -> int:
    """Run the outbox's consumers over every event committed so far; how many there were."""
    dispatcher = OutboxDispatcher(registry=consumers.registry())
    settings = Settings(database_url=database.url)
    dispatched = 0
    while seqs := dispatcher.dispatch_once(database, settings):
        dispatched += len(seqs)
    return dispatched
