"""Properties of accrual over random orders through the services, on both databases: placed
with a discount, paid now or taken on credit, then partial refunds, returns (announced by the
buyer, received and refunded by the store), exchanges, settlements, hand-overs and pay-later
collections, the outbox's consumers run after each:

- each line's live entries add up, to the fen, to the commission on what it finally kept;
- an entry once written keeps its amount (corrections are new entries);
- replaying every event leaves the ledger unchanged.
"""

import weakref
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from tests import commission_builders as cb
from tests import member_builders, order_builders, paylater_builders, return_builders

from newretail.db import Database
from newretail.kernel.errors import DomainError
from newretail.kernel.money import split
from newretail.orders import service as orders_service
from newretail.orders.models import Order
from newretail.payments import service as payments_service
from newretail.payments.schemas import RefundCreate

# Two pairs of SKUs of one product, each pair at one price: a unit of SKU i is exchanged for
# one of SKU i ^ 1.
PRICES = [1_999, 1_999, 33_333, 33_333]
STOCK = 100_000
# What a random step may be refused: more than the order holds given back (a pay-later
# order holds what was collected), units returned twice, goods returned before they were
# handed over, or handed over twice or after a full refund.
REFUSALS = {
    "refund_exceeds_paid",
    "order_not_refundable",
    "order_not_returnable",
    "return_quantity_exceeded",
    "fulfilment_not_ready",
}

quantities_strategy = st.lists(st.integers(0, 3), min_size=4, max_size=4).filter(any)
HAND_OVER = ("hand_over", 0, 0)
action = st.one_of(
    st.tuples(st.just("refund"), st.just(0), st.integers(1, 100)),
    st.tuples(st.just("return"), st.integers(0, 3), st.integers(1, 3)),
    st.tuples(st.just("exchange"), st.integers(0, 3), st.integers(1, 3)),
    st.tuples(st.just("settle"), st.just(0), st.just(0)),
    st.tuples(st.just("collect"), st.just(0), st.just(0)),
    st.just(HAND_OVER),
)
# Half the orders leave the store before anything else happens, so returns get their chance.
steps_strategy = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from([[], [HAND_OVER]]),
    st.lists(action, max_size=6),
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


@dataclass
class Ground:
    """One well-stocked shop per database, its commission setup and one bound member."""

    shop: order_builders.Shop
    setup: cb.Setup
    member_id: int
    consumer_id: int

    @property
    def brand_id(self) -> int:
        return self.shop.world.brand.id


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


def _place(database: Database, g: Ground, quantities: list[int], discount_pct: int) -> int:
    """The member's order, discounted by staff and brought by the second guide, placed.

    The member's points pay none of it: the points they earned in earlier examples would
    otherwise pay part of it first, and a discount near the subtotal no longer fit."""
    lines = [
        {"sku_id": sku, "quantity": n} for sku, n in zip(g.shop.skus, quantities, strict=True) if n
    ]
    subtotal = sum(price * n for price, n in zip(PRICES, quantities, strict=True))
    return order_builders.place_by_staff(
        database,
        g.shop,
        lines=lines,
        discount=subtotal * discount_pct // 100,
        points=0,
        member_id=g.member_id,
        referring_guide_id=g.setup.referrer_id,
    )


def _on_credit(database: Database, g: Ground, order_id: int, down_pct: int) -> None:
    """The member takes the order on credit, paying ``down_pct`` % of it (a fen at least) now."""
    with database.transaction(read_only=True) as session:
        total = session.scalars(select(Order.total).where(Order.id == order_id)).one()
    paylater_builders.terms(database, g.brand_id, 0, down_payment=max(1, total * down_pct // 100))
    paylater_builders.take_on_credit(database, g.consumer_id, order_id)


def _refund(database: Database, g: Ground, order_id: int, pct: int) -> None:
    """``pct`` % (at least a fen) of what the order still holds, given back."""
    scope = orders_service.system_for(g.brand_id)
    with database.transaction() as session:
        order = orders_service.get_order(session=session, scope=scope, order_id=order_id)
        amount = max(1, (order.paid_amount - order.refunded_amount) * pct // 100)
        payments_service.refund(
            session=session, scope=scope, order_id=order_id, data=RefundCreate(amount=amount)
        )


def _line(database: Database, order_id: int, index: int) -> tuple[int, int]:
    """(id, SKU) of the order's line at ``index`` (modulo its lines)."""
    with database.transaction(read_only=True) as session:
        lines = session.scalars(select(Order).where(Order.id == order_id)).one().lines
        line = lines[index % len(lines)]
        return line.id, line.sku_id


def _act(database: Database, g: Ground, order_id: int, step: tuple[str, int, int]) -> None:
    kind, index, value = step
    line_id, sku_id = _line(database, order_id, index)
    twin = g.shop.skus[g.shop.skus.index(sku_id) ^ 1]
    try:
        if kind == "refund":
            _refund(database, g, order_id, value)
        elif kind == "return":
            return_builders.send_back(database, g.shop, order_id, g.consumer_id, [(line_id, value)])
        elif kind == "exchange":
            return_builders.take_back(
                database, g.shop, order_id, g.shop.store_id, kind="exchange",
                lines=[{"order_line_id": line_id, "quantity": value, "exchange_sku_id": twin}],
            )  # fmt: skip
        elif kind == "settle":
            cb.settle(database, g.setup, order_id)
        elif kind == "collect":
            paylater_builders.run(database, 31)
        elif kind == "hand_over":
            order_builders.hand_over(database, g.shop.world.brand.id, order_id)
    except DomainError as refused:
        assert refused.code in REFUSALS
    cb.dispatch(database)


@settings(
    max_examples=10,
    deadline=None,
    # Each example is a few dozen transactions: a failure is reported as found, unshrunk.
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    plan=plan_strategy,
    quantities=quantities_strategy,
    discount_pct=st.integers(0, 90),
    down_pct=st.none() | st.integers(1, 99),
    steps=steps_strategy,
)
def test_each_line_earns_exactly_the_commission_on_what_it_kept(
    database: Database,
    plan: dict[str, Any],
    quantities: list[int],
    discount_pct: int,
    down_pct: int | None,
    steps: list[tuple[str, int, int]],
) -> None:
    g = _ground(database)
    _make_plan(database, g.setup, plan)
    order_id = _place(database, g, quantities, discount_pct)
    if down_pct is None:
        order_builders.pay(database, g.consumer_id, order_id)
    else:
        _on_credit(database, g, order_id, down_pct)
    cb.dispatch(database)
    written: dict[str, int] = {}
    for step in steps:
        _act(database, g, order_id, step)
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


_grounds: "weakref.WeakKeyDictionary[Database, Ground]" = weakref.WeakKeyDictionary()


def _ground(database: Database) -> Ground:
    """One brand per database for all examples (each example makes its own plan and order)."""
    if database not in _grounds:
        shop = order_builders.shop(database, prices=PRICES, stock=STOCK)
        member_id = member_builders.member(database, shop.world)
        _grounds[database] = Ground(
            shop,
            cb.setup(database, world=shop.world, skus=0),
            member_id,
            member_builders.consumer_of(database, member_id),
        )
    return _grounds[database]
