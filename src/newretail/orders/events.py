"""The outbox events of orders: one per state change, written in the changing transaction."""

from typing import Any

from sqlalchemy.orm import Session

from newretail.orders.models import Order
from newretail.orders.rows import OrderView
from newretail.orders.rules import EVENT_OF, OrderStatus
from newretail.outbox import service as outbox_service
from newretail.outbox.service import NewEvent


def order_payload(order: Order | OrderView) -> dict[str, Any]:
    """What the brand's ERP gets: the order, its attribution, amounts and lines."""
    return {
        "id": order.id,
        "number": order.number,
        "kind": order.kind,
        "status": order.status,
        "refund_state": order.refund_state,
        "store_id": order.store_id,
        "channel": order.channel,
        "consumer_id": order.consumer_id,
        "member_id": order.member_id,
        "bound_store_id": order.bound_store_id,
        "bound_guide_id": order.bound_guide_id,
        "referring_guide_id": order.referring_guide_id,
        "touchpoint_code": order.touchpoint_code,
        "campaign": order.campaign,
        "note": order.note,
        "currency": order.currency,
        "subtotal": order.subtotal,
        "discount": order.discount,
        "total": order.total,
        "paid_amount": order.paid_amount,
        "refunded_amount": order.refunded_amount,
        "paid_at": order.paid_at.isoformat() if order.paid_at is not None else None,
        "delivery_method": order.delivery_method,
        "lines": [
            {
                "id": line.id,
                "sku_id": line.sku_id,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "discount": line.discount,
                "total": line.total,
                "location_id": line.location_id,
                "serving_guide_id": line.serving_guide_id,
                "refunded_quantity": line.refunded_quantity,
                "refunded_amount": line.refunded_amount,
            }
            for line in order.lines
        ],
    }


def publish(
    session: Session,
    order: Order,
    status: OrderStatus,
    *,
    type: str | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    outbox_service.record(
        session=session,
        brand_id=order.brand_id,
        type=type or EVENT_OF[status],
        resource_type="order",
        resource_id=order.id,
        payload={**order_payload(order), **(extra or {})},
    )


def steps(order: OrderView, *statuses: OrderStatus) -> list[NewEvent]:
    """The events of an order passing through ``statuses``, each with the order as it was
    at that step (a step's status; paid amounts from the payment on)."""
    payload = order_payload(order)
    unpaid = {"paid_amount": 0, "paid_at": None}
    return [
        NewEvent(
            brand_id=order.brand_id,
            type=EVENT_OF[status],
            resource_type="order",
            resource_id=order.id,
            payload={
                **payload,
                "status": status.value,
                **(unpaid if status is OrderStatus.CREATED else {}),
            },
        )
        for status in statuses
    ]
