"""The pre-sale and pay-later step: one running pre-sale per brand with deposits in several
stores, and a few orders taken on credit, one of them overdue and on the dunning list.

Recorded under ``world.truth["presales"]``: per brand, the campaign id and the units of
paid deposits per (store code, SKU code); and the ids of the pay-later charges.
"""

from datetime import timedelta

from newretail.db import utcnow
from newretail.kernel.errors import DomainError
from newretail.kernel.scope import Scope
from newretail.members import service as members_service
from newretail.orders import service as orders_service
from newretail.orders.schemas import OrderCreate
from newretail.paylater import service as paylater_service
from newretail.paylater.schemas import DeferredCreate, PolicyUpdate
from newretail.payments import service as payments_service
from newretail.payments.schemas import PaymentCreate
from newretail.presales import service as presales_service
from newretail.presales.schemas import DepositCreate, PresaleCreate
from newretail.simulate.world import BrandRecord, Step, StepContext

STEP_NAME = "presales"
SKUS_ON_PRESALE = 3
DEPOSITS_PER_BRAND = 24
PAY_LATER_ORDERS = 3


def step() -> Step:
    return Step(name=STEP_NAME, run=build, units=1)


def _consumer_scope(consumer_id: int) -> Scope:
    return Scope(actor_type="consumer", actor_id=consumer_id, roles=frozenset())


def build(ctx: StepContext) -> None:
    truth: dict[str, object] = {}
    for brand in ctx.world.brands.values():
        truth[brand.code] = {
            "presale": _presale(ctx, brand),
            "deferred": _pay_later(ctx, brand),
        }
    ctx.world.truth[STEP_NAME] = truth
    ctx.tick(1)


def _consumers(ctx: StepContext, brand: BrandRecord, count: int) -> list[tuple[int, int]]:
    """(member id, consumer id) of some of the brand's members."""
    scope = orders_service.system_for(brand.id)
    rows, _ = members_service.list_members(session=ctx.session, scope=scope, cursor=None, limit=200)
    picked = ctx.rng.sample(rows, min(count, len(rows)))
    return [(m.id, m.consumer_id) for m in picked]


def _presale(ctx: StepContext, brand: BrandRecord) -> dict[str, object]:
    session, rng, now = ctx.session, ctx.rng, utcnow()
    stores = [s for s in brand.stores if s.type != "warehouse"]
    stocked = sorted({sku for (loc, sku) in brand.catalog.received if loc == stores[0].code})
    skus = [brand.catalog.skus[code] for code in stocked[:SKUS_ON_PRESALE]]
    body = {
        "brand_id": brand.id,
        "name": "双11预售 Double 11 pre-sale",
        "deposit_starts_at": (now - timedelta(days=5)).isoformat(),
        "deposit_ends_at": (now + timedelta(days=4)).isoformat(),
        "event_day": str((now + timedelta(days=5)).date()),
        "balance_opens": "00:00",
        "balance_closes": "00:00",
        "unpaid_rule": "keep",
        "store_ids": [s.id for s in stores],
        "items": [
            {
                "sku_id": sku.id,
                "price": sku.price,
                "deposit": max(sku.price // 10, 100),
                "deposit_value": max(sku.price // 10, 100) * 3 // 2,
            }
            for sku in skus
            if sku.price >= 1000
        ],
    }
    campaign = presales_service.create_presale(
        session=session,
        scope=orders_service.system_for(brand.id),
        data=PresaleCreate.model_validate(body),
    )
    units: dict[str, int] = {}
    for _member, consumer in _consumers(ctx, brand, DEPOSITS_PER_BRAND):
        store = rng.choice(stores)
        item = rng.choice(campaign.items)
        scope = _consumer_scope(consumer)
        data = DepositCreate(store_id=store.id, sku_id=item.sku_id, quantity=rng.choice((1, 1, 2)))
        try:
            with session.begin_nested():
                deposit, order = presales_service.place_deposit(
                    session=session, scope=scope, presale_id=campaign.id, data=data
                )
                payments_service.pay(
                    session=session, scope=scope, order_id=order.id, data=PaymentCreate()
                )
        except DomainError:
            continue  # no stock left for it at that store: the consumer tries no further
        key = f"{store.code}/{item.sku_id}"
        units[key] = units.get(key, 0) + deposit.quantity
    return {"id": campaign.id, "units": units}


def _pay_later(ctx: StepContext, brand: BrandRecord) -> list[int]:
    """Orders taken on credit; the first was taken 40 days ago and its card declines."""
    session, now = ctx.session, utcnow()
    system = orders_service.system_for(brand.id)
    paylater_service.set_policy(session=session, scope=system, data=PolicyUpdate(threshold=0))
    store = next(s for s in brand.stores if s.type != "warehouse")
    stocked = sorted({sku for (loc, sku) in brand.catalog.received if loc == store.code})
    charges: list[int] = []
    for n, (_member, consumer) in enumerate(_consumers(ctx, brand, PAY_LATER_ORDERS)):
        scope = _consumer_scope(consumer)
        sku_code = stocked[-1 - n]
        sku = brand.catalog.skus[sku_code]
        body = {
            "store_id": store.id,
            "channel": "cloud_store",
            "lines": [{"sku_id": sku.id, "quantity": 1}],
            "delivery": {"method": "pickup"},
        }
        overdue = n == 0
        try:
            with session.begin_nested():
                order = orders_service.create_order(
                    session=session, scope=scope, data=OrderCreate.model_validate(body)
                )
                charge, _ = paylater_service.take_on_credit(
                    session=session,
                    scope=scope,
                    data=DeferredCreate(
                        order_id=order.id, charge_instruction="decline" if overdue else None
                    ),
                    now=now - timedelta(days=40) if overdue else None,
                )
        except DomainError:
            continue
        charges.append(charge.id)
        sold = brand.catalog.sold
        sold[(store.code, sku_code)] = sold.get((store.code, sku_code), 0) + 1
    for hours in (0, 2, 8, 40):
        paylater_service.charge_due(session=session, now=now + timedelta(hours=hours))
    return charges
