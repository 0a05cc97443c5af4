"""A deposit's life after it is placed: following its orders, and settling when it closes.

    follow_orders            a deposit takes the status its orders' states call for
                             (``rules.next_status``): run by the outbox consumer
                             (``presales.consumers``), and by ordering a balance and the
                             expiry job before they act, in case the consumer is behind
    expire_unpaid_balances   worker job: closed windows settle, unpaid balances expire,
                             stock goes back, the deposit is kept or refunded by the rule

Every move is one guarded UPDATE from the status it expects, so however many callers race
(consumer, worker, a buyer ordering the balance), a deposit moves once.
"""

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from newretail.config import Settings
from newretail.db import Database, utcnow
from newretail.inventory import errors as inventory_errors
from newretail.inventory import service as inventory_service
from newretail.orders import service as orders_service
from newretail.orders.models import Order
from newretail.orders.rules import OrderStatus
from newretail.outbox import service as outbox_service
from newretail.payments import service as payments_service
from newretail.payments.schemas import RefundCreate
from newretail.presales import rules
from newretail.presales.models import PresaleCampaign, PresaleDeposit
from newretail.presales.rules import DepositStatus, UnpaidRule

NO_SYNC = {"synchronize_session": False}
BATCH = 200


def record_event(session: Session, deposit: PresaleDeposit, type: str, **extra: object) -> None:
    outbox_service.record(
        session=session,
        brand_id=deposit.brand_id,
        type=type,
        resource_type="presale_deposit",
        resource_id=deposit.id,
        payload={
            "id": deposit.id,
            "campaign_id": deposit.campaign_id,
            "store_id": deposit.store_id,
            "consumer_id": deposit.consumer_id,
            "member_id": deposit.member_id,
            "sku_id": deposit.sku_id,
            "quantity": deposit.quantity,
            "status": deposit.status,
            "deposit_order_id": deposit.deposit_order_id,
            "balance_order_id": deposit.balance_order_id,
            **extra,
        },
    )


def move(session: Session, deposit: PresaleDeposit, sources: set[str], target: str) -> bool:
    moved = session.execute(
        update(PresaleDeposit)
        .where(PresaleDeposit.id == deposit.id, PresaleDeposit.status.in_(sources))
        .values(status=target)
        .returning(PresaleDeposit.id),
        execution_options=NO_SYNC,
    ).first()
    if moved is not None:
        deposit.status = target
    return moved is not None


def deposits_of_orders(
    *, session: Session, campaign_ids: Collection[int], order_ids: Collection[int]
) -> list[PresaleDeposit]:
    """The open deposits of these campaigns whose deposit or balance order is one of these."""
    if not campaign_ids or not order_ids:
        return []
    query = (
        select(PresaleDeposit)
        .where(
            PresaleDeposit.campaign_id.in_(campaign_ids),
            PresaleDeposit.status.in_([s.value for s in rules.OPEN_STATUSES]),
            or_(
                PresaleDeposit.deposit_order_id.in_(order_ids),
                PresaleDeposit.balance_order_id.in_(order_ids),
            ),
        )
        .order_by(PresaleDeposit.id)
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(query))


def follow_orders(*, session: Session, deposits: Sequence[PresaleDeposit]) -> None:
    """Deposits whose orders were paid, lapsed or refunded take the status that follows.

    Read from the orders' current state, so following twice, late or out of order moves a
    deposit once: every move is a guarded UPDATE from the status it expects.
    """
    ids = [d.deposit_order_id for d in deposits] + [
        d.balance_order_id for d in deposits if d.balance_order_id
    ]
    if not ids:
        return
    found = session.execute(select(Order.id, Order.status).where(Order.id.in_(ids))).all()
    status = {order_id: OrderStatus(value) for order_id, value in found}
    for deposit in deposits:
        step = rules.next_status(
            DepositStatus(deposit.status),
            deposit_order=status.get(deposit.deposit_order_id),
            balance_order=status.get(deposit.balance_order_id or 0),
        )
        if step is None or not move(session, deposit, {deposit.status}, step.value):
            continue
        if step is DepositStatus.DEPOSITED:
            record_event(session, deposit, "presale.deposit_paid")
        elif step is DepositStatus.COMPLETED:
            record_event(session, deposit, "presale.balance_paid")
        elif step is DepositStatus.REFUNDED:
            _close_refunded(session, deposit)


def _close_refunded(session: Session, deposit: PresaleDeposit) -> None:
    """The deposit was given back in full: its open balance order and its hold go too."""
    now = utcnow()
    _cancel_balance_and_release(session, deposit, now, reason="deposit_refunded")
    refunded = session.scalar(
        select(Order.refunded_amount).where(Order.id == deposit.deposit_order_id)
    )
    session.execute(
        update(PresaleDeposit)
        .where(PresaleDeposit.id == deposit.id)
        .values(refunded_amount=refunded or 0, closed_at=now),
        execution_options=NO_SYNC,
    )
    deposit.refunded_amount, deposit.closed_at = refunded or 0, now
    record_event(session, deposit, "presale.deposit_refunded", refunded_amount=refunded or 0)


def expire_unpaid(*, session: Session, now: datetime, limit: int = BATCH) -> int:
    """Settle up to ``limit`` deposits whose balance window closed; how many were settled.

    Claimed with ``SKIP LOCKED`` on PostgreSQL; each moves by one guarded UPDATE, so a
    deposit is settled once however many workers run. Paid balances complete; unpaid ones
    expire: the balance order is cancelled, the units go back, and the deposit is refunded
    or kept by the campaign's rule.
    """
    open_statuses = [s.value for s in rules.OPEN_STATUSES]
    due = (
        select(PresaleDeposit)
        .where(PresaleDeposit.status.in_(open_statuses), PresaleDeposit.balance_closes_at <= now)
        .order_by(PresaleDeposit.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    deposits = list(session.scalars(due))
    follow_orders(session=session, deposits=deposits)
    settled = 0
    for deposit in deposits:
        if deposit.status not in open_statuses:
            settled += 1  # completed, lapsed or refunded as it followed its orders
            continue
        if deposit.status == DepositStatus.AWAITING_PAYMENT.value:
            continue  # its unpaid deposit order expires by the orders' own job
        if move(session, deposit, set(open_statuses), DepositStatus.EXPIRED.value):
            _expire(session, deposit, now)
            settled += 1
    return settled


def _expire(session: Session, deposit: PresaleDeposit, now: datetime) -> None:
    _cancel_balance_and_release(session, deposit, now, reason="expired")
    campaign = session.get(PresaleCampaign, deposit.campaign_id)
    assert campaign is not None
    refund = rules.refund_on_expiry(UnpaidRule(campaign.unpaid_rule), deposit.deposit_amount)
    if refund:
        payments_service.refund(
            session=session,
            scope=orders_service.system_for(deposit.brand_id),
            order_id=deposit.deposit_order_id,
            data=RefundCreate(amount=refund, reason="pre-sale balance not paid in time"),
        )
    session.execute(
        update(PresaleDeposit)
        .where(PresaleDeposit.id == deposit.id)
        .values(refunded_amount=refund, closed_at=now),
        execution_options=NO_SYNC,
    )
    deposit.refunded_amount, deposit.closed_at = refund, now
    record_event(
        session,
        deposit,
        "presale.deposit_expired",
        outcome="refunded" if refund else "kept",
        refunded_amount=refund,
    )


def _cancel_balance_and_release(
    session: Session, deposit: PresaleDeposit, now: datetime, *, reason: str
) -> None:
    """Cancel the deposit's balance order if it is still unpaid, and give the units back."""
    if deposit.balance_order_id is not None:
        orders_service.transition(
            session,
            deposit.balance_order_id,
            OrderStatus.CANCELLED,
            now,
            cancel_reason=reason,
            closed_at=now,
        )
    system = orders_service.system_for(deposit.brand_id)
    try:
        with session.begin_nested():
            inventory_service.release_reservation(
                session=session, scope=system, reservation_id=deposit.reservation_id
            )
    except inventory_errors.ReservationNotActive:
        pass  # released already, by the balance order's own expiry


def expire_unpaid_balances(database: Database, settings: Settings) -> int:
    """Worker job: one batch of deposits whose balance window closed."""
    with database.transaction() as session:
        return expire_unpaid(session=session, now=utcnow(), limit=BATCH)
