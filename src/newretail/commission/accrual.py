"""Accrual: the ledger follows each order's state, one entry per line, group and beneficiary.

``accrue_orders`` is what the outbox consumer runs for the orders its events name; it
reads the orders as they are now, so a late, repeated or out-of-order event writes nothing
new, and replaying every event leaves the ledger as it was.

- The first time an order is seen paid, its lines are priced under the brand's active plan
  (``rules.accrue_line``), one entry per line, group and beneficiary, keyed
  ``line:{line}:{slot}``; the order is marked in ``commission_accrual`` and a member's
  first paid order may earn a CPA entry (``cpa:first_order:member:{member}``).
- Later, each group is priced again on what its line keeps now (``adjust``): a refund, a
  return or a pay-later balance collected moves it; an exchange moves no money, so nothing.
- When the order is fulfilled, entries frozen "until fulfilled" get their ``release_at``.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import Session

from newretail.commission import adjust, facts, plans, rules
from newretail.commission.models import Beneficiary, CommissionEntry, EntryStatus
from newretail.commission.plan_models import CommissionAccrual
from newretail.db import utcnow
from newretail.orders.models import Order, OrderLine

_NO_SYNC = {"synchronize_session": False}


def accrue_orders(
    *, session: Session, order_ids: Iterable[int], now: datetime | None = None
) -> int:
    """Bring the ledger of ``order_ids`` in line with the orders; how many entries it wrote."""
    now = now or utcnow()
    batch = facts.load(session, order_ids)
    if not batch.orders:
        return 0
    ids = [order.id for order in batch.orders]
    marked = set(
        session.scalars(
            select(CommissionAccrual.order_id).where(CommissionAccrual.order_id.in_(ids))
        )
    )
    entries = adjust.entries_of(session, ids)
    active: dict[int, rules.PlanSpec | None] = {}
    written = 0
    for order in batch.orders:
        if order.paid_at is None and order.paid_amount == 0:
            continue
        if order.id not in marked:
            if order.brand_id not in active:
                active[order.brand_id] = plans.active_spec(session=session, brand_id=order.brand_id)
            written += _price(session, batch, order, active[order.brand_id], now)
        else:
            written += adjust.reprice(session, order, entries.get(order.id, []), now)
        _release_fulfilled(session, order, now)
    session.flush()
    return written


def _price(
    session: Session,
    batch: facts.Batch,
    order: Order,
    plan: rules.PlanSpec | None,
    now: datetime,
) -> int:
    """Price every line of a newly paid order under the brand's active plan, and mark it."""
    session.add(
        CommissionAccrual(order_id=order.id, brand_id=order.brand_id, plan_id=plan and plan.id)
    )
    session.flush()
    if plan is None:
        return 0
    earned_at = order.paid_at or now
    done = facts.fulfilled_at(order, now)
    bases = facts.bases(order)
    rows: list[CommissionEntry] = []
    for line in order.lines:
        for accrual in rules.accrue_line(plan, batch.line_facts(order, line, bases[line.id])):
            rows.append(
                entry(
                    order=order,
                    line=line,
                    sku_code=batch.skus.get(line.sku_id, facts.SkuFacts("", None)).code,
                    accrual=accrual,
                    plan=plan,
                    key=f"line:{line.id}:{accrual.slot}",
                    earned_at=earned_at,
                    release_at=rules.release_at(accrual.rule, earned_at, done),
                )
            )
    first = _first_order_cpa(session, batch, order, plan, earned_at)
    rows.extend([first] if first is not None else [])
    session.add_all(rows)
    return len(rows)


def entry(
    *,
    order: Order,
    line: OrderLine | None,
    sku_code: str,
    accrual: rules.Accrual,
    plan: rules.PlanSpec,
    key: str,
    earned_at: datetime,
    release_at: datetime | None,
) -> CommissionEntry:
    is_guide = accrual.beneficiary == Beneficiary.GUIDE
    return CommissionEntry(
        brand_id=order.brand_id,
        key=key,
        beneficiary_type=accrual.beneficiary,
        guide_id=accrual.beneficiary_id if is_guide else None,
        store_id=None if is_guide else accrual.beneficiary_id,
        kind=accrual.kind,
        order_id=order.id,
        order_line_id=line.id if line else None,
        member_id=order.member_id,
        channel=order.channel,
        plan_id=plan.id,
        rule_id=accrual.rule.id,
        base=accrual.base,
        rate_bp=accrual.rate_bp,
        amount=accrual.amount,
        currency=order.currency,
        detail=detail(order, line, sku_code, accrual, plan.name),
        status=EntryStatus.PENDING.value,
        release_at=release_at,
        earned_at=earned_at,
    )


def detail(
    order: Order | None,
    line: OrderLine | None,
    sku_code: str,
    accrual: rules.Accrual,
    plan_name: str,
    *,
    member_id: int | None = None,
) -> dict[str, Any]:
    """The numbers behind an entry, under the keys statements render."""
    return {
        "order_number": order.number if order else None,
        "sku_code": sku_code or None,
        "title": line.title if line else None,
        "quantity": line.quantity if line else None,
        "channel": order.channel if order else None,
        "base": accrual.base,
        "rate_bp": accrual.rate_bp,
        "fixed": accrual.fixed,
        "cap": accrual.cap,
        "share_bp": accrual.share_bp,
        "plan_name": plan_name,
        "rule_name": accrual.rule.name,
        "member_id": order.member_id if order else member_id,
        "reason": accrual.reason,
    }


def _first_order_cpa(
    session: Session, batch: facts.Batch, order: Order, plan: rules.PlanSpec, at: datetime
) -> CommissionEntry | None:
    """A fixed amount to the member's guide (the order's snapshot) on their first paid order."""
    guide = batch.guide(order.bound_guide_id, order)
    if order.member_id is None or guide is None:
        return None
    match = rules.Match(
        at=at,
        channel=order.channel,
        store_type=batch.store_types.get(order.store_id),
        guide_level=guide.level,
        cpa_trigger=rules.CpaTrigger.FIRST_ORDER.value,
    )
    rule = rules.cpa(plan, match)
    if rule is None or (guide.is_buyer and not rule.own_purchases):
        return None
    key = f"cpa:first_order:member:{order.member_id}"
    if session.scalar(select(CommissionEntry.id).where(CommissionEntry.key == key)) is not None:
        return None
    if _paid_before(session, order):
        return None
    accrual = rules.Accrual(
        "",
        rules.Kind.CPA.value,
        "guide",
        guide.id,
        0,
        None,
        rule.fixed,
        None,
        None,
        rule.fixed or 0,
        rule,
        "cpa_first_order",
    )
    made = entry(
        order=order,
        line=None,
        sku_code="",
        accrual=accrual,
        plan=plan,
        key=key,
        earned_at=at,
        release_at=rules.release_at(rule, at, None),
    )
    return made


def _paid_before(session: Session, order: Order) -> bool:
    """Whether the member has a paid order before this one (by payment time, then id)."""
    assert order.paid_at is not None or order.created_at is not None
    at = order.paid_at or order.created_at
    earlier = select(Order.id).where(
        Order.member_id == order.member_id,
        Order.id != order.id,
        Order.paid_at.is_not(None),
        Order.status.not_in(facts.UNPAID),
        or_(Order.paid_at < at, and_(Order.paid_at == at, Order.id < order.id)),
    )
    return bool(session.scalar(select(exists(earlier))))


def _release_fulfilled(session: Session, order: Order, now: datetime) -> None:
    """Entries frozen until fulfilment unfreeze when the order is fulfilled."""
    done = facts.fulfilled_at(order, now)
    if done is None:
        return
    session.execute(
        update(CommissionEntry)
        .where(
            CommissionEntry.order_id == order.id,
            CommissionEntry.status == EntryStatus.PENDING.value,
            CommissionEntry.release_at.is_(None),
        )
        .values(release_at=done),
        execution_options=_NO_SYNC,
    )
