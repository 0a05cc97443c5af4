"""Coupons follow their orders: an outbox consumer of the orders' payments and cancellations.

    order.paid        the coupons the order reserved (reference: its number) are redeemed,
                      and each writes a ``coupon.redeemed`` event with what it took off
    order.cancelled   they go back to the member's wallet (cancelled or expired unpaid)
    order.refunded    refunded in full: the coupons whose template says a return gives them
                      back return to the wallet while still valid (``ReturnRule``); a
                      partial refund keeps them used, its lines refunded at their net amounts

Idempotent: each moves coupons only from ``reserved`` (or ``redeemed``) by guarded UPDATEs,
so a replayed event finds nothing left to move and writes nothing.
"""

from sqlalchemy.orm import Session

from newretail.outbox import service as outbox_service
from newretail.outbox.consumers import Consumer
from newretail.outbox.models import OutboxEvent
from newretail.promotions.redemption import redeem, release, restore

EVENTS = ("order.paid", "order.cancelled", "order.refunded")


def follow_order(session: Session, event: OutboxEvent) -> None:
    """Redeem a paid order's coupons; put a cancelled (or fully refunded) order's back."""
    number = event.payload.get("number")
    if not isinstance(number, str):
        return
    if event.type == "order.cancelled":
        release(session=session, reference=number, now=event.occurred_at)
        return
    if event.type == "order.refunded":
        if event.payload.get("refund_state") == "full":
            restore(session=session, reference=number, now=event.occurred_at)
        return
    for coupon in redeem(session=session, reference=number, now=event.occurred_at):
        outbox_service.record(
            session=session,
            brand_id=coupon.brand_id,
            type="coupon.redeemed",
            resource_type="coupon",
            resource_id=coupon.id,
            payload={
                "id": coupon.id,
                "template_id": coupon.template_id,
                "member_id": coupon.membership_id,
                "consumer_id": coupon.consumer_id,
                "order_id": event.payload.get("id"),
                "order_number": number,
                "discount": coupon.discount,
                "redeemed_at": coupon.redeemed_at.isoformat() if coupon.redeemed_at else None,
            },
        )


COUPONS_FOLLOW_ORDERS = Consumer.each("coupons_follow_orders", EVENTS, follow_order)
