"""The orders step: a few hundred orders of the last 30 days in every channel, by members.

Each order goes through the orders and payments services as the brand's system: placed for a
member (so the member's bound store and guide are on it), paid in the sandbox, then taken
along its way: pickups made ready (some still waiting with their code) or handed over,
parcels shipped (some delivered), a few units refunded and a few returned to the store.
Once paid and on its way, the order is followed by points and commission (``follow``), so a
refund or return after claws back. Afterwards the order's times (and its commission's) are
moved back to a day of the last 30, so the console and reports show a month of trade. Sold
units are added to the catalog record (returned units taken off again), and
``world.truth["orders"]`` holds the counts per brand.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from sqlalchemy import select, update

from newretail.commission.models import CommissionEntry
from newretail.kernel.errors import DomainError
from newretail.kernel.scope import Scope
from newretail.members import service as members_service
from newretail.orders import service as orders_service
from newretail.orders.models import Fulfilment, Order
from newretail.orders.schemas import OrderCreate
from newretail.payments import service as payments_service
from newretail.payments.schemas import PaymentCreate, RefundCreate
from newretail.returns import service as returns_service
from newretail.returns.schemas import ReturnCreate
from newretail.simulate.follow import follow_orders
from newretail.simulate.members import anchor_time
from newretail.simulate.world import BrandRecord, Step, StepContext, StoreRecord

STEP_NAME = "orders"
DAYS = 30
CHANNELS = (
    ("pos", 30),
    ("cloud_store", 30),
    ("online", 15),
    ("guide_share", 15),
    ("livestream", 10),
)


@dataclass(frozen=True)
class OrdersPlan:
    per_brand: int = 100
    refund_share: float = 0.05
    return_share: float = 0.05

    @property
    def units(self) -> int:
        return self.per_brand * 2


DEMO_ORDERS = OrdersPlan()


def step(plan: OrdersPlan = DEMO_ORDERS) -> Step:
    return Step(name=STEP_NAME, run=partial(build, plan), units=plan.units)


def _system(brand_id: int) -> Scope:
    return orders_service.system_for(brand_id)


def _members(ctx: StepContext, brand: BrandRecord) -> list[int]:
    rows, _ = members_service.search_members(
        session=ctx.session, scope=_system(brand.id), brand_id=brand.id, limit=200
    )
    return sorted(row.member.id for row in rows)


def build(plan: OrdersPlan, ctx: StepContext) -> None:
    anchor = anchor_time()
    truth: dict[str, Any] = {"anchor": anchor.isoformat(), "brands": {}}
    for code in sorted(ctx.world.brands):
        brand = ctx.world.brands[code]
        truth["brands"][code] = _brand_orders(plan, ctx, brand, anchor)
    ctx.world.truth["orders"] = truth


def _brand_orders(
    plan: OrdersPlan, ctx: StepContext, brand: BrandRecord, anchor: Any
) -> dict[str, Any]:
    members = _members(ctx, brand)
    shops = [s for s in brand.stores if s.type != "warehouse"]
    locations = {s.id: s.code for s in brand.stores}
    guides = {
        s.code: [g.id for g in brand.staff if g.role == "guide" and g.store_code == s.code]
        for s in shops
    }
    made: Counter[str] = Counter()
    channels: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    refunded = paid = 0
    order_ids: list[int] = []
    for _ in range(plan.per_brand):
        ctx.tick(1)
        store = ctx.rng.choice(shops)
        channel = ctx.rng.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0]
        lines = _basket(ctx, brand, store)
        if not lines or not members:
            continue
        referring = (
            ctx.rng.choice(guides[store.code])
            if channel == "guide_share" and guides[store.code]
            else None
        )
        pickup = channel in ("pos", "cloud_store") or ctx.rng.random() < 0.3
        order = _place(
            ctx, brand, store, channel, lines, ctx.rng.choice(members), referring, pickup
        )
        if order is None:
            continue
        for line in order.lines:
            key = (locations[line.location_id], _sku_code(brand, line.sku_id))
            brand.catalog.sold[key] = brand.catalog.sold.get(key, 0) + line.quantity
        _move_along(ctx, order, channel, pickup, made)
        follow_orders(ctx)  # commission and points as paid; a refund below claws back
        if ctx.rng.random() < plan.refund_share:
            refunded += _refund_unit(ctx, order, made)
            _restocked(ctx, brand, order, locations)
        elif ctx.rng.random() < plan.return_share * 4:
            refunded += _return_unit(ctx, brand, order, locations, made)
        final = orders_service.get_order(
            session=ctx.session, scope=_system(brand.id), order_id=order.id
        )
        channels[channel] += 1
        statuses[final.status] += 1
        paid += final.paid_amount
        order_ids.append(final.id)
        _backdate(ctx, final.id, anchor)
    return {
        "orders": sum(channels.values()),
        "by_channel": dict(sorted(channels.items())),
        "by_status": dict(sorted(statuses.items())),
        "paid": paid,
        "refunded": refunded,
        "waiting_pickups": made["ready"],
        "shipped": made["shipped"],
        "refunds": made["refund"],
        "returns": made["return"],
        "order_ids": order_ids,
    }


def _sku_code(brand: BrandRecord, sku_id: int) -> str:
    return next(code for code, sku in brand.catalog.skus.items() if sku.id == sku_id)


def _basket(ctx: StepContext, brand: BrandRecord, store: StoreRecord) -> list[dict[str, int]]:
    record = brand.catalog
    stocked = sorted(code for (where, code) in record.received if where == store.code)
    chosen = sorted(set(ctx.rng.sample(stocked, k=min(len(stocked), ctx.rng.randint(1, 3)))))
    lines = []
    for code in chosen:
        if record.on_hand(store.code, code) >= 3:
            lines.append({"sku_id": record.skus[code].id, "quantity": ctx.rng.randint(1, 2)})
    return lines


def _place(
    ctx: StepContext,
    brand: BrandRecord,
    store: StoreRecord,
    channel: str,
    lines: list[dict[str, int]],
    member_id: int,
    referring: int | None,
    pickup: bool,
) -> orders_service.OrderView | None:
    address = {
        "name": "王女士",
        "phone": "13800138000",
        "line1": "南京西路 1266 号",
        "city": "上海",
        "lat": round(store.lat + ctx.rng.uniform(-0.01, 0.01), 5),
        "lng": round(store.lng + ctx.rng.uniform(-0.01, 0.01), 5),
    }
    delivery = {"method": "pickup"} if pickup else {"method": "ship", "address": address}
    data = OrderCreate.model_validate(
        {
            "store_id": store.id,
            "channel": channel,
            "lines": lines,
            "delivery": delivery,
            "member_id": member_id,
            "referring_guide_id": referring,
            "campaign": "618" if channel == "livestream" else None,
        }
    )
    scope = _system(brand.id)
    try:
        with ctx.session.begin_nested():
            order = orders_service.create_order(session=ctx.session, scope=scope, data=data)
            _, order = payments_service.pay(
                session=ctx.session,
                scope=scope,
                order_id=order.id,
                data=PaymentCreate(instruction="succeed"),
            )
    except DomainError:
        return None  # not sellable here, or not routable: the simulated buyer walks away
    return order


def _move_along(
    ctx: StepContext,
    order: orders_service.OrderView,
    channel: str,
    pickup: bool,
    made: Counter[str],
) -> None:
    scope = _system(order.brand_id)
    for fulfilment in orders_service.list_fulfilments(
        session=ctx.session, scope=scope, order_id=order.id
    ):
        roll = ctx.rng.random()
        if pickup:
            if channel != "pos" and roll < 0.15:
                continue  # still being packed
            ready = orders_service.mark_ready(
                session=ctx.session, scope=scope, order_id=order.id, fulfilment_id=fulfilment.id
            )
            if channel != "pos" and roll < 0.4:
                made["ready"] += 1  # waiting at the counter with its code
                continue
            orders_service.hand_over(
                session=ctx.session,
                scope=scope,
                store_id=ready.location_id,
                pickup_code=ready.pickup_code or "",
            )
        else:
            if roll < 0.15:
                continue
            orders_service.ship(
                session=ctx.session,
                scope=scope,
                order_id=order.id,
                fulfilment_id=fulfilment.id,
                tracking_no=f"SF{order.id:010d}",
            )
            made["shipped"] += 1
            if roll < 0.5:
                continue
            orders_service.deliver(
                session=ctx.session, scope=scope, order_id=order.id, fulfilment_id=fulfilment.id
            )


def _refund_unit(ctx: StepContext, order: orders_service.OrderView, made: Counter[str]) -> int:
    line = order.lines[0]
    record = payments_service.refund(
        session=ctx.session,
        scope=_system(order.brand_id),
        order_id=order.id,
        data=RefundCreate.model_validate(
            {"lines": [{"order_line_id": line.id, "quantity": 1}], "reason": "尺码不合适"}
        ),
    )
    made["refund"] += 1
    return record.amount


def _restocked(
    ctx: StepContext, brand: BrandRecord, order: orders_service.OrderView, locations: dict[int, str]
) -> None:
    """A refund of everything before anything left the shelf puts every unit back."""
    fresh = orders_service.get_order(
        session=ctx.session, scope=_system(order.brand_id), order_id=order.id
    )
    if fresh.status != "refunded":
        return
    for line in fresh.lines:
        key = (locations[line.location_id], _sku_code(brand, line.sku_id))
        brand.catalog.sold[key] -= line.quantity


def _return_unit(
    ctx: StepContext,
    brand: BrandRecord,
    order: orders_service.OrderView,
    locations: dict[int, str],
    made: Counter[str],
) -> int:
    scope = _system(order.brand_id)
    fresh = orders_service.get_order(session=ctx.session, scope=scope, order_id=order.id)
    if fresh.status not in returns_service.RETURNABLE:
        return 0
    line = fresh.lines[0]
    record = returns_service.create_return(
        session=ctx.session,
        scope=scope,
        data=ReturnCreate.model_validate(
            {
                "order_id": order.id,
                "receiving_location_id": line.location_id,
                "lines": [{"order_line_id": line.id, "quantity": 1}],
                "reason": "不喜欢",
                "received": True,
            }
        ),
    )
    key = (locations[line.location_id], _sku_code(brand, line.sku_id))
    brand.catalog.sold[key] -= 1
    made["return"] += 1
    return record.refund_amount


def _backdate(ctx: StepContext, order_id: int, anchor: Any) -> None:
    """Move the order's times to a moment of the last ``DAYS`` days, keeping their gaps, and
    the commission it earned when paid with them."""
    order = ctx.session.get_one(Order, order_id)
    at = anchor - timedelta(days=ctx.rng.randrange(DAYS), minutes=ctx.rng.randrange(600, 1320))
    shift = order.created_at - at
    values: dict[str, Any] = {
        "created_at": at,
        "updated_at": at,
        "expires_at": order.expires_at - shift,
        "paid_at": order.paid_at - shift if order.paid_at else None,
        "closed_at": order.closed_at - shift if order.closed_at else None,
    }
    ctx.session.execute(
        update(Order).where(Order.id == order.id).values(**values),
        execution_options={"synchronize_session": False},
    )
    ctx.session.execute(
        update(Fulfilment).where(Fulfilment.order_id == order.id).values(created_at=at),
        execution_options={"synchronize_session": False},
    )
    for entry in ctx.session.scalars(
        select(CommissionEntry).where(CommissionEntry.order_id == order.id)
    ):
        entry.earned_at -= shift
        entry.created_at -= shift
        entry.release_at = entry.release_at - shift if entry.release_at else None
