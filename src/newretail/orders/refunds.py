"""Refunded amounts on an order and its lines: planned by the rules, applied by guarded UPDATEs.

A refund names either units of lines (each unit's exact share of its line total) or an
amount (spread over the lines by what each has left). Each line's and the order's refunded
amount only grow by an UPDATE that checks the ceiling (``refunded + x <= total/paid``), so
concurrent refunds can never give back more than was paid. A full refund before anything
left a location ends the order as ``refunded`` and puts its units back on the shelf.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from newretail.inventory import service as inventory_service
from newretail.inventory.schemas import ReturnCreate
from newretail.orders import access, errors, events, lifecycle, rules
from newretail.orders.models import Fulfilment, Order, OrderLine
from newretail.orders.rules import FulfilmentStatus, OrderStatus, RefundableLine

_NO_SYNC = {"synchronize_session": False}


@dataclass(frozen=True, slots=True)
class RefundLinePlan:
    order_line_id: int
    quantity: int
    amount: int


def _refundable(line: OrderLine) -> RefundableLine:
    return RefundableLine(
        line.id, line.quantity, line.total, line.refunded_quantity, line.refunded_amount
    )


def plan_refund(
    *, order: Order, amount: int | None, units: Sequence[tuple[int, int]] | None
) -> list[RefundLinePlan]:
    """What each line gives back, to the fen; ``invalid_refund`` or ``refund_exceeds_paid``."""
    lines = {line.id: _refundable(line) for line in order.lines}
    if units:
        plans = []
        for line_id, quantity in units:
            line = lines.get(line_id)
            if line is None:
                raise errors.InvalidRefund(f"Order line {line_id} is not on this order.")
            if line.refunded_quantity + quantity > line.quantity:
                raise errors.RefundExceedsPaid(f"Line {line_id} has fewer units left to refund.")
            share = min(rules.quantity_refund(line, quantity), line.left)
            plans.append(RefundLinePlan(line_id, quantity, share))
        if len({p.order_line_id for p in plans}) != len(plans):
            raise errors.InvalidRefund("Each order line may appear once per refund.")
        return plans
    if amount is None:
        raise errors.InvalidRefund("Give an amount or lines with quantities.")
    ordered = list(lines.values())
    if (
        amount > sum(line.left for line in ordered)
        or amount > order.paid_amount - order.refunded_amount
    ):
        raise errors.RefundExceedsPaid()
    shares = rules.amount_refund(ordered, amount)
    return [
        RefundLinePlan(line.line_id, 0, share) for line, share in zip(ordered, shares, strict=True)
    ]


def apply_refund(
    *, session: Session, order: Order, plans: Sequence[RefundLinePlan], now: datetime
) -> Order:
    """Add the planned amounts to the lines and the order, guarded; then the order's state."""
    total = sum(p.amount for p in plans)
    if total <= 0:
        raise errors.InvalidRefund("A refund gives back at least one minor unit.")
    for plan in sorted(plans, key=lambda p: p.order_line_id):
        statement = (
            update(OrderLine)
            .where(
                OrderLine.id == plan.order_line_id,
                OrderLine.refunded_amount + plan.amount <= OrderLine.total,
                OrderLine.refunded_quantity + plan.quantity <= OrderLine.quantity,
            )
            .values(
                refunded_amount=OrderLine.refunded_amount + plan.amount,
                refunded_quantity=OrderLine.refunded_quantity + plan.quantity,
            )
            .returning(OrderLine.id)
        )
        if session.execute(statement, execution_options=_NO_SYNC).first() is None:
            raise errors.RefundExceedsPaid(f"Line {plan.order_line_id} has less left to refund.")
    refundable = [s.value for s in rules.REFUNDABLE]
    raised = (
        update(Order)
        .where(
            Order.id == order.id,
            Order.status.in_(refundable),
            Order.refunded_amount + total <= Order.paid_amount,
        )
        .values(refunded_amount=Order.refunded_amount + total, updated_at=now)
        .returning(Order.refunded_amount, Order.paid_amount, Order.status)
    )
    row = session.execute(raised, execution_options=_NO_SYNC).first()
    if row is None:
        raise errors.RefundExceedsPaid()
    refunded, paid, status = row
    state = rules.refund_state(paid, refunded)
    session.execute(
        update(Order).where(Order.id == order.id).values(refund_state=state.value),
        execution_options=_NO_SYNC,
    )
    extra = {"refund_amount": total}
    if state is rules.RefundState.FULL and OrderStatus(status) in rules.NOTHING_LEFT_YET:
        moved = lifecycle.transition(
            session, order.id, OrderStatus.REFUNDED, now, extra=extra, closed_at=now
        )
        if moved is not None:
            if moved.kind != "deposit":  # a deposit sold no units
                _restock(session, moved)
            return moved
    fresh = session.scalar(
        select(Order).where(Order.id == order.id).execution_options(populate_existing=True)
    )
    assert fresh is not None
    events.publish(session, fresh, OrderStatus.REFUNDED, extra=extra)
    return fresh


def _restock(session: Session, order: Order) -> None:
    """Nothing left the shelf: cancel the fulfilments and return the sold units."""
    session.execute(
        update(Fulfilment)
        .where(
            Fulfilment.order_id == order.id, Fulfilment.status != FulfilmentStatus.COMPLETED.value
        )
        .values(status=FulfilmentStatus.CANCELLED.value),
        execution_options=_NO_SYNC,
    )
    by_location: dict[int, list[dict[str, int]]] = {}
    for line in order.lines:
        by_location.setdefault(line.location_id, []).append(
            {"sku_id": line.sku_id, "quantity": line.quantity}
        )
    for location_id, lines in sorted(by_location.items()):
        data = ReturnCreate.model_validate(
            {
                "kind": "return",
                "location_id": location_id,
                "lines": lines,
                "reference_type": "order",
                "reference_id": order.number,
                "note": "refunded before fulfilment",
            }
        )
        inventory_service.record_movements(
            session=session, scope=access.system_for(order.brand_id), data=data
        )
