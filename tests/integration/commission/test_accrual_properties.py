"""Properties of accrual over random orders, discounts, partial refunds, returns, exchanges,
settlements and pay-later collections, on both databases:

- each line's live entries add up, to the fen, to the commission on what it finally kept;
- an entry once written keeps its amount (corrections are new entries);
- replaying every event leaves the ledger unchanged.
"""

from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from tests import commission_builders as cb

from newretail.db import Database
from newretail.kernel.money import split
from newretail.orders.models import Order

lines_strategy = st.lists(
    st.tuples(st.integers(1, 3), st.integers(1, 50_000), st.integers(0, 100)),
    min_size=1,
    max_size=3,
)
action = st.one_of(
    st.tuples(st.just("refund"), st.integers(0, 2), st.integers(1, 100)),
    st.tuples(st.just("return"), st.integers(0, 2), st.integers(1, 3)),
    st.tuples(st.just("exchange"), st.just(0), st.just(0)),
    st.tuples(st.just("settle"), st.just(0), st.just(0)),
    st.tuples(st.just("collect"), st.just(0), st.integers(1, 100)),
    st.tuples(st.just("fulfil"), st.just(0), st.just(0)),
)
plan_strategy = st.fixed_dictionaries(
    {
        "policy": st.sampled_from(["bound", "referring", "split"]),
        "bound_share_bp": st.integers(1, 9_999),
        "rate_bp": st.integers(0, 10_000),
        "cap": st.none() | st.integers(0, 5_000),
        "stores": st.tuples(st.integers(0, 500), st.integers(0, 500), st.integers(0, 500)),
    }
)


def _half_up(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)


def _expected(order: Order, plan: dict[str, Any]) -> dict[int, int]:
    """The commission of each line on what it kept, from the rule as written down."""
    weights = [line.total - line.refunded_amount for line in order.lines]
    kept = order.paid_amount - order.refunded_amount
    bases = split(kept, weights) if kept > 0 and sum(weights) > 0 else [0] * len(weights)
    expected = {}
    for line, base in zip(order.lines, bases, strict=True):
        cps = _half_up(base * plan["rate_bp"], 10_000)
        cps = min(cps, plan["cap"]) if plan["cap"] is not None else cps
        stores = [_half_up(base * bp, 10_000) for bp in plan["stores"] if bp > 0]
        stores = [min(a, plan["cap"]) if plan["cap"] is not None else a for a in stores]
        expected[line.id] = cps + sum(stores)
    return expected


def _make_plan(database: Database, s: cb.Setup, plan: dict[str, Any]) -> None:
    bound, selling, fulfilling = plan["stores"]
    rules: list[dict[str, Any]] = [{"kind": "cps", "rate_bp": plan["rate_bp"], "cap": plan["cap"]}]
    if bound or selling or fulfilling:
        rules.append(
            {
                "kind": "store",
                "store_bound_bp": bound,
                "store_selling_bp": selling,
                "store_fulfilling_bp": fulfilling,
                "cap": plan["cap"],
            }
        )
    split_shares = (
        {
            "bound_share_bp": plan["bound_share_bp"],
            "referring_share_bp": 10_000 - plan["bound_share_bp"],
        }
        if plan["policy"] == "split"
        else {}
    )
    cb.plan(database, s, rules, policy=plan["policy"], **split_shares)


def _act(database: Database, s: cb.Setup, order_id: int, step: tuple[str, int, int]) -> None:
    kind, index, value = step
    with database.transaction(read_only=True) as session:
        order = session.get(Order, order_id)
        assert order is not None
        lines = list(order.lines)
        line = lines[index % len(lines)]
        left = min(line.total - line.refunded_amount, order.paid_amount - order.refunded_amount)
        units = line.quantity - line.refunded_quantity
        uncollected = order.total - order.paid_amount
        line_id, line_total, line_quantity = line.id, line.total, line.quantity
    if kind == "refund" and left > 0:
        cb.refund(database, order_id, line_id, max(1, left * value // 100))
    elif kind == "return" and units > 0 and left > 0:
        quantity = min(value, units)
        share = min(left, line_total * quantity // line_quantity)
        cb.refund(database, order_id, line_id, share, quantity=quantity)
    elif kind == "exchange":
        cb.exchange(database, order_id)
    elif kind == "settle":
        cb.settle(database, s, order_id)
    elif kind == "collect" and uncollected > 0:
        cb.collect(database, order_id, max(1, uncollected * value // 100))
    elif kind == "fulfil":
        cb.fulfil(database, order_id)
    cb.dispatch(database)


@settings(
    max_examples=15,
    deadline=None,
    # Each example is a few dozen transactions: a failure is reported as found, unshrunk.
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    plan=plan_strategy,
    lines=lines_strategy,
    collected_pct=st.none() | st.integers(1, 99),
    steps=st.lists(action, max_size=6),
)
def test_each_line_earns_exactly_the_commission_on_what_it_kept(
    database: Database,
    plan: dict[str, Any],
    lines: list[tuple[int, int, int]],
    collected_pct: int | None,
    steps: list[tuple[str, int, int]],
) -> None:
    s = _setup(database)
    _make_plan(database, s, plan)
    order_lines = [
        (s.skus[i % len(s.skus)], quantity, price, quantity * price * discount_pct // 100)
        for i, (quantity, price, discount_pct) in enumerate(lines)
    ]
    total = sum(q * p - d for _, q, p, d in order_lines)
    collected = None if collected_pct is None else max(0, total * collected_pct // 100)
    order_id = cb.order(
        database,
        s,
        order_lines,
        bound_guide_id=s.guide_id,
        referring_guide_id=s.referrer_id,
        bound_store_id=s.world.west_store.id,
        location_id=s.world.west_store.id,
        collected=collected,
    )
    cb.dispatch(database)
    written: dict[str, int] = {}
    for step in steps:
        _act(database, s, order_id, step)
        for entry in cb.entries(database, order_id):
            assert written.setdefault(entry.key, entry.amount) == entry.amount
    found = cb.entries(database, order_id)
    with database.transaction(read_only=True) as session:
        order = session.scalars(select(Order).where(Order.id == order_id)).one()
        expected = _expected(order, plan)
    earned = {line_id: 0 for line_id in expected}
    for entry in cb.live(found):
        assert entry.order_line_id is not None
        earned[entry.order_line_id] += entry.amount
    assert earned == expected
    before = cb.ledger(database)
    cb.replay(database)
    assert cb.ledger(database) == before


_SETUPS: dict[str, cb.Setup] = {}


def _setup(database: Database) -> cb.Setup:
    """One brand per database for all examples (each example makes its own plan and order)."""
    key = database.url
    if key not in _SETUPS:
        _SETUPS[key] = cb.setup(database)
    return _SETUPS[key]
