"""Paying orders through a provider, confirming late payments, refunding.

    pay       charge an order's total once: succeeded (order paid, allocated, held stock
              sold), declined (the order stays open), or pending (the provider confirms)
    purchase  an order and its payment in one transaction: priced, charged, written paid
              and allocated (the payment row with the order, in its statement on
              PostgreSQL), its units taken from the shelf last (no reservation); a
              declined or pending charge leaves the order held, as a checkout would
    notify    a provider's signed notification settles a pending payment exactly once
              (``settle``: the same for a payment code's late result)
    refund    part or all of what was paid, never more, spread over the lines to the fen
              and over the order's tenders (``tenders.py`` pays one order with several)

Paying an order claims it first (its row locked until the transaction ends) and charges
after: of two payments of one order, whatever their Idempotency-Keys, the second waits for
the first and finds it paid, so nothing is charged twice. A purchase has no order to claim
before it is charged; it charges only once the stock read says the units are there, and
gives the money back at once in the rare case a concurrent buyer took the last units in
between (the guarded stock statement at the end refuses it). A sandbox charge happens inside
the transaction, so a refused payment leaves nothing behind at all.

Each payment records the merchant account that receives it (``merchants.service.resolve``:
the store's or its franchisee's account, else the brand's), and its refunds and
notifications go through the provider acting for that account (``wallets.registry``).
Payment codes and cloud store page payments of WeChat Pay and Alipay: ``wallets.service``.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from newretail.db import utcnow
from newretail.kernel import bulk
from newretail.kernel.direct import Direct, inserting
from newretail.kernel.errors import DomainError
from newretail.kernel.scope import Scope
from newretail.observability import log
from newretail.orders import errors as order_errors
from newretail.orders import service as orders_service
from newretail.orders.models import Order
from newretail.orders.rules import REFUNDABLE, OrderStatus
from newretail.orders.schemas import OrderCreate
from newretail.outbox import service as outbox_service
from newretail.payments import errors, providers, rules
from newretail.payments.merchants import service as merchants_service
from newretail.payments.models import Payment, Refund, RefundLine, RefundTender
from newretail.payments.providers import ChargeOutcome
from newretail.payments.rules import PaymentStatus, RefundStatus
from newretail.payments.schemas import PaymentCreate, RefundCreate
from newretail.payments.tenders import (
    BY_CODE,
    Charged,
    Tender,
    check_total,
    give_back,
    pay_with,
    purchase_with,
)
from newretail.payments.wallets import registry
from newretail.promotions import service as promotions_service
from newretail.promotions.models import Coupon

COUNTER = providers.COUNTER

__all__ = [
    "BY_CODE",
    "COUNTER",
    "Charged",
    "PaymentView",
    "Tender",
    "check_total",
    "give_back",
    "list_payments",
    "list_refunds",
    "notify",
    "pay",
    "pay_with",
    "purchase",
    "purchase_with",
    "record_payment",
    "refund",
]

_NO_SYNC = {"synchronize_session": False}


@dataclass(frozen=True, slots=True)
class PaymentView:
    """A payment as the transaction that wrote it left it."""

    id: int
    brand_id: int
    order_id: int
    provider: str
    provider_ref: str
    merchant_account_id: int | None
    method: str
    amount: int
    currency: str
    status: str
    failure_reason: str | None
    actor_type: str
    actor_id: int | None
    created_at: datetime
    confirmed_at: datetime | None


def _write_payment(
    session: Session,
    *,
    scope: Scope,
    order: orders_service.OrderView,
    provider: str,
    result: providers.ChargeResult,
    method: str,
    now: datetime,
    merchant_account_id: int | None,
) -> PaymentView:
    values = _payment_values(
        scope=scope,
        brand_id=order.brand_id,
        amount=order.total,
        currency=order.currency,
        provider=provider,
        result=result,
        method=method,
        now=now,
        merchant_account_id=merchant_account_id,
    )
    row = {**values, "order_id": order.id}
    payment_id = inserting(Payment).scalar(session.connection(), row)
    return PaymentView(id=payment_id, **row)


def _payment_values(
    *,
    scope: Scope,
    brand_id: int,
    amount: int,
    currency: str,
    provider: str,
    result: providers.ChargeResult,
    method: str,
    now: datetime,
    merchant_account_id: int | None,
) -> dict[str, Any]:
    """A payment's row, all but the order it pays."""
    return {
        "brand_id": brand_id,
        "provider": provider,
        "provider_ref": result.provider_ref,
        "merchant_account_id": merchant_account_id,
        "method": method,
        "amount": amount,
        "currency": currency,
        "status": PaymentStatus(result.outcome.value).value,
        "failure_reason": result.failure_reason,
        "actor_type": scope.actor_type,
        "actor_id": scope.actor_id,
        "created_at": now,
        "confirmed_at": now if result.outcome is not ChargeOutcome.PENDING else None,
    }


def _receiver(
    session: Session, brand_id: int, store_id: int, provider_name: str
) -> tuple[int | None, providers.Provider]:
    """The merchant account that receives the store's payments through ``provider_name``
    (None where none is configured), and the provider acting for it."""
    account_id = merchants_service.resolve(
        session=session, brand_id=brand_id, store_id=store_id, provider=provider_name
    )
    provider = registry.provider_for(session=session, name=provider_name, account_id=account_id)
    return account_id, provider


_PENDING = Direct(
    select(Payment.id)
    .where(Payment.order_id == bindparam("k_order"), Payment.status == PaymentStatus.PENDING.value)
    .limit(1)
)


def _check_pending(session: Session, order_id: int) -> None:
    pending = _PENDING.first(session.connection(), {"k_order": order_id})
    if pending is not None:
        raise errors.PaymentPending()


def _given_back(
    provider: providers.Provider, result: providers.ChargeResult, amount: int
) -> Callable[[], None]:
    def give_back() -> None:
        provider.refund(provider_ref=result.provider_ref, amount=amount)
        log.warning(
            "charge_given_back",
            provider=provider.name,
            provider_ref=result.provider_ref,
            amount=amount,
        )

    return give_back


def pay(
    *, session: Session, scope: Scope, order_id: int, data: PaymentCreate
) -> tuple[PaymentView, orders_service.OrderView]:
    """Charge the order's total through ``data.provider``; see the module docstring."""
    if not orders_service.is_consumer(scope):
        orders_service.require_staff(scope, *orders_service.access_cashiers())
    now = utcnow()
    order = orders_service.claim_for_payment(
        session=session, scope=scope, order_id=order_id, now=now
    )
    account_id, provider = _receiver(session, order.brand_id, order.store_id, data.provider)
    _check_pending(session, order.id)
    result = provider.charge(
        amount=order.total,
        currency=order.currency,
        instruction=data.card_number or data.instruction,
    )
    payment = _write_payment(
        session,
        scope=scope,
        order=order,
        provider=provider.name,
        result=result,
        method=data.method,
        now=now,
        merchant_account_id=account_id,
    )
    if result.outcome is not ChargeOutcome.SUCCEEDED:
        return payment, order
    give_back = _given_back(provider, result, order.total)
    try:
        paid = orders_service.mark_paid(
            session=session, order_id=order.id, amount=order.total, now=now, order=order
        )
    except DomainError:
        give_back()  # the held units are gone (a count or an ERP sync found them missing)
        raise
    if paid is None:
        give_back()
        raise order_errors.OrderNotPayable(
            "The order was paid or closed meanwhile; nothing was charged."
        )
    return payment, paid


def purchase(
    *, session: Session, scope: Scope, data: OrderCreate, payment: PaymentCreate
) -> tuple[PaymentView, orders_service.OrderView]:
    """A new order and its payment at once; see the module docstring."""
    planned = orders_service.draft(
        session=session,
        scope=scope,
        store_id=data.store_id,
        channel=data.channel,
        lines=[(line.sku_id, line.quantity) for line in data.lines],
        attribution=data,
        checkout=data,
        serving_guides=[line.serving_guide_id for line in data.lines],
    )
    account_id, provider = _receiver(
        session, planned.sale.brand.id, data.store_id, payment.provider
    )
    result = provider.charge(
        amount=planned.total,
        currency=planned.currency,
        instruction=payment.card_number or payment.instruction,
    )
    values = _payment_values(
        scope=scope,
        brand_id=planned.sale.brand.id,
        amount=planned.total,
        currency=planned.currency,
        provider=provider.name,
        result=result,
        method=payment.method,
        now=planned.sale.now,
        merchant_account_id=account_id,
    )
    row = bulk.Attached(Payment, "order_id", values)  # written with the order
    if result.outcome is not ChargeOutcome.SUCCEEDED:
        order = orders_service.place_held(session=session, draft=planned, attached=row)
    else:
        try:
            order = orders_service.place_paid(session=session, draft=planned, attached=row)
        except DomainError:
            _given_back(provider, result, planned.total)()
            raise
    assert row.id is not None
    return PaymentView(id=row.id, order_id=order.id, **values), order


def notify(
    *,
    session: Session,
    provider_name: str,
    headers: Mapping[str, str],
    body: bytes,
    merchant_account_id: int | None = None,
) -> Payment:
    """Settle a pending payment from the provider's signed word; repeats change nothing.

    ``merchant_account_id``: the account whose keys sign the provider's notifications (a
    wallet provider's notification URL names it).
    """
    provider = registry.provider_for(
        session=session, name=provider_name, account_id=merchant_account_id
    )
    note = provider.parse_notification(headers=headers, body=body)
    payment = session.scalar(
        select(Payment).where(
            Payment.provider == provider.name, Payment.provider_ref == note.provider_ref
        )
    )
    if payment is None or (
        merchant_account_id is not None and payment.merchant_account_id != merchant_account_id
    ):
        raise errors.PaymentNotFound()
    if note.amount is not None and note.amount != payment.amount:
        raise errors.InvalidNotification("The notification's amount is not the payment's.")
    status = PaymentStatus(note.outcome.value)
    return settle(session=session, provider=provider, payment=payment, status=status)


def settle(
    *,
    session: Session,
    provider: providers.Provider,
    payment: Payment,
    status: PaymentStatus,
    pays_order: bool = True,
    failure_reason: str | None = None,
) -> Payment:
    """A pending payment's final status, written once (a second word changes nothing);
    a success pays the order (``pays_order``), or is given back if the order no longer
    takes it."""
    now = utcnow()
    settled = session.execute(
        update(Payment)
        .where(Payment.id == payment.id, Payment.status == PaymentStatus.PENDING.value)
        .values(status=status.value, confirmed_at=now, failure_reason=failure_reason)
        .returning(Payment.id),
        execution_options=_NO_SYNC,
    ).first()
    if settled is None:
        session.refresh(payment)
        return payment  # a repeated notification: the first one settled it
    if status is PaymentStatus.SUCCEEDED and pays_order:
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
        .values(
            status=PaymentStatus.REVERSED.value,
            failure_reason="the order was closed before the money arrived",
        ),
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
    """Give back part or all of what was paid, never more; spread over lines to the fen,
    and over the order's tenders by what each has left (``rules.tender_shares``)."""
    order = orders_service.get_order(session=session, scope=scope, order_id=order_id)
    orders_service.require_staff(scope, *orders_service.access_cashiers())
    if OrderStatus(order.status) not in REFUNDABLE:
        raise order_errors.OrderNotRefundable(f"The order is {order.status}.")
    paid = list(
        session.scalars(
            select(Payment)
            .where(Payment.order_id == order.id, Payment.status == PaymentStatus.SUCCEEDED.value)
            .order_by(Payment.id)
        )
    )
    if not paid:
        raise order_errors.OrderNotRefundable("The order has no succeeded payment.")
    units = [(line.order_line_id, line.quantity) for line in data.lines or []]
    plans = orders_service.plan_refund(order=order, amount=data.amount, units=units or None)
    now = utcnow()
    orders_service.apply_refund(session=session, order=order, plans=plans, now=now)
    amount = sum(p.amount for p in plans)
    tenders = _tender_parts(session, paid, amount)
    record = Refund(
        brand_id=order.brand_id,
        order_id=order.id,
        payment_id=max(tenders, key=lambda t: t.amount).payment_id,
        amount=amount,
        currency=order.currency,
        reason=data.reason,
        status=RefundStatus.SUCCEEDED.value,
        provider_ref=tenders[0].provider_ref,
        actor_type=scope.actor_type,
        actor_id=scope.actor_id,
        created_at=now,
        lines=[
            RefundLine(order_line_id=p.order_line_id, quantity=p.quantity, amount=p.amount)
            for p in plans
            if p.amount or p.quantity
        ],
        tenders=tenders,
    )
    session.add(record)
    session.flush()
    _publish_refund(session, order, record)
    return record


def _tender_parts(session: Session, paid: list[Payment], amount: int) -> list[RefundTender]:
    """Each payment's share of ``amount``, given back through its provider."""
    refunded = dict(
        session.execute(
            select(RefundTender.payment_id, func.sum(RefundTender.amount))
            .where(RefundTender.payment_id.in_([p.id for p in paid]))
            .group_by(RefundTender.payment_id)
        ).all()
    )
    left = [p.amount - int(refunded.get(p.id, 0)) for p in paid]
    if amount > sum(left):
        raise order_errors.RefundExceedsPaid()
    parts = []
    for payment, share in zip(paid, rules.tender_shares(amount, left), strict=True):
        if share:
            provider = registry.provider_for(
                session=session, name=payment.provider, account_id=payment.merchant_account_id
            )
            ref = provider.refund(provider_ref=payment.provider_ref, amount=share)
            parts.append(
                RefundTender(
                    payment_id=payment.id, method=payment.method, amount=share, provider_ref=ref
                )
            )
    return parts


def refunded_before(session: Session, payment_ids: Sequence[int], refund_id: int) -> int:
    """What refunds made before ``refund_id`` gave back to these payments (fen)."""
    if not payment_ids:
        return 0
    total = session.scalar(
        select(func.coalesce(func.sum(RefundTender.amount), 0)).where(
            RefundTender.payment_id.in_(payment_ids), RefundTender.refund_id < refund_id
        )
    )
    return int(total or 0)


def _publish_refund(session: Session, order: Order, record: Refund) -> None:
    """What each tender got back: a till's store credit and points follow this event."""
    outbox_service.record(
        session=session,
        brand_id=order.brand_id,
        type="payment.refunded",
        resource_type="refund",
        resource_id=record.id,
        payload={
            "refund_id": record.id,
            "order_id": order.id,
            "member_id": order.member_id,
            "currency": order.currency,
            "tenders": [
                {"payment_id": t.payment_id, "method": t.method, "amount": t.amount}
                for t in record.tenders
            ],
        },
    )


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
        merchant_account_id=merchants_service.resolve(
            session=session,
            brand_id=order.brand_id,
            store_id=order.store_id,
            provider=provider_name,
        ),
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


# ---- paid vouchers ----------------------------------------------------------------------


def charge_voucher(amount: int, currency: str) -> promotions_service.Charged:
    """A paid voucher's price charged through the sandbox provider (the cloud store's)."""
    charged = providers.get_provider("sandbox").charge(
        amount=amount, currency=currency, instruction=None
    )
    if charged.outcome is providers.ChargeOutcome.SUCCEEDED:
        return promotions_service.Charged(None, f"sandbox:{charged.provider_ref}")
    return promotions_service.Charged(charged.failure_reason or "The payment was not confirmed.")


def refund_voucher_payment(payment_ref: str, amount: int) -> str:
    """A voucher's price given back through the provider that charged it."""
    name, _, reference = payment_ref.partition(":")
    refunded = providers.get_provider(name).refund(provider_ref=reference, amount=amount)
    return f"{name}:{refunded}"


def buy_back_voucher(*, session: Session, scope: Scope, coupon_id: int) -> Coupon:
    """An unused paid voucher voided and its price refunded to the member, once."""
    return promotions_service.buy_back(
        session=session, scope=scope, coupon_id=coupon_id, refund=refund_voucher_payment
    )
