"""Builders for commission tests: a brand with guides, plans, and orders whose money moves.

Orders are written as rows with their outbox events (what checkout, refunds, returns and
fulfilment write), so the accrual consumer sees what it sees in production: events naming
orders whose rows say what was paid, refunded and fulfilled.
"""

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from newretail import consumers
from newretail.commission import service as commission_service
from newretail.commission.models import (
    CommissionEntry,
    CommissionPeriod,
    CommissionStatement,
    EntryStatus,
)
from newretail.commission.plan_models import GuideMembership
from newretail.commission.schemas import PlanCreate, RuleCreate
from newretail.config import Settings
from newretail.db import Database
from newretail.kernel.scope import SYSTEM
from newretail.orders import events
from newretail.orders.models import Order, OrderLine
from newretail.orders.rules import OrderStatus, RefundState, refund_state
from newretail.outbox.dispatch import OutboxDispatcher
from newretail.outbox.models import ConsumerRetry, OutboxEvent
from tests import builders, member_builders
from tests.builders import BrandWorld

_numbers = itertools.count(1)
PAID_AT = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


@dataclass
class Setup:
    world: BrandWorld
    referrer_id: int  # a second guide of the east store
    category_id: int
    skus: list[int]
    statement_id: int

    @property
    def brand_id(self) -> int:
        return self.world.brand.id

    @property
    def guide_id(self) -> int:
        return self.world.east_guide.id


def setup(database: Database, *, skus: int = 3, world: BrandWorld | None = None) -> Setup:
    """Commission around ``world`` (a new brand world by default): a second guide, SKUs of
    one category, and a guide's statement of a closed period for ``settle``."""
    world = world or builders.brand_world(database)
    referrer = member_builders.guide(database, world.brand.id, world.east_store.id)
    with database.transaction() as session:
        category = builders.category(session, world.brand.id)
        product = builders.product(session, world.brand.id, category.id)
        sku_ids = [builders.sku(session, world.brand.id, product.id).id for _ in range(skus)]
        period = CommissionPeriod(
            brand_id=world.brand.id, starts_at=PAID_AT - timedelta(days=30), ends_at=PAID_AT
        )
        session.add(period)
        session.flush()
        statement = CommissionStatement(
            brand_id=world.brand.id,
            period_id=period.id,
            beneficiary_type="guide",
            guide_id=world.east_guide.id,
            beneficiary_key=f"guide:{world.east_guide.id}",
            total=0,
            currency="CNY",
        )
        session.add(statement)
        session.flush()
        return Setup(world, referrer.id, category.id, sku_ids, statement.id)


def plan(database: Database, s: Setup, rules: list[dict[str, Any]], **fields: Any) -> int:
    """An active plan of the brand with ``rules`` (each a RuleCreate's fields)."""
    data = PlanCreate.model_validate(
        {"brand_id": s.brand_id, "name": f"Plan {next(_numbers)}", "is_active": True} | fields
    )
    with database.transaction() as session:
        made = commission_service.create_plan(session=session, scope=SYSTEM, data=data)
        for index, rule in enumerate(rules):
            body = RuleCreate.model_validate({"name": f"Rule {index}"} | rule)
            commission_service.add_rule(session=session, scope=SYSTEM, plan_id=made.id, data=body)
        return made.id


def set_level(database: Database, staff_id: int, level: str | None) -> None:
    from newretail.auth.models import Staff

    with database.transaction() as session:
        session.execute(update(Staff).where(Staff.id == staff_id).values(guide_level=level))


def own_member(database: Database, s: Setup, guide_id: int, member_id: int) -> None:
    with database.transaction() as session:
        session.add(GuideMembership(staff_id=guide_id, brand_id=s.brand_id, member_id=member_id))


Line = tuple[int, int, int, int]  # sku id, quantity, unit price, discount


def order(
    database: Database,
    s: Setup,
    lines: list[Line],
    *,
    member_id: int | None = None,
    bound_guide_id: int | None = None,
    referring_guide_id: int | None = None,
    bound_store_id: int | None = None,
    store_id: int | None = None,
    location_id: int | None = None,
    channel: str = "online",
    touchpoint_code: str | None = None,
    paid_at: datetime = PAID_AT,
) -> int:
    """A paid order with ``lines`` and its ``order.paid`` event."""
    store = store_id or s.world.east_store.id
    with database.transaction() as session:
        totals = [q * price - discount for _, q, price, discount in lines]
        total = sum(totals)
        made = Order(
            brand_id=s.brand_id,
            number=f"T{next(_numbers):08d}",
            store_id=store,
            channel=channel,
            member_id=member_id,
            bound_store_id=bound_store_id,
            bound_guide_id=bound_guide_id,
            referring_guide_id=referring_guide_id,
            touchpoint_code=touchpoint_code,
            status=OrderStatus.PAID.value,
            currency="CNY",
            subtotal=sum(q * price for _, q, price, _ in lines),
            discount=sum(d for *_, d in lines),
            total=total,
            paid_amount=total,
            delivery_method="ship",
            expires_at=paid_at + timedelta(minutes=30),
            created_by_type="consumer",
            created_at=paid_at,
            paid_at=paid_at,
        )
        session.add(made)
        session.flush()
        for (sku_id, quantity, price, discount), line_total in zip(lines, totals, strict=True):
            session.add(
                OrderLine(
                    order_id=made.id,
                    brand_id=s.brand_id,
                    sku_id=sku_id,
                    title=f"SKU {sku_id}",
                    quantity=quantity,
                    unit_price=price,
                    subtotal=quantity * price,
                    discount=discount,
                    total=line_total,
                    location_id=location_id or store,
                )
            )
        session.flush()
        session.refresh(made)
        events.publish(session, made, OrderStatus.PAID)
        return made.id


def refund(database: Database, order_id: int, line_id: int, amount: int, quantity: int = 0) -> None:
    """Money back on a line (units given back too for a return), with ``order.refunded``."""
    with database.transaction() as session:
        found = session.get(Order, order_id)
        assert found is not None
        line = next(line for line in found.lines if line.id == line_id)
        line.refunded_amount += amount
        line.refunded_quantity += quantity
        found.refunded_amount += amount
        found.refund_state = refund_state(found.paid_amount, found.refunded_amount).value
        if found.refund_state == RefundState.FULL.value and found.status == "paid":
            found.status = OrderStatus.REFUNDED.value
        session.flush()
        events.publish(session, found, OrderStatus.REFUNDED, extra={"refund_amount": amount})


def fulfil(database: Database, order_id: int, at: datetime | None = None) -> None:
    with database.transaction() as session:
        found = session.get(Order, order_id)
        assert found is not None
        found.status = OrderStatus.COMPLETED.value
        found.closed_at = at or PAID_AT + timedelta(days=3)
        session.flush()
        events.publish(session, found, OrderStatus.COMPLETED)


def settle(database: Database, s: Setup, order_id: int) -> int:
    """What settlement does to an order's live pending entries: on a statement, settled."""
    with database.transaction() as session:
        moved = session.execute(
            update(CommissionEntry)
            .where(
                CommissionEntry.order_id == order_id,
                CommissionEntry.status == EntryStatus.PENDING.value,
            )
            .values(
                status=EntryStatus.SETTLED.value,
                statement_id=s.statement_id,
                settled_at=PAID_AT + timedelta(days=40),
            )
        )
        return int(moved.rowcount)  # type: ignore[attr-defined]


def dispatch(database: Database) -> int:
    """Run every consumer over the events committed so far; no consumer may fail."""
    dispatcher = OutboxDispatcher(registry=consumers.registry())
    settings = Settings(database_url=database.url)
    dispatched = 0
    while seqs := dispatcher.dispatch_once(database, settings):
        dispatched += len(seqs)
    with database.transaction(read_only=True) as session:
        failed = list(session.scalars(select(ConsumerRetry.last_error)))
    assert failed == []
    return dispatched


def replay(database: Database) -> int:
    """Every event dispatched again, as after a relay's restart."""
    with database.transaction() as session:
        session.execute(update(OutboxEvent).values(dispatched_at=None))
    return dispatch(database)


def entries(database: Database, order_id: int | None = None) -> list[CommissionEntry]:
    with database.transaction(read_only=True) as session:
        query = select(CommissionEntry).order_by(CommissionEntry.id)
        if order_id is not None:
            query = query.where(CommissionEntry.order_id == order_id)
        found = list(session.scalars(query))
        session.expunge_all()
        return found


def ledger(database: Database) -> list[tuple[Any, ...]]:
    """The whole ledger as comparable rows."""
    return [
        (e.key, e.amount, e.status, e.reverses_id, e.release_at, e.statement_id, e.base)
        for e in entries(database)
    ]


def live(found: list[CommissionEntry]) -> list[CommissionEntry]:
    return [e for e in found if e.status != EntryStatus.CANCELLED.value]


def line_ids(database: Database, order_id: int) -> list[int]:
    with database.transaction(read_only=True) as session:
        return list(
            session.scalars(
                select(OrderLine.id).where(OrderLine.order_id == order_id).order_by(OrderLine.id)
            )
        )
