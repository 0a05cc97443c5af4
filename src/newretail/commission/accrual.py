"""Accrual: the ledger follows each order's state, one entry per line, group and beneficiary.

``accrue_orders`` is what the outbox consumer runs for the orders its events name; it
reads the orders as they are now, so a late, repeated or out-of-order event writes nothing
new, and replaying every event leaves the ledger as it was.

It works on the whole batch at once: the orders, their lines and everything around them
(``facts``) and the brands' active plans are read once; the lines are priced in memory by
the pure rules; the entries of the batch are written by one multi-row INSERT.

- The first time an order is seen paid, it is claimed: its mark in ``commission_accrual``
  is inserted with ON CONFLICT DO NOTHING, and only the consumer whose insert wrote the
  mark prices the order (on PostgreSQL a second consumer's insert waits for the first to
  commit, then writes nothing), so an order is priced once even by consumers running at
  once. Its lines are priced under the brand's active plan (``rules.accrue_line``), one
  entry per line, group and beneficiary, keyed ``line:{line}:{slot}``; a member's first
  paid order may earn a CPA entry (``cpa:first_order:member:{member}``, once per member by
  its key).
- An order already claimed is priced again on what each line keeps now (``adjust``): a
  refund, a return or a pay-later balance collected moves it; an exchange moves no money,
  so nothing. Its mark is locked first (FOR UPDATE on PostgreSQL), so two consumers
  repricing the same order take turns, the second reading what the first wrote.
- When the order is fulfilled, entries frozen "until fulfilled" get their ``release_at``.

A cap bounds each line's group (``rules.group_commission``), so it needs nothing but the
line: batches and consumers never share a running total.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, case, func, literal, select, update
from sqlalchemy.orm import Session

from newretail.commission import adjust, entries, facts, plans, rules
from newretail.commission.models import CommissionEntry, EntryStatus
from newretail.commission.plan_models import CommissionAccrual
from newretail.db import utcnow
from newretail.kernel import upserts
from newretail.orders.models import Order

MARKS = cast(Table, CommissionAccrual.__table__)
_NO_SYNC = {"synchronize_session": False}
Row = dict[str, Any]


def accrue_orders(
    *, session: Session, order_ids: Iterable[int], now: datetime | None = None
) -> int:
    """Bring the ledger of ``order_ids`` in line with the orders; how many entries it wrote."""
    now = now or utcnow()
    batch = facts.load(session, order_ids)
    paid = [order for order in batch.orders if order.is_paid]
    if not paid:
        return 0
    active = plans.active_specs(session=session, brand_ids={o.brand_id for o in paid})
    claimed = _claim(session, paid, active, now)
    fresh = [order for order in paid if order.id in claimed]
    rows = _price(batch, fresh, active, now)
    rows += _first_orders(session, batch, fresh, active, now)
    written = entries.insert_new(session, rows)
    written += _reprice(session, [order for order in paid if order.id not in claimed], now)
    _release_fulfilled(session, paid, now)
    return written


def _claim(
    session: Session,
    orders: Sequence[facts.OrderRow],
    active: dict[int, rules.PlanSpec],
    now: datetime,
) -> set[int]:
    """Mark the orders not marked yet (in id order, so writers lock alike); the ones marked."""
    marks = [
        {
            "order_id": order.id,
            "brand_id": order.brand_id,
            "plan_id": plan.id if (plan := active.get(order.brand_id)) else None,
            "accrued_at": now,
        }
        for order in sorted(orders, key=lambda o: o.id)
    ]
    statement = (
        upserts.insert(session, MARKS)
        .on_conflict_do_nothing(index_elements=[MARKS.c.order_id])
        .returning(MARKS.c.order_id)
    )
    return set(session.execute(statement, marks).scalars())


def _price(
    batch: facts.Batch,
    orders: Sequence[facts.OrderRow],
    active: dict[int, rules.PlanSpec],
    now: datetime,
) -> list[Row]:
    """The entries of every line of newly paid ``orders`` under their brand's active plan."""
    created = utcnow()
    rows: list[Row] = []
    for order in orders:
        plan = active.get(order.brand_id)
        if plan is None:
            continue
        earned_at = order.paid_at or now
        done = facts.fulfilled_at(order, now)
        bases = facts.bases(order)
        for line in order.lines:
            for accrual in rules.accrue_line(plan, batch.line_facts(order, line, bases[line.id])):
                rows.append(
                    entries.row(
                        order=order,
                        line=line,
                        sku_code=batch.sku(line).code,
                        accrual=accrual,
                        plan=plan,
                        key=f"line:{line.id}:{accrual.slot}",
                        earned_at=earned_at,
                        release_at=rules.release_at(accrual.rule, earned_at, done),
                        created_at=created,
                    )
                )
    return rows


def _first_orders(
    session: Session,
    batch: facts.Batch,
    orders: Sequence[facts.OrderRow],
    active: dict[int, rules.PlanSpec],
    now: datetime,
) -> list[Row]:
    """A fixed amount to the member's guide (the order's snapshot) on their first paid order."""
    due: list[tuple[facts.OrderRow, rules.Guide, rules.RuleSpec, datetime]] = []
    for order in orders:
        plan = active.get(order.brand_id)
        guide = batch.guide(order.bound_guide_id, order)
        if plan is None or order.member_id is None or guide is None:
            continue
        at = order.paid_at or now
        match = rules.Match(
            at=at,
            channel=order.channel,
            store_type=batch.store_types.get(order.store_id),
            guide_level=guide.level,
            cpa_trigger=rules.CpaTrigger.FIRST_ORDER.value,
        )
        rule = rules.cpa(plan, match)
        if rule is not None and (rule.own_purchases or not guide.is_buyer):
            due.append((order, guide, rule, at))
    if not due:
        return []
    earliest = _earliest_paid(session, {order.member_id for order, *_ in due})
    return [
        _cpa_row(order, guide, rule, active[order.brand_id], at)
        for order, guide, rule, at in due
        if _is_first(order, earliest.get(cast(int, order.member_id), []))
    ]


def _earliest_paid(session: Session, members: set[int | None]) -> dict[int, list[tuple[Any, int]]]:
    """The first two paid orders of each member, as (paid_at, id), in one query."""
    rank = func.row_number().over(partition_by=Order.member_id, order_by=(Order.paid_at, Order.id))
    ranked = (
        select(Order.member_id, Order.paid_at, Order.id, rank.label("rank"))
        .where(
            Order.member_id.in_([m for m in members if m is not None]),
            Order.paid_at.is_not(None),
            Order.status.not_in(facts.UNPAID),
        )
        .subquery()
    )
    found: dict[int, list[tuple[Any, int]]] = {}
    query = select(ranked.c.member_id, ranked.c.paid_at, ranked.c.id).where(ranked.c.rank <= 2)
    for member_id, paid_at, order_id in session.execute(query.order_by(ranked.c.rank)):
        found.setdefault(member_id, []).append((paid_at, order_id))
    return found


def _is_first(order: facts.OrderRow, earliest: list[tuple[Any, int]]) -> bool:
    """Whether no other paid order of the member came before ``order`` (by time, then id)."""
    mine = (order.paid_at or order.created_at, order.id)
    others = [paid for paid in earliest if paid[1] != order.id]
    return not others or not others[0] < mine


def _cpa_row(
    order: facts.OrderRow,
    guide: rules.Guide,
    rule: rules.RuleSpec,
    plan: rules.PlanSpec,
    at: datetime,
) -> Row:
    fixed = rule.fixed or 0
    accrual = rules.Accrual(
        "", rules.Kind.CPA.value, "guide", guide.id, 0, None, fixed, None, None, fixed, rule,
        "cpa_first_order",
    )  # fmt: skip
    return entries.row(
        order=order,
        line=None,
        sku_code="",
        accrual=accrual,
        plan=plan,
        key=f"cpa:first_order:member:{order.member_id}",
        earned_at=at,
        release_at=rules.release_at(rule, at, None),
        created_at=utcnow(),
    )


def _reprice(session: Session, orders: Sequence[facts.OrderRow], now: datetime) -> int:
    """Reprice orders priced before, each under its lock, on what their lines keep now."""
    if not orders:
        return 0
    ids = sorted(order.id for order in orders)
    session.execute(
        select(MARKS.c.order_id)
        .where(MARKS.c.order_id.in_(ids))
        .order_by(MARKS.c.order_id)
        .with_for_update()
    ).all()
    found = adjust.entries_of(session, ids)
    written = sum(adjust.reprice(session, order, found.get(order.id, []), now) for order in orders)
    session.flush()
    return written


def _release_fulfilled(session: Session, orders: Sequence[facts.OrderRow], now: datetime) -> None:
    """Entries frozen until fulfilment unfreeze when their order is fulfilled: one UPDATE."""
    done = {order.id: at for order in orders if (at := facts.fulfilled_at(order, now))}
    if not done:
        return
    column = CommissionEntry.release_at
    release = case(
        *(
            (CommissionEntry.order_id == order_id, literal(at, column.type))
            for order_id, at in done.items()
        )
    )
    session.execute(
        update(CommissionEntry)
        .where(
            CommissionEntry.order_id.in_(sorted(done)),
            CommissionEntry.status == EntryStatus.PENDING.value,
            column.is_(None),
        )
        .values(release_at=release),
        execution_options=_NO_SYNC,
    )
