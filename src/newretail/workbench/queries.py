"""Read-only figures the workbench measures against: sign-ups bound to guides, sales and new
members credited to stores and guides, the region tree, and orders that follow a share.

What counts (the same rules as the dashboards in ``orders/queries.py``):

- A sale is an order paid in the period, net of refunds so far (``total - refunded_amount``).
- A till sale counts for its store; an order in any other channel counts for the member's
  bound store when the order carries one (a member's online purchase is their store's).
- A sale counts for the guide who referred it (a share link), else for the member's guide.
- A new member is a membership that joined in the period: for the store they joined at, and
  for the guide they are bound to.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from newretail.catalog.models import Sku
from newretail.members.models import MemberBinding, Membership
from newretail.orders.models import Order, OrderLine
from newretail.org.models import Region, Store
from newretail.workbench import rules

_NET = Order.total - Order.refunded_amount
_STORE: ColumnElement[int] = case(
    (Order.channel.in_(sorted(rules.IN_STORE_CHANNELS)), Order.store_id),
    else_=func.coalesce(Order.bound_store_id, Order.store_id),
)
_GUIDE: ColumnElement[int | None] = func.coalesce(Order.referring_guide_id, Order.bound_guide_id)


def _paid(brand_id: int, start: datetime, end: datetime) -> list[ColumnElement[bool]]:
    return [Order.brand_id == brand_id, Order.paid_at >= start, Order.paid_at < end]


def signups_by_guide(
    *, session: Session, brand_id: int, guide_ids: Sequence[int], start: datetime, end: datetime
) -> dict[int, int]:
    """Memberships joined in [start, end) and bound to each of ``guide_ids``."""
    if not guide_ids:
        return {}
    rows = session.execute(
        select(MemberBinding.guide_id, func.count())
        .join(Membership, Membership.id == MemberBinding.membership_id)
        .where(
            MemberBinding.brand_id == brand_id,
            MemberBinding.guide_id.in_(sorted(set(guide_ids))),
            Membership.joined_at >= start,
            Membership.joined_at < end,
        )
        .group_by(MemberBinding.guide_id)
    )
    return {int(guide): int(n) for guide, n in rows if guide is not None}


def store_sales(
    *, session: Session, brand_id: int, store_ids: Iterable[int], start: datetime, end: datetime
) -> dict[int, int]:
    wanted = sorted(set(store_ids))
    if not wanted:
        return {}
    rows = session.execute(
        select(_STORE, func.sum(_NET))
        .where(*_paid(brand_id, start, end), _STORE.in_(wanted))
        .group_by(_STORE)
    )
    return {int(store): int(total or 0) for store, total in rows}


def guide_sales(
    *, session: Session, brand_id: int, guide_ids: Iterable[int], start: datetime, end: datetime
) -> dict[int, int]:
    wanted = sorted(set(guide_ids))
    if not wanted:
        return {}
    rows = session.execute(
        select(_GUIDE, func.sum(_NET))
        .where(*_paid(brand_id, start, end), _GUIDE.in_(wanted))
        .group_by(_GUIDE)
    )
    return {int(guide): int(total or 0) for guide, total in rows if guide is not None}


def store_signups(
    *, session: Session, brand_id: int, store_ids: Iterable[int], start: datetime, end: datetime
) -> dict[int, int]:
    wanted = sorted(set(store_ids))
    if not wanted:
        return {}
    rows = session.execute(
        select(Membership.join_store_id, func.count())
        .where(
            Membership.brand_id == brand_id,
            Membership.join_store_id.in_(wanted),
            Membership.joined_at >= start,
            Membership.joined_at < end,
        )
        .group_by(Membership.join_store_id)
    )
    return {int(store): int(n) for store, n in rows if store is not None}


def regions(*, session: Session, brand_id: int) -> list[tuple[int, int | None, str]]:
    """Every region of the brand: id, parent, name."""
    rows = session.execute(
        select(Region.id, Region.parent_id, Region.name)
        .where(Region.brand_id == brand_id)
        .order_by(Region.id)
    )
    return [(int(r), p, str(n)) for r, p, n in rows]


def stores(*, session: Session, store_ids: Iterable[int]) -> dict[int, tuple[str, int, str, int]]:
    """Name, region, time zone and brand of each store."""
    wanted = sorted(set(store_ids))
    if not wanted:
        return {}
    rows = session.execute(
        select(Store.id, Store.name, Store.region_id, Store.timezone, Store.brand_id).where(
            Store.id.in_(wanted)
        )
    )
    return {int(i): (str(n), int(r), str(tz), int(b)) for i, n, r, tz, b in rows}


def referred_orders(
    *,
    session: Session,
    brand_id: int,
    guide_id: int,
    since: datetime,
    product_id: int | None,
) -> list[tuple[int, datetime, int]]:
    """Paid orders the guide referred since ``since`` (with ``product_id`` among their lines
    when given): id, paid at, net amount."""
    query = select(Order.id, Order.paid_at, _NET).where(
        Order.brand_id == brand_id,
        Order.referring_guide_id == guide_id,
        Order.paid_at >= since,
    )
    if product_id is not None:
        query = query.where(
            Order.id.in_(
                select(OrderLine.order_id)
                .join(Sku, Sku.id == OrderLine.sku_id)
                .where(OrderLine.brand_id == brand_id, Sku.product_id == product_id)
            )
        )
    rows = session.execute(query.order_by(Order.id))
    return [(int(i), at, int(net)) for i, at, net in rows if at is not None]
