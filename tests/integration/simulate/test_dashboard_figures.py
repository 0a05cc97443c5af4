"""The dashboards' figures over the demo world equal sums taken straight from its tables, for
HQ, a region and a store, and never include another brand's or another store's orders."""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from newretail.auth import service as auth_service
from newretail.auth.models import Staff
from newretail.catalog.models import Sku
from newretail.db import Database, utcnow
from newretail.kernel.errors import NotFound, PermissionDenied
from newretail.kernel.reporting import day_bounds
from newretail.kernel.scope import Role, Scope
from newretail.members import queries as member_queries
from newretail.members.models import Membership
from newretail.orders import queries
from newretail.orders.models import Fulfilment, Order, OrderLine
from newretail.paylater import queries as paylater_queries
from newretail.paylater.models import DeferredCharge
from newretail.simulate.world import World

TZ = "Asia/Shanghai"
READER_ROLES = [Role.BRAND_ADMIN, Role.REGION_MANAGER, Role.STORE_MANAGER]


def scope_of(session: Session, world: World, role: Role, brand: str = "YUEDONG") -> Scope:
    record = world.brands[brand].staff_with_role(role)[0]
    staff = session.get(Staff, record.id)
    assert staff is not None
    return auth_service.scope_for_staff(session=session, staff=staff)


@dataclass(frozen=True)
class Sold:
    """An order as read straight from its table, kept after the transaction ends."""

    id: int
    brand_id: int
    channel: str
    store_id: int
    paid_at: datetime | None
    net: int
    counted: bool
    guide: int | None


def every_order(session: Session) -> list[Sold]:
    return [
        Sold(
            o.id,
            o.brand_id,
            o.channel,
            o.store_id,
            o.paid_at,
            o.total - o.refunded_amount,
            o.refund_state != "full",
            o.referring_guide_id or o.bound_guide_id,
        )
        for o in session.scalars(select(Order))
    ]


def paid_orders(
    session: Session, brand_id: int, scope: Scope, start: datetime, end: datetime
) -> list[Sold]:
    """The orders a scope's figures cover, filtered here in Python rather than in SQL."""
    stores = None if scope.is_brand_wide else scope.store_ids
    return [
        o
        for o in every_order(session)
        if o.brand_id == brand_id
        and o.paid_at is not None
        and start <= o.paid_at < end
        and (stores is None or o.store_id in stores)
    ]


def net(orders: list[Sold]) -> int:
    return sum(o.net for o in orders)


def counted(orders: list[Sold]) -> int:
    return sum(1 for o in orders if o.counted)


@pytest.mark.parametrize("role", READER_ROLES)
def test_daily_sales_equal_the_orders_paid_each_day(
    world: World, world_database: Database, role: Role
) -> None:
    bounds = day_bounds(utcnow(), TZ, 30)
    brand_id = world.brands["YUEDONG"].id
    with world_database.transaction(read_only=True) as session:
        scope = scope_of(session, world, role)
        buckets = queries.sales_by_interval(
            session=session, scope=scope, brand_id=brand_id, bounds=bounds
        )
        expected = [
            queries.Bucket(net(day), counted(day))
            for day in (
                paid_orders(session, brand_id, scope, start, end) for start, end in pairwise(bounds)
            )
        ]

    assert buckets == expected
    assert sum(bucket.orders for bucket in buckets) > 0


@pytest.mark.parametrize("role", READER_ROLES)
def test_channel_and_store_shares_add_up_to_the_period_s_orders(
    world: World, world_database: Database, role: Role
) -> None:
    bounds = day_bounds(utcnow(), TZ, 30)
    brand_id = world.brands["YUEDONG"].id
    with world_database.transaction(read_only=True) as session:
        scope = scope_of(session, world, role)
        period = {"session": session, "scope": scope, "brand_id": brand_id}
        channels = queries.sales_by_channel(**period, start=bounds[0], end=bounds[-1])
        stores = queries.sales_by_store(**period, start=bounds[0], end=bounds[-1])
        orders = paid_orders(session, brand_id, scope, bounds[0], bounds[-1])
    by_channel: dict[str, int] = defaultdict(int)
    by_store: dict[str, int] = defaultdict(int)
    for order in orders:
        by_channel[order.channel] += order.net
        by_store[str(order.store_id)] += order.net

    assert {share.key: share.sales for share in channels} == by_channel
    assert {share.key: share.sales for share in stores} == by_store
    assert [s.sales for s in channels] == sorted((s.sales for s in channels), reverse=True)


def test_a_region_sees_a_part_of_the_brand_and_a_store_a_part_of_the_region(
    world: World, world_database: Database
) -> None:
    bounds = day_bounds(utcnow(), TZ, 30)
    brand_id = world.brands["YUEDONG"].id
    totals = {}
    with world_database.transaction(read_only=True) as session:
        for role in READER_ROLES:
            scope = scope_of(session, world, role)
            stores = queries.sales_by_store(
                session=session, scope=scope, brand_id=brand_id, start=bounds[0], end=bounds[-1]
            )
            totals[role] = {share.key for share in stores}

    assert totals[Role.STORE_MANAGER] < totals[Role.BRAND_ADMIN]
    assert totals[Role.STORE_MANAGER] <= totals[Role.REGION_MANAGER] <= totals[Role.BRAND_ADMIN]


def test_top_guides_are_credited_by_referral_else_by_binding(
    world: World, world_database: Database
) -> None:
    bounds = day_bounds(utcnow(), TZ, 30)
    brand_id = world.brands["YUEDONG"].id
    with world_database.transaction(read_only=True) as session:
        scope = scope_of(session, world, Role.BRAND_ADMIN)
        guides = queries.top_guides(
            session=session, scope=scope, brand_id=brand_id, start=bounds[0], end=bounds[-1]
        )
        orders = paid_orders(session, brand_id, scope, bounds[0], bounds[-1])
    credited: Counter[str] = Counter()
    for order in orders:
        if order.guide is not None:
            credited[str(order.guide)] += order.net
    expected = sorted(credited.items(), key=lambda item: (-item[1], int(item[0])))[:10]

    assert [(share.key, share.sales) for share in guides] == expected
    assert guides


def test_top_products_sum_their_lines_net_of_refunds(
    world: World, world_database: Database
) -> None:
    bounds = day_bounds(utcnow(), TZ, 7)
    brand_id = world.brands["HUAJIAN"].id
    with world_database.transaction(read_only=True) as session:
        scope = scope_of(session, world, Role.BRAND_ADMIN, "HUAJIAN")
        products = queries.top_products(
            session=session, scope=scope, brand_id=brand_id, start=bounds[0], end=bounds[-1]
        )
        order_ids = {o.id for o in paid_orders(session, brand_id, scope, bounds[0], bounds[-1])}
        lines = session.execute(
            select(
                OrderLine.order_id,
                Sku.product_id,
                OrderLine.total - OrderLine.refunded_amount,
                OrderLine.quantity - OrderLine.refunded_quantity,
            ).join(Sku, Sku.id == OrderLine.sku_id)
        ).all()
    sales: Counter[str] = Counter()
    units: Counter[str] = Counter()
    for order_id, product_id, line_net, line_units in lines:
        if order_id in order_ids:
            sales[str(product_id)] += line_net
            units[str(product_id)] += line_units
    expected = sorted(sales.items(), key=lambda item: (-item[1], int(item[0])))[:10]

    assert [(p.key, p.sales) for p in products] == expected
    assert [p.orders for p in products] == [units[p.key] for p in products]


@pytest.mark.parametrize("role", READER_ROLES)
def test_new_members_pickups_and_overdue_charges_follow_the_scope(
    world: World, world_database: Database, role: Role
) -> None:
    now = utcnow()
    bounds = day_bounds(now, TZ, 30)
    brand_id = world.brands["YUEDONG"].id
    with world_database.transaction(read_only=True) as session:
        scope = scope_of(session, world, role)
        mine = {"session": session, "scope": scope, "brand_id": brand_id}
        joined = member_queries.new_members_by_interval(**mine, bounds=bounds)
        waiting = queries.pickups_waiting(**mine)
        overdue = paylater_queries.overdue_charges(**mine, now=now)
        stores = None if scope.is_brand_wide else scope.store_ids
        members = session.execute(
            select(Membership.joined_at, Membership.join_store_id).where(
                Membership.brand_id == brand_id
            )
        ).all()
        fulfilments = session.execute(
            select(Fulfilment.kind, Fulfilment.status, Fulfilment.location_id).where(
                Fulfilment.brand_id == brand_id
            )
        ).all()
        charges = session.execute(
            select(
                DeferredCharge.status,
                DeferredCharge.due_at,
                DeferredCharge.store_id,
                DeferredCharge.amount,
            ).where(DeferredCharge.brand_id == brand_id)
        ).all()
    ready = [
        f
        for f in fulfilments
        if f.kind == "pickup"
        and f.status == "ready"
        and (stores is None or f.location_id in stores)
    ]
    late = [
        c
        for c in charges
        if c.status != "paid" and c.due_at < now and (stores is None or c.store_id in stores)
    ]
    expected_joined = [
        sum(
            1
            for m in members
            if start <= m.joined_at < end and (stores is None or m.join_store_id in stores)
        )
        for start, end in pairwise(bounds)
    ]

    assert joined == expected_joined
    assert waiting == len(ready)
    assert overdue == paylater_queries.Overdue(len(late), sum(c.amount for c in late))


def test_the_brand_admin_s_figures_hold_the_whole_brand_and_nothing_else(
    world: World, world_database: Database
) -> None:
    bounds = day_bounds(utcnow(), TZ, 30)
    brand_id = world.brands["YUEDONG"].id
    with world_database.transaction(read_only=True) as session:
        scope = scope_of(session, world, Role.BRAND_ADMIN)
        buckets = queries.sales_by_interval(
            session=session, scope=scope, brand_id=brand_id, bounds=bounds
        )
        everything = every_order(session)
    ours = [o for o in everything if o.paid_at and bounds[0] <= o.paid_at < bounds[-1]]

    assert sum(b.sales for b in buckets) == net([o for o in ours if o.brand_id == brand_id])
    assert sum(b.sales for b in buckets) < net(ours)


def test_another_brand_s_figures_do_not_exist_for_a_brand_admin(
    world: World, world_database: Database
) -> None:
    bounds = day_bounds(utcnow(), TZ, 1)
    with world_database.transaction(read_only=True) as session:
        scope = scope_of(session, world, Role.BRAND_ADMIN)
        with pytest.raises(NotFound):
            queries.sales_by_interval(
                session=session, scope=scope, brand_id=world.brands["HUAJIAN"].id, bounds=bounds
            )


@pytest.mark.parametrize("role", [Role.GUIDE, Role.CASHIER])
def test_guides_and_cashiers_read_no_reports(
    world: World, world_database: Database, role: Role
) -> None:
    bounds = day_bounds(utcnow(), TZ, 1)
    with world_database.transaction(read_only=True) as session:
        scope = scope_of(session, world, role)
        with pytest.raises(PermissionDenied):
            queries.sales_by_interval(
                session=session, scope=scope, brand_id=world.brands["YUEDONG"].id, bounds=bounds
            )
