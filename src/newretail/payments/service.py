"""Paying orders through a provider, confirming late payments, refunding.

    pay      charge the order's total once: succeeded (order paid, stock sold, allocated),
             declined (the order stays open), or pending (the provider confirms later)
    notify   a provider's signed notification settles a pending payment exactly once
    refund   part or all of what was paid, never more, spread over the lines to the fen

The order's guarded transition decides every race: of two payments of one order (or a
payment and a cancel) one wins; a charge that lost is given back at once, so no money stays
with an order that did not take it. A sandbox charge happens inside the transaction, so a
refused payment leaves nothing behind at all.
"""

from collections.abc import Mapping

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from newretail.db import utcnow
from newretail.kernel.scope import Scope
from newretail.orders import errors as order_errors
from newretail.orders import service as orders_service
from newretail.orders.models import Order
from newretail.orders.rules import REFUNDABLE, OrderStatus
from newretail.outbox import service as outbox_service
from newretail.payments import errors, providers
from newretail.payments.models import Payment, Refund, RefundLine
from newretail.payments.providers import ChargeOutcome
from newretail.payments.schemas import PaymentCreate, RefundCreate

_NO_SYNC = {"synchronize_session": False}
PENDING, SUCCEEDED, DECLINED, REVERSED = "pending", "succeeded", "declined", "reversed"


def _payable(session: Session, order: Order) -> None:
    if order.status != OrderStatus.CREATED.value:
        if order.paid_amount > 0:
            raise order_errors.OrderAlreadyPaid()
        raise order_errors.OrderNotPayable(f"The order is {order.status}.")
    if order.expires_at <= utcnow():
        raise order_errors.OrderExpired()
    pending = session.scalar(
        select(Payment.id).where(Payment.order_id == order.id, Payment.status == PENDING)
    )
    if pending is not None:
        raise errors.PaymentPending()


def pay(
    *, session: Session, scope: Scope, order_id: int, data: PaymentCreate
) -> tuple[Payment, Order]:
    """Charge the order's total through ``data.provider``; see the module docstring."""
    order = orders_service.get_order(session=session, scope=scope, order_id=order_id)
    if not orders_service.is_consumer(scope):
        orders_service.require_staff(scope, *orders_service.access_cashiers())
    provider = providers.get_provider(data.provider)
    _payable(session, order)
    now = utcnow()
    result = provider.charge(
        amount=order.total,
        currency=order.currency,
        instruction=data.card_number or data.instruction,
    )
    payment = Payment(
        brand_id=order.brand_id,
        order_id=order.id,
        provider=provider.name,
        provider_ref=result.provider_ref,
        method=data.method,
        amount=order.total,
        currency=order.currency,
        status=result.outcome.value,
        failure_reason=result.failure_reason,
        actor_type=scope.actor_type,
        actor_id=scope.actor_id,
        created_at=now,
        confirmed_at=now if result.outcome is not ChargeOutcome.PENDING else None,
    )
    session.add(payment)
    session.flush()
    if result.outcome is ChargeOutcome.SUCCEEDED:
        paid = orders_service.mark_paid(
            session=session, order_id=order.id, amount=order.total, now=now
        )
        if paid is None:
            provider.refund(provider_ref=payment.provider_ref, amount=payment.amount)
            raise order_errors.OrderNotPayable(
                "The order was paid or closed meanwhile; nothing was charged."
            )
        order = paid  # refreshed by its transitions, lines and all
    return payment, order


def notify(
    *, session: Session, provider_name: str, headers: Mapping[str, str], body: bytes
) -> Payment:
    """Settle a pending payment from the provider's signed word; repeats change nothing."""
    provider = providers.get_provider(provider_name)
    note = provider.parse_notification(headers=headers, body=body)
    payment = session.scalar(
        select(Payment).where(
            Payment.provider == provider.name, Payment.provider_ref == note.provider_ref
        )
    )
    if payment is None:
        raise errors.PaymentNotFound()
    now = utcnow()
    settled = session.execute(
        update(Payment)
        .where(Payment.id == payment.id, Payment.status == PENDING)
        .values(status=note.outcome.value, confirmed_at=now)
        .returning(Payment.id),
        execution_options=_NO_SYNC,
    ).first()
    if settled is None:
        session.refresh(payment)
        return payment  # a repeated notification: the first one settled it
    if note.outcome is ChargeOutcome.SUCCEEDED:
        paid = orders_service.mark_paid(
            session=session, order_id=payment.order_id, amount=payment.amount, now=now
        )
        if paid is None:
            _reverse(session, provider, payment)
    session.refresh(payment)
    return payment


def _reverse(session: Session, provider: providers.Provider, payment: Payment) -> None:
    """Money arrived for an order that no longer takes it (expired, cancelled, paid): back."""
    provider.refund(provider_ref=payment.provider_ref, amount=payment.amount)
    session.execute(
        update(Payment)
        .where(Payment.id == payment.id)
        .values(status=REVERSED, failure_reason="the order was closed before the money arrived"),
        execution_options=_NO_SYNC,
    )
    outbox_service.record(
        session=session,
        brand_id=payment.brand_id,
        type="payment.reversed",
        resource_type="order",
        resource_id=payment.order_id,
        payload={"payment_id": payment.id, "order_id": payment.order_id, "amount": payment.amount},
    )


def list_payments(*, session: Session, scope: Scope, order_id: int) -> list[Payment]:
    order = orders_service.get_order(session=session, scope=scope, order_id=order_id)
    query = select(Payment).where(Payment.order_id == order.id).order_by(Payment.id)
    return list(session.scalars(query))


def refund(*, session: Session, scope: Scope, order_id: int, data: RefundCreate) -> Refund:
    """Give back part or all of what was paid, never more; spread over lines to the fen."""
    order = orders_service.get_order(session=session, scope=scope, order_id=order_id)
    orders_service.require_staff(scope, *orders_service.access_cashiers())
    if OrderStatus(order.status) not in REFUNDABLE:
        raise order_errors.OrderNotRefundable(f"The order is {order.status}.")
    payment = session.scalar(
        select(Payment).where(Payment.order_id == order.id, Payment.status == SUCCEEDED)
    )
    if payment is None:
        raise order_errors.OrderNotRefundable("The order has no succeeded payment.")
    units = [(line.order_line_id, line.quantity) for line in data.lines or []]
    plans = orders_service.plan_refund(order=order, amount=data.amount, units=units or None)
    now = utcnow()
    orders_service.apply_refund(session=session, order=order, plans=plans, now=now)
    amount = sum(p.amount for p in plans)
    provider = providers.get_provider(payment.provider)
    record = Refund(
        brand_id=order.brand_id,
        order_id=order.id,
        payment_id=payment.id,
        amount=amount,
        currency=order.currency,
        reason=data.reason,
        status=SUCCEEDED,
        provider_ref=provider.refund(provider_ref=payment.provider_ref, amount=amount),
        actor_type=scope.actor_type,
        actor_id=scope.actor_id,
        created_at=now,
        lines=[
            RefundLine(order_line_id=p.order_line_id, quantity=p.quantity, amount=p.amount)
            for p in plans
            if p.amount or p.quantity
        ],
    )
    session.add(record)
    session.flush()
    return record


def list_refunds(*, session: Session, scope: Scope, order_id: int) -> list[Refund]:
    order = orders_service.get_order(session=session, scope=scope, order_id=order_id)
    return list(
        session.scalars(select(Refund).where(Refund.order_id == order.id).order_by(Refund.id))
    )


def record_payment(
    *,
    session: Session,
    scope: Scope,
    order: Order,
    provider_name: str,
    result: providers.ChargeResult,
    amount: int,
    method: str,
) -> Payment:
    """A charge another domain made for part of an order (a pay-later down payment)."""
    now = utcnow()
    payment = Payment(
        brand_id=order.brand_id,
        order_id=order.id,
        provider=provider_name,
        provider_ref=result.provider_ref,
        method=method,
        amount=amount,
        currency=order.currency,
        status=result.outcome.value,
        failure_reason=result.failure_reason,
        actor_type=scope.actor_type,
        actor_id=scope.actor_id,
        created_at=now,
        confirmed_at=now,
    )
    session.add(payment)
    session.flush()
    return payment
