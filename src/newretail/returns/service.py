"""Returns and exchanges in any channel, for an order from any channel.

    create    units of a received order come back to any location of its brand: checked
              against the brand's window and the units left, written whole or not at all;
              an exchange also holds the new units at the receiving location
    receive   the location has the goods: a return movement puts them back on its shelf;
              a return refunds each unit's exact share to the original payment (the
              payments' refund path, so ``order.refunded`` follows); an exchange hands
              over the held new units (a sale movement) and moves no money
    cancel    the goods never came: the units may be returned again, held units go back

The rules (window, quantities, the price of an exchange) are in ``returns.rules``. Two
returns of one order are serialised by a guarded UPDATE of the order row taken before the
units are counted, so concurrent requests can never take the same unit back twice.

Who: a consumer returns their own orders (requested, never received by themselves); staff
who take payments at a store receive at the locations they see, for any order of their
brand, so an order bought online comes back in a store and one bought in a store comes
back by parcel to a warehouse.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.orm import Session

from newretail.audit import service as audit_service
from newretail.catalog import errors as catalog_errors
from newretail.catalog import service as catalog_service
from newretail.db import utcnow
from newretail.inventory import service as inventory_service
from newretail.inventory.rules import Line, Purpose
from newretail.inventory.schemas import ReturnCreate as StockReturnCreate
from newretail.kernel import visibility
from newretail.kernel.errors import PermissionDenied
from newretail.kernel.pagination import paginate
from newretail.kernel.scope import Role, Scope
from newretail.orders import access, errors, pricing
from newretail.orders.checkout import new_number
from newretail.orders.models import Order, OrderLine
from newretail.orders.refunds import plan_refund
from newretail.org import errors as org_errors
from newretail.org import service as org_service
from newretail.org.models import Store
from newretail.outbox import service as outbox_service
from newretail.payments import service as payments_service
from newretail.payments.schemas import RefundCreate
from newretail.returns import errors as rerrors
from newretail.returns import rules as rrules
from newretail.returns.models import OrderReturn, ReturnLine, ReturnPolicy
from newretail.returns.rules import ReturnKind, ReturnStatus
from newretail.returns.schemas import ReturnCreate, ReturnPolicyRead, ReturnPolicyUpdate

_NO_SYNC = {"synchronize_session": False}
RETURNABLE = frozenset({"shipped", "completed"})
EXCHANGE_HOLD = timedelta(days=30)

# ---- the brand's window ---------------------------------------------------------------


def window_days(*, session: Session, brand_id: int) -> int:
    row = session.get(ReturnPolicy, brand_id)
    return row.window_days if row else rrules.DEFAULT_WINDOW_DAYS


def get_policy(*, session: Session, scope: Scope, brand_id: int | None) -> ReturnPolicyRead:
    brand = org_service.get_brand(
        session=session, scope=scope, brand_id=scope.target_brand(brand_id)
    )
    return ReturnPolicyRead(
        brand_id=brand.id, window_days=window_days(session=session, brand_id=brand.id)
    )


def put_policy(*, session: Session, scope: Scope, data: ReturnPolicyUpdate) -> ReturnPolicyRead:
    """Brand admins set how many days after purchase goods come back; future returns only."""
    brand_id = scope.target_brand(data.brand_id)
    org_service.get_brand(session=session, scope=scope, brand_id=brand_id)
    scope.require(Role.BRAND_ADMIN)
    row = session.get(ReturnPolicy, brand_id) or ReturnPolicy(brand_id=brand_id)
    row.window_days = data.window_days
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    audit_service.write(
        session=session,
        scope=scope,
        action="return_policy.updated",
        target_type="brand",
        target_id=brand_id,
        brand_id=brand_id,
        details={"window_days": data.window_days},
    )
    return ReturnPolicyRead(brand_id=brand_id, window_days=row.window_days)


# ---- reading --------------------------------------------------------------------------


def _through_order(targets: tuple[visibility.Target, ...]) -> visibility.Link:
    return visibility.via(OrderReturn.order_id, Order.id, targets)


# A return is seen at its receiving location and by whoever sees its order.
RETURNS = visibility.Ladder(
    brand=OrderReturn.brand_id,
    stores=(OrderReturn.receiving_location_id, _through_order(access.ORDERS.stores)),
    guides=(_through_order(access.ORDERS.guides),),
    consumers=(_through_order(access.ORDERS.consumers),),
)
# Staff take back any order of their brand, wherever it was sold.
BRAND_ORDERS = visibility.Ladder(brand=Order.brand_id, brand_staff_see_all=True)


def return_query(*, session: Session, scope: Scope) -> Select[OrderReturn]:
    consumer = (
        access.consumer_id(session=session, scope=scope) if access.is_consumer(scope) else None
    )
    return visibility.restrict(select(OrderReturn), scope, RETURNS, consumer_id=consumer)


def get_return(*, session: Session, scope: Scope, return_id: int) -> OrderReturn:
    found = session.scalar(
        return_query(session=session, scope=scope)
        .where(OrderReturn.id == return_id)
        .execution_options(populate_existing=True)
    )
    if found is None:
        raise rerrors.ReturnNotFound()
    return found


def list_returns(
    *,
    session: Session,
    scope: Scope,
    cursor: str | None,
    limit: int,
    order_id: int | None = None,
    location_id: int | None = None,
    status: str | None = None,
) -> tuple[list[OrderReturn], str | None]:
    """Returns the caller sees, oldest first."""
    query = return_query(session=session, scope=scope)
    if order_id is not None:
        query = query.where(OrderReturn.order_id == order_id)
    if location_id is not None:
        query = query.where(OrderReturn.receiving_location_id == location_id)
    if status is not None:
        query = query.where(OrderReturn.status == status)
    return paginate(
        session=session, query=query, id_column=OrderReturn.id, cursor=cursor, limit=limit
    )


def member_returns(
    *, session: Session, scope: Scope, member_id: int, before: datetime | None, limit: int
) -> list[tuple[OrderReturn, str, str]]:
    """Returns and exchanges of a member's orders the caller sees, newest first, made before
    ``before``, each with its order's number and currency."""
    query = (
        return_query(session=session, scope=scope)
        .join(Order, Order.id == OrderReturn.order_id)
        .where(Order.member_id == member_id)
        .add_columns(Order.number, Order.currency)
    )
    if before is not None:
        query = query.where(OrderReturn.created_at < before)
    rows = session.execute(
        query.order_by(OrderReturn.created_at.desc(), OrderReturn.id.desc()).limit(limit)
    )
    return [(row[0], row[1], row[2]) for row in rows]


# ---- creating -------------------------------------------------------------------------


def _order(session: Session, scope: Scope, order_id: int) -> Order:
    """The order to take back: a consumer's own, or any of the staff member's brand."""
    if access.is_consumer(scope):
        return access.get_order(session=session, scope=scope, order_id=order_id)
    access.require_staff(scope, *access.CASHIERS)
    query = visibility.restrict(select(Order).where(Order.id == order_id), scope, BRAND_ORDERS)
    order = session.scalar(query.execution_options(populate_existing=True))
    if order is None:
        raise errors.OrderNotFound()
    return order


def order_by_number(*, session: Session, scope: Scope, number: str) -> Order:
    """An order of the caller's brand, from any channel, by its number: what a till takes
    back (a consumer's receipt or order page shows the number)."""
    access.require_staff(scope, *access.CASHIERS)
    query = visibility.restrict(select(Order).where(Order.number == number), scope, BRAND_ORDERS)
    order = session.scalar(query)
    if order is None:
        raise errors.OrderNotFound()
    return order


def _receiving(session: Session, scope: Scope, order: Order, location_id: int) -> Store:
    location = org_service.get_store(
        session=session, scope=access.system_for(order.brand_id), store_id=location_id
    )
    if not access.is_consumer(scope) and not scope.sees_store(order.brand_id, location.id):
        raise org_errors.StoreNotFound()
    return location


def _lock(session: Session, order_id: int, now: datetime) -> None:
    """Serialise returns of one order (a row lock on PostgreSQL, the write lock on SQLite)."""
    session.execute(
        update(Order).where(Order.id == order_id).values(updated_at=now),
        execution_options=_NO_SYNC,
    )


def _tallies(session: Session, order: Order) -> dict[int, rrules.LineTally]:
    # Units of received returns are already in refunded_quantity; exchanges never are.
    pending = or_(
        OrderReturn.status == ReturnStatus.REQUESTED.value,
        (OrderReturn.status == ReturnStatus.RECEIVED.value)
        & (OrderReturn.kind == ReturnKind.EXCHANGE.value),
    )
    rows = session.execute(
        select(ReturnLine.order_line_id, func.sum(ReturnLine.quantity))
        .join(OrderReturn, OrderReturn.id == ReturnLine.return_id)
        .where(OrderReturn.order_id == order.id, pending)
        .group_by(ReturnLine.order_line_id)
    )
    held = {int(line_id): int(units) for line_id, units in rows}
    fresh = session.execute(
        select(OrderLine.id, OrderLine.quantity, OrderLine.refunded_quantity).where(
            OrderLine.order_id == order.id
        )
    )
    return {
        line_id: rrules.LineTally(quantity, refunded, held.get(line_id, 0))
        for line_id, quantity, refunded in fresh
    }


def _check_returnable(session: Session, order: Order, now: datetime) -> None:
    if order.status not in RETURNABLE:
        raise rerrors.OrderNotReturnable(f"The order is {order.status}.")
    got_at = order.closed_at or order.paid_at
    days = window_days(session=session, brand_id=order.brand_id)
    if got_at is None or not rrules.within_window(got_at, days, now):
        raise rerrors.ReturnWindowClosed(
            f"Goods of this brand come back within {days} days of purchase."
        )


def _exchange_sku(session: Session, order: Order, line: OrderLine, sku_id: int, n: int) -> None:
    """The new SKU: another of the same product, sold at the returned unit's price."""
    system = access.system_for(order.brand_id)
    try:
        old = catalog_service.get_sku(session=session, scope=system, sku_id=line.sku_id)
        new = catalog_service.get_sku(session=session, scope=system, sku_id=sku_id)
    except catalog_errors.SkuNotFound as exc:
        raise rerrors.InvalidExchangeSku() from exc
    if new.id == old.id or new.product_id != old.product_id:
        raise rerrors.InvalidExchangeSku()
    priced = pricing.price_lines(
        session=session,
        brand_id=order.brand_id,
        store_id=order.store_id,
        channel=order.channel,
        lines=[(sku_id, n)],
    )[0]
    if not priced.sellable or priced.unit_price != line.unit_price:
        raise rerrors.ExchangePriceDiffers(
            f"SKU {sku_id} sells at {priced.unit_price}, the returned unit at {line.unit_price}."
        )


def _lines(session: Session, order: Order, data: ReturnCreate) -> list[ReturnLine]:
    by_id = {line.id: line for line in order.lines}
    if len({line.order_line_id for line in data.lines}) != len(data.lines):
        raise rerrors.InvalidReturn("Each order line may appear once per return.")
    made = []
    for asked in data.lines:
        line = by_id.get(asked.order_line_id)
        if line is None:
            raise rerrors.InvalidReturn(f"Order line {asked.order_line_id} is not on this order.")
        if asked.exchange_sku_id is not None:
            _exchange_sku(session, order, line, asked.exchange_sku_id, asked.quantity)
        made.append(
            ReturnLine(
                order_line_id=line.id,
                sku_id=line.sku_id,
                quantity=asked.quantity,
                exchange_sku_id=asked.exchange_sku_id,
                amount=0,
            )
        )
    return made


def create_return(*, session: Session, scope: Scope, data: ReturnCreate) -> OrderReturn:
    """Announce (or, at the counter, take in at once) units of an order coming back."""
    if data.received and access.is_consumer(scope):
        raise PermissionDenied("The receiving location's staff receive the goods.")
    order = _order(session, scope, data.order_id)
    location = _receiving(session, scope, order, data.receiving_location_id)
    now = utcnow()
    _lock(session, order.id, now)
    _check_returnable(session, order, now)
    lines = _lines(session, order, data)
    over = rrules.over_returned(
        _tallies(session, order), [(line.order_line_id, line.quantity) for line in lines]
    )
    if over is not None:
        raise rerrors.ReturnQuantityExceeded(f"Line {over} has fewer units left to return.")
    record = OrderReturn(
        brand_id=order.brand_id,
        number=f"R{new_number(now)}",
        order_id=order.id,
        kind=data.kind,
        status=ReturnStatus.REQUESTED.value,
        receiving_location_id=location.id,
        reason=data.reason,
        refund_amount=0,
        created_by_type=scope.actor_type,
        created_by_id=scope.actor_id,
        created_at=now,
        lines=lines,
    )
    session.add(record)
    session.flush()
    if data.kind == ReturnKind.EXCHANGE.value:
        _hold_new_units(session, record)
    kind = "exchange.created" if data.kind == ReturnKind.EXCHANGE.value else "return.created"
    publish(session, record, kind)
    if data.received:
        return receive(session=session, scope=scope, return_id=record.id)
    return record


def _hold_new_units(session: Session, record: OrderReturn) -> None:
    units: dict[int, int] = {}
    for line in record.lines:
        assert line.exchange_sku_id is not None
        units[line.exchange_sku_id] = units.get(line.exchange_sku_id, 0) + line.quantity
    reservation, _ = inventory_service.reserve(
        session=session,
        scope=access.system_for(record.brand_id),
        purpose=Purpose.ORDER,
        reference_id=record.number,
        lines=[Line(record.receiving_location_id, sku, n) for sku, n in sorted(units.items())],
        ttl_seconds=int(EXCHANGE_HOLD.total_seconds()),
    )
    record.reservation_id = reservation.id
    session.flush()


# ---- receiving and cancelling ---------------------------------------------------------


def _staff_at(session: Session, scope: Scope, return_id: int) -> OrderReturn:
    record = get_return(session=session, scope=scope, return_id=return_id)
    access.require_staff(scope, *access.CASHIERS)
    if not scope.sees_store(record.brand_id, record.receiving_location_id):
        raise rerrors.ReturnNotFound()
    return record


def _close(session: Session, record: OrderReturn, target: ReturnStatus, **values: object) -> None:
    moved = session.execute(
        update(OrderReturn)
        .where(OrderReturn.id == record.id, OrderReturn.status == ReturnStatus.REQUESTED.value)
        .values(status=target.value, **values)
        .returning(OrderReturn.id),
        execution_options=_NO_SYNC,
    ).first()
    if moved is None:
        raise rerrors.ReturnNotOpen(f"The return is {record.status}.")


def receive(*, session: Session, scope: Scope, return_id: int) -> OrderReturn:
    """The receiving location has the goods: stock back, then money back or the swap."""
    record = _staff_at(session, scope, return_id)
    now = utcnow()
    _close(session, record, ReturnStatus.RECEIVED, received_at=now, received_by_id=scope.actor_id)
    _restock(session, record)
    if record.kind == ReturnKind.EXCHANGE.value:
        _hand_over_new_units(session, record)
    else:
        _refund(session, record)
    session.refresh(record)
    publish(session, record, "return.received")
    return record


def _restock(session: Session, record: OrderReturn) -> None:
    units: dict[int, int] = {}
    for line in record.lines:
        units[line.sku_id] = units.get(line.sku_id, 0) + line.quantity
    data = StockReturnCreate.model_validate(
        {
            "kind": "return",
            "location_id": record.receiving_location_id,
            "lines": [{"sku_id": sku, "quantity": n} for sku, n in sorted(units.items())],
            "reference_type": "return",
            "reference_id": record.number,
            "note": f"{record.kind} of order {record.order_id}",
        }
    )
    inventory_service.record_movements(
        session=session, scope=access.system_for(record.brand_id), data=data
    )


def _refund(session: Session, record: OrderReturn) -> None:
    """Each unit's share of its line, to the original payment, through the refund path.

    Units whose share went back already (an amount refund took their lines' money) are
    received all the same, with nothing refunded: the goods are back on the shelf and the
    buyer has been paid, so the return closes at 0 rather than refusing the receipt."""
    order = session.get(Order, record.order_id)
    assert order is not None
    units = [(line.order_line_id, line.quantity) for line in record.lines]
    if not sum(p.amount for p in plan_refund(order=order, amount=None, units=units)):
        for line in record.lines:
            line.amount = 0
        record.refund_amount = 0
        session.flush()
        return
    refund = payments_service.refund(
        session=session,
        scope=access.system_for(record.brand_id),
        order_id=record.order_id,
        data=RefundCreate.model_validate(
            {
                "lines": [
                    {"order_line_id": line.order_line_id, "quantity": line.quantity}
                    for line in record.lines
                ],
                "reason": f"return {record.number}"[:200],
            }
        ),
    )
    shares = {line.order_line_id: line.amount for line in refund.lines}
    for line in record.lines:
        line.amount = shares.get(line.order_line_id, 0)
    record.refund_id = refund.id
    record.refund_amount = refund.amount
    session.flush()


def _hand_over_new_units(session: Session, record: OrderReturn) -> None:
    assert record.reservation_id is not None
    inventory_service.commit_reservation(
        session=session,
        scope=access.system_for(record.brand_id),
        reservation_id=record.reservation_id,
    )


def cancel(*, session: Session, scope: Scope, return_id: int) -> OrderReturn:
    """The goods never came (or the buyer changed their mind): nothing moves, units free."""
    record = get_return(session=session, scope=scope, return_id=return_id)
    if not access.is_consumer(scope):
        record = _staff_at(session, scope, return_id)
    now = utcnow()
    _close(session, record, ReturnStatus.CANCELLED, cancelled_at=now)
    if record.reservation_id is not None:
        inventory_service.release_reservation(
            session=session,
            scope=access.system_for(record.brand_id),
            reservation_id=record.reservation_id,
        )
    session.refresh(record)
    publish(session, record, "return.cancelled")
    return record


def publish(session: Session, record: OrderReturn, type: str) -> None:
    outbox_service.record(
        session=session,
        brand_id=record.brand_id,
        type=type,
        resource_type="return",
        resource_id=record.id,
        payload=return_payload(record),
    )


def return_payload(record: OrderReturn) -> dict[str, object]:
    return {
        "id": record.id,
        "number": record.number,
        "order_id": record.order_id,
        "kind": record.kind,
        "status": record.status,
        "receiving_location_id": record.receiving_location_id,
        "refund_id": record.refund_id,
        "refund_amount": record.refund_amount,
        "lines": [
            {
                "order_line_id": line.order_line_id,
                "sku_id": line.sku_id,
                "quantity": line.quantity,
                "exchange_sku_id": line.exchange_sku_id,
                "amount": line.amount,
            }
            for line in record.lines
        ],
    }


__all__: Sequence[str] = [
    "cancel",
    "create_return",
    "get_policy",
    "get_return",
    "list_returns",
    "order_by_number",
    "put_policy",
    "receive",
    "return_query",
    "window_days",
]
