"""Read-only sales figures for the dashboards, scoped like every report (kernel/reporting).

What counts:

- A sale is an order paid within the period (``paid_at``), of any kind (pre-sale deposits
  and balances too), at the store that sold it (``store_id``).
- ``sales`` is what those orders brought in net of refunds so far: ``total - refunded_amount``.
- ``orders`` counts them, except orders refunded in full.
- A guide is credited with an order they referred (a share link), else with an order of a
  member bound to them.

Each function runs one query; buckets are summed with CASE expressions over the interval
bounds, so days follow the brand's time zone on SQLite and PostgreSQL alike.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, select
from sqlalchemy.orm import Session

from newretail.auth.models import Staff
from newretail.catalog.models import Product, Sku
from newretail.kernel.reporting import covered_stores
from newretail.kernel.scope import Scope
from newretail.orders.models import Fulfilment, Order, OrderLine, OrderLineDiscount
from newretail.orders.rules import FulfilmentKind, FulfilmentStatus, RefundState
from newretail.org.models import Store

TOP = 10


@dataclass(frozen=True)
class Bucket:
    sales: int
    orders: int


@dataclass(frozen=True)
class Share:
    """One slice of a period's sales: a channel, a store, a guide or a product."""

    key: str
    label: str
    sales: int
    orders: int  # for products: units sold


_NET = Order.total - Order.refunded_amount
_COUNTED = Order.refund_state != RefundState.FULL.value


def _paid_between(
    scope: Scope, brand_id: int, start: datetime, end: datetime
) -> list[ColumnElement[bool]]:
    stores = covered_stores(scope, brand_id)
    where = [Order.brand_id == brand_id, Order.paid_at >= start, Order.paid_at < end]
    if stores is not None:
        where.append(Order.store_id.in_(stores))
    return where


def sales_by_interval(
    *, session: Session, scope: Scope, brand_id: int, bounds: Sequence[datetime]
) -> list[Bucket]:
    """Sales and orders in each interval ``[bounds[i], bounds[i+1])``."""
    intervals = list(pairwise(bounds))
    columns = []
    for start, end in intervals:
        inside = and_(Order.paid_at >= start, Order.paid_at < end)
        columns.append(func.coalesce(func.sum(case((inside, _NET), else_=0)), 0))
        columns.append(func.coalesce(func.sum(case((and_(inside, _COUNTED), 1), else_=0)), 0))
    where = _paid_between(scope, brand_id, bounds[0], bounds[-1])
    row = session.execute(select(*columns).where(*where)).one()
    return [Bucket(int(row[2 * i]), int(row[2 * i + 1])) for i in range(len(intervals))]


def _shares(session: Session, query: Select[Any, str, int, int]) -> list[Share]:
    rows = session.execute(query).all()
    return [Share(str(key), label, int(sales), int(count)) for key, label, sales, count in rows]


def _sums() -> tuple[ColumnElement[int], ColumnElement[int]]:
    sales = func.coalesce(func.sum(_NET), 0)
    return sales, func.coalesce(func.sum(case((_COUNTED, 1), else_=0)), 0)


def sales_by_channel(
    *, session: Session, scope: Scope, brand_id: int, start: datetime, end: datetime
) -> list[Share]:
    """Each channel's sales in the period, the largest first."""
    sales, count = _sums()
    query = (
        select(Order.channel, Order.channel, sales, count)
        .where(*_paid_between(scope, brand_id, start, end))
        .group_by(Order.channel)
        .order_by(sales.desc(), Order.channel)
    )
    return _shares(session, query)


def sales_by_store(
    *, session: Session, scope: Scope, brand_id: int, start: datetime, end: datetime
) -> list[Share]:
    """Each selling store's sales in the period, the largest first."""
    sales, count = _sums()
    query = (
        select(Store.id, Store.name, sales, count)
        .join(Store, Store.id == Order.store_id)
        .where(*_paid_between(scope, brand_id, start, end))
        .group_by(Store.id, Store.name)
        .order_by(sales.desc(), Store.id)
    )
    return _shares(session, query)


def top_guides(
    *,
    session: Session,
    scope: Scope,
    brand_id: int,
    start: datetime,
    end: datetime,
    limit: int = TOP,
) -> list[Share]:
    """The guides credited with the most sales in the period."""
    guide = func.coalesce(Order.referring_guide_id, Order.bound_guide_id)
    sales, count = _sums()
    query = (
        select(Staff.id, Staff.display_name, sales, count)
        .join(Staff, Staff.id == guide)
        .where(*_paid_between(scope, brand_id, start, end))
        .group_by(Staff.id, Staff.display_name)
        .order_by(sales.desc(), Staff.id)
        .limit(limit)
    )
    return _shares(session, query)


def top_products(
    *,
    session: Session,
    scope: Scope,
    brand_id: int,
    start: datetime,
    end: datetime,
    limit: int = TOP,
) -> list[Share]:
    """The products that sold for the most in the period (``orders`` holds the units)."""
    sales = func.coalesce(func.sum(OrderLine.total - OrderLine.refunded_amount), 0)
    units = func.coalesce(func.sum(OrderLine.quantity - OrderLine.refunded_quantity), 0)
    query = (
        select(Product.id, Product.title, sales, units)
        .select_from(OrderLine)
        .join(Order, Order.id == OrderLine.order_id)
        .join(Sku, Sku.id == OrderLine.sku_id)
        .join(Product, Product.id == Sku.product_id)
        .where(*_paid_between(scope, brand_id, start, end))
        .group_by(Product.id, Product.title)
        .order_by(sales.desc(), Product.id)
        .limit(limit)
    )
    return _shares(session, query)


def pickups_waiting(*, session: Session, scope: Scope, brand_id: int) -> int:
    """Pickups ready at a counter of the caller's stores, waiting for their buyers."""
    stores = covered_stores(scope, brand_id)
    query = select(func.count()).where(
        Fulfilment.brand_id == brand_id,
        Fulfilment.kind == FulfilmentKind.PICKUP.value,
        Fulfilment.status == FulfilmentStatus.READY.value,
    )
    if stores is not None:
        query = query.where(Fulfilment.location_id.in_(stores))
    return int(session.scalar(query) or 0)


@dataclass(frozen=True)
class DiscountShare:
    """What one kind of discount (promotion, coupon, staff) took off the orders a store sold
    in the period, and who pays for it."""

    store_id: int
    source: str
    funder: str
    amount: int
    orders: int


def discounts_by_funder(
    *, session: Session, scope: Scope, brand_id: int, start: datetime, end: datetime
) -> list[DiscountShare]:
    """Discounts of the orders paid in the period, by store, source and funder."""
    amount = func.sum(OrderLineDiscount.amount)
    query = (
        select(
            Order.store_id,
            OrderLineDiscount.source,
            OrderLineDiscount.funder,
            amount,
            func.count(func.distinct(Order.id)),
        )
        .join(Order, Order.id == OrderLineDiscount.order_id)
        .where(*_paid_between(scope, brand_id, start, end))
        .group_by(Order.store_id, OrderLineDiscount.source, OrderLineDiscount.funder)
        .order_by(Order.store_id, amount.desc(), OrderLineDiscount.source)
    )
    return [
        DiscountShare(int(store), source, funder, int(total), int(orders))
        for store, source, funder, total, orders in session.execute(query)
    ]
