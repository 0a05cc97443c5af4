"""Pay later (优享购): credit check, the down payment, the deferred charge and dunning.

    offer               whether a consumer may pay later for an order of a brand, and on
                        what terms (for the checkout page, before the order exists)
    take_on_credit      a member at or above the brand's threshold pays the down payment
                        now; the order is paid (so it is fulfilled) and the rest becomes a
                        deferred charge due ``term_days`` later
    pay_early           the member settles the charge before the worker does
    charge_due          worker job: charges due are tried; declines retry on
                        ``rules.RETRY_DELAYS``, then land on the dunning list
    follow_order        outbox consumer: an order cancelled or refunded in full has its
                        open charge cancelled (``cancel_open``)

Charges move by guarded UPDATEs from the states they were read in, so two workers (or a
worker and an early payment) never both collect one charge.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from newretail.config import Settings
from newretail.db import Database, utcnow
from newretail.kernel import visibility
from newretail.kernel.errors import PermissionDenied
from newretail.kernel.scope import Role, Scope
from newretail.members import service as members_service
from newretail.orders import errors as order_errors
from newretail.orders import service as orders_service
from newretail.orders.models import Order
from newretail.orders.rules import OrderStatus
from newretail.outbox import service as outbox_service
from newretail.outbox.consumers import Consumer
from newretail.outbox.models import OutboxEvent
from newretail.paylater import credit, errors, rules
from newretail.paylater.models import DeferredCharge, DeferredPolicy
from newretail.paylater.rules import ChargeStatus
from newretail.paylater.schemas import DeferredCreate, PolicyUpdate
from newretail.payments import providers
from newretail.payments import service as payments_service
from newretail.payments.providers import ChargeOutcome, ChargeResult

_NO_SYNC = {"synchronize_session": False}
DEFAULT_POLICY = {"threshold": 650, "down_payment": 100, "term_days": 30}
MANAGERS = (Role.BRAND_ADMIN, Role.REGION_MANAGER, Role.STORE_MANAGER, Role.INTEGRATION)
BATCH = 100


def _event(session: Session, charge: DeferredCharge, type: str, **extra: object) -> None:
    outbox_service.record(
        session=session,
        brand_id=charge.brand_id,
        type=type,
        resource_type="deferred_charge",
        resource_id=charge.id,
        payload={
            "id": charge.id,
            "order_id": charge.order_id,
            "member_id": charge.member_id,
            "amount": charge.amount,
            "status": charge.status,
            "attempts": charge.attempts,
            **extra,
        },
    )


# ---- policy and credit ----------------------------------------------------------------


def policy(*, session: Session, brand_id: int) -> DeferredPolicy:
    """The brand's policy, or the default one (not stored) when it never set one."""
    found = session.scalar(select(DeferredPolicy).where(DeferredPolicy.brand_id == brand_id))
    return found or DeferredPolicy(brand_id=brand_id, **DEFAULT_POLICY)


def set_policy(*, session: Session, scope: Scope, data: PolicyUpdate) -> DeferredPolicy:
    if orders_service.is_consumer(scope):
        raise PermissionDenied()
    scope.require(Role.BRAND_ADMIN)
    brand_id = scope.target_brand(data.brand_id)
    found = session.scalar(select(DeferredPolicy).where(DeferredPolicy.brand_id == brand_id))
    if found is None:
        found = DeferredPolicy(brand_id=brand_id)
        session.add(found)
    found.threshold, found.down_payment = data.threshold, data.down_payment
    found.term_days, found.updated_at = data.term_days, utcnow()
    session.flush()
    return found


def credit_of(*, session: Session, scope: Scope, member_id: int) -> tuple[int, int]:
    """(score, threshold) of a member of the caller's brand."""
    member = members_service.get_brand_member(session=session, scope=scope, member_id=member_id)
    found = policy(session=session, brand_id=member.brand_id)
    return credit.score(brand_id=member.brand_id, member_id=member.id), found.threshold


@dataclass(frozen=True)
class Offer:
    """Pay later for one order: its terms when the buyer qualifies, else why not (a code)."""

    terms: rules.Terms | None
    refusal: str | None


def offer(
    *, session: Session, scope: Scope, brand_id: int, total: int, now: datetime | None = None
) -> Offer:
    """The terms ``take_on_credit`` would give a consumer's order of ``total`` now, or the code
    it would refuse with (``member_required``, ``credit_insufficient``)."""
    consumer = None
    if orders_service.is_consumer(scope):
        consumer = members_service.live_consumer_id(
            session=session, consumer_id=scope.actor_id or 0
        )
    member = None
    if consumer is not None:
        member = members_service.find_membership(
            session=session, brand_id=brand_id, consumer_id=consumer
        )
    if member is None:
        return Offer(None, errors.MemberRequired.code)
    found = policy(session=session, brand_id=brand_id)
    if not rules.qualifies(credit.score(brand_id=brand_id, member_id=member.id), found.threshold):
        return Offer(None, errors.CreditInsufficient.code)
    return Offer(rules.terms(total, found.down_payment, now or utcnow(), found.term_days), None)


# ---- taking goods on credit -----------------------------------------------------------


def take_on_credit(
    *, session: Session, scope: Scope, data: DeferredCreate, now: datetime | None = None
) -> tuple[DeferredCharge, Order]:
    """The down payment now, the rest deferred; ``credit_insufficient`` below the threshold.

    ``now`` dates the term (the simulator plants orders taken on credit weeks ago).
    """
    order = orders_service.get_order(session=session, scope=scope, order_id=data.order_id)
    if not orders_service.is_consumer(scope):
        orders_service.require_staff(scope, *orders_service.access_cashiers())
    if order.status != OrderStatus.CREATED.value or order.kind != "standard":
        raise order_errors.OrderNotPayable(f"The order is {order.status}.")
    if order.member_id is None:
        raise errors.MemberRequired()
    terms = policy(session=session, brand_id=order.brand_id)
    score = credit.score(brand_id=order.brand_id, member_id=order.member_id)
    if not rules.qualifies(score, terms.threshold):
        raise errors.CreditInsufficient()
    taken_at, now = now or utcnow(), utcnow()
    down = rules.down_payment(order.total, terms.down_payment)
    provider = providers.get_provider(data.provider)
    result = provider.charge(amount=down, currency=order.currency, instruction=data.instruction)
    if result.outcome is not ChargeOutcome.SUCCEEDED:
        raise errors.DownPaymentDeclined()
    payments_service.record_payment(
        session=session,
        scope=scope,
        order=order,
        provider_name=provider.name,
        result=result,
        amount=down,
        method="deferred_down_payment",
    )
    # The goods go now; the order counts as paid only what was collected (the down payment),
    # so refunds can never give back money that was not taken. The balance adds to it later.
    paid = orders_service.mark_paid(session=session, order_id=order.id, amount=down, now=now)
    if paid is None:
        raise order_errors.OrderNotPayable("The order closed while it was being paid.")
    due = rules.due_at(taken_at, terms.term_days)
    charge = DeferredCharge(
        brand_id=order.brand_id,
        order_id=order.id,
        store_id=order.store_id,
        member_id=order.member_id,
        consumer_id=order.consumer_id,
        score=score,
        down_payment=down,
        amount=order.total - down,
        currency=order.currency,
        status=ChargeStatus.SCHEDULED.value if order.total > down else ChargeStatus.PAID.value,
        due_at=due,
        next_attempt_at=due,
        provider=provider.name,
        instruction=data.charge_instruction,
        created_at=now,
    )
    session.add(charge)
    session.flush()
    _event(session, charge, "deferred.created", down_payment=down)
    return charge, order  # paying brought the loaded order up to date


# ---- reading --------------------------------------------------------------------------


CHARGES = visibility.Ladder(
    brand=DeferredCharge.brand_id,
    stores=(DeferredCharge.store_id,),
    consumers=(DeferredCharge.consumer_id,),
)


def _charges(session: Session, scope: Scope) -> Select[DeferredCharge]:
    consumer = None
    if orders_service.is_consumer(scope):
        consumer = members_service.live_consumer_id(
            session=session, consumer_id=scope.actor_id or 0
        )
    return visibility.restrict(select(DeferredCharge), scope, CHARGES, consumer_id=consumer)


def get_charge(*, session: Session, scope: Scope, charge_id: int) -> DeferredCharge:
    charge = session.scalar(
        _charges(session, scope)
        .where(DeferredCharge.id == charge_id)
        .execution_options(populate_existing=True)
    )
    if charge is None:
        raise errors.DeferredChargeNotFound()
    return charge


def list_charges(
    *, session: Session, scope: Scope, status: ChargeStatus | None = None
) -> list[DeferredCharge]:
    query = _charges(session, scope)
    if status is not None:
        query = query.where(DeferredCharge.status == status.value)
    return list(
        session.scalars(query.order_by(DeferredCharge.due_at, DeferredCharge.id).limit(500))
    )


def charges_of_orders(
    *, session: Session, scope: Scope, order_ids: list[int]
) -> dict[int, DeferredCharge]:
    """The deferred charge of each of these orders the caller sees, by order id."""
    if not order_ids:
        return {}
    query = _charges(session, scope).where(DeferredCharge.order_id.in_(order_ids))
    return {charge.order_id: charge for charge in session.scalars(query)}


def dunning(*, session: Session, scope: Scope) -> list[DeferredCharge]:
    """Charges whose retries are used up, for follow-up by the stores and HQ."""
    if orders_service.is_consumer(scope):
        raise PermissionDenied()
    scope.require(*MANAGERS)
    return list_charges(session=session, scope=scope, status=ChargeStatus.DUNNING)


# ---- charging -------------------------------------------------------------------------


ENDED_ORDERS = frozenset({OrderStatus.CANCELLED.value, OrderStatus.REFUNDED.value})


def cancel_open(session: Session, order_id: int) -> int:
    """Close the open charges of an order that was cancelled or refunded in full (guarded
    from the open states: a charge collected meanwhile stays paid); how many closed."""
    closed = list(
        session.scalars(
            update(DeferredCharge)
            .where(
                DeferredCharge.order_id == order_id,
                DeferredCharge.status.in_([s.value for s in rules.OPEN]),
            )
            .values(status=ChargeStatus.CANCELLED.value, next_attempt_at=None)
            .returning(DeferredCharge.id),
            execution_options=_NO_SYNC,
        )
    )
    for charge_id in closed:
        charge = session.get(DeferredCharge, charge_id)
        assert charge is not None
        session.refresh(charge)
        _event(session, charge, "deferred.cancelled")
    return len(closed)


def follow_order(session: Session, event: OutboxEvent) -> None:
    """Outbox consumer: an order cancelled or refunded in full owes no balance."""
    order_id = event.payload.get("id")
    if isinstance(order_id, int) and event.payload.get("status") in ENDED_ORDERS:
        cancel_open(session, order_id)


CHARGES_FOLLOW_ORDERS = Consumer.each(
    "deferred_charges_follow_orders", ("order.cancelled", "order.refunded"), follow_order
)


def _attempt(
    session: Session, charge: DeferredCharge, instruction: str | None, now: datetime
) -> bool:
    """Charge the balance once; True if collected. The charge moves only from where it was;
    an order given back in full is not charged, its charge is cancelled."""
    order_status = session.scalar(select(Order.status).where(Order.id == charge.order_id))
    if order_status in ENDED_ORDERS:
        cancel_open(session, charge.order_id)
        session.refresh(charge)
        return False
    seen = charge.status
    provider = providers.get_provider(charge.provider)
    result = provider.charge(
        amount=charge.amount, currency=charge.currency, instruction=instruction
    )
    guard = [DeferredCharge.id == charge.id, DeferredCharge.status == seen]
    if result.outcome is ChargeOutcome.SUCCEEDED:
        values: dict[str, object] = {
            "status": ChargeStatus.PAID.value,
            "paid_at": now,
            "next_attempt_at": None,
            "provider_ref": result.provider_ref,
            "attempts": charge.attempts + 1,
        }
    else:
        failed = charge.attempts + 1
        retry = rules.next_attempt(failed, now) if seen != ChargeStatus.DUNNING.value else None
        values = {
            "status": (ChargeStatus.RETRYING if retry else ChargeStatus.DUNNING).value,
            "next_attempt_at": retry,
            "attempts": failed,
            "last_failure": result.failure_reason or result.outcome.value,
        }
    moved = session.execute(
        update(DeferredCharge).where(*guard).values(**values).returning(DeferredCharge.id),
        execution_options=_NO_SYNC,
    ).first()
    if moved is None:
        if result.outcome is ChargeOutcome.SUCCEEDED:
            provider.refund(provider_ref=result.provider_ref, amount=charge.amount)
        return False
    session.refresh(charge)
    collected = charge.status == ChargeStatus.PAID.value
    if collected:
        _record_balance(session, charge, provider.name, result)
        _event(session, charge, "deferred.charged")
    elif charge.status == ChargeStatus.DUNNING.value and seen != charge.status:
        _event(session, charge, "deferred.dunning", failure=charge.last_failure)
    else:
        _event(session, charge, "deferred.charge_failed", failure=charge.last_failure)
    return collected


def _record_balance(
    session: Session, charge: DeferredCharge, provider_name: str, result: ChargeResult
) -> None:
    """The collected balance becomes a payment of the order and adds to what it has paid."""
    order = session.get(Order, charge.order_id)
    assert order is not None
    payments_service.record_payment(
        session=session,
        scope=orders_service.system_for(charge.brand_id),
        order=order,
        provider_name=provider_name,
        result=result,
        amount=charge.amount,
        method="deferred_balance",
    )
    if not orders_service.collect_later(session=session, order_id=order.id, amount=charge.amount):
        # The order would be paid more than its total: give the money back, change nothing.
        providers.get_provider(provider_name).refund(
            provider_ref=result.provider_ref, amount=charge.amount
        )
        raise errors.DeferredChargeClosed()
    session.refresh(order)


def pay_early(
    *, session: Session, scope: Scope, charge_id: int, instruction: str | None
) -> DeferredCharge:
    """The member pays the balance now (also from the dunning list); a decline is 409."""
    charge = get_charge(session=session, scope=scope, charge_id=charge_id)
    if not orders_service.is_consumer(scope):
        orders_service.require_staff(scope, *orders_service.access_cashiers())
    if ChargeStatus(charge.status) not in rules.OPEN:
        raise errors.DeferredChargeClosed()
    if not _attempt(session, charge, instruction, utcnow()):
        if charge.status == ChargeStatus.CANCELLED.value:
            raise errors.DeferredChargeClosed("The order was given back: nothing is owed.")
        if charge.status == ChargeStatus.PAID.value:
            raise errors.DeferredChargeClosed()
        raise errors.ChargeDeclined()
    return charge


def charge_due(*, session: Session, now: datetime, limit: int = BATCH) -> int:
    """Try every charge whose attempt is due (up to ``limit``); how many were tried."""
    due = (
        select(DeferredCharge)
        .where(
            DeferredCharge.status.in_([s.value for s in rules.DUE_BY_WORKER]),
            DeferredCharge.next_attempt_at <= now,
        )
        .order_by(DeferredCharge.next_attempt_at, DeferredCharge.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    charges = list(session.scalars(due))
    for charge in charges:
        _attempt(session, charge, charge.instruction, now)
    return len(charges)


def charge_due_job(database: Database, settings: Settings) -> int:
    """Worker job: one batch of deferred charges whose attempt is due."""
    with database.transaction() as session:
        return charge_due(session=session, now=utcnow(), limit=BATCH)
