"""Random sequences of stock operations against a model: the database must agree with the
model after every step, and the invariants must hold throughout:
on_hand >= 0, reserved >= 0, reserved <= on_hand + shortfall, journal sum == on_hand, and
reserved == the units of active reservations.
"""

from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.integration.inventory.stockworld import (
    StockWorld,
    active_reserved,
    journal_mismatches,
    level,
    stock_world,
)

from newretail.db import Database
from newretail.inventory import errors
from newretail.inventory import service as inventory_service
from newretail.inventory.rules import Key, Line, Purpose
from newretail.inventory.schemas import (
    AdjustmentCreate,
    CountCreate,
    ReceiptCreate,
    SyncItem,
    TransferCreate,
)
from newretail.kernel.scope import SYSTEM

units = st.integers(min_value=1, max_value=6)
slot = st.integers(min_value=0, max_value=1)
operations = st.one_of(
    st.tuples(st.just("receive"), slot, slot, units),
    st.tuples(st.just("reserve"), slot, slot, units),
    st.tuples(st.just("commit"), st.integers(0, 50)),
    st.tuples(st.just("release"), st.integers(0, 50)),
    st.tuples(st.just("transfer"), slot, slot, units),
    st.tuples(st.just("adjust"), slot, slot, st.integers(-6, 6).filter(bool)),
    st.tuples(st.just("count"), slot, slot, st.integers(0, 12)),
    st.tuples(st.just("sync"), slot, slot, st.integers(0, 12)),
)


@dataclass
class Model:
    """What the stock should be, kept the simple way."""

    on_hand: dict[Key, int] = field(default_factory=dict)
    reserved: dict[Key, int] = field(default_factory=dict)
    shortfall: dict[Key, int] = field(default_factory=dict)
    active: list[tuple[int, Key, int]] = field(default_factory=list)

    def get(self, key: Key) -> tuple[int, int, int]:
        return self.on_hand.get(key, 0), self.reserved.get(key, 0), self.shortfall.get(key, 0)

    def put(self, key: Key, on_hand: int, reserved: int, shortfall: int | None = None) -> None:
        over = max(0, reserved - on_hand)
        if shortfall is None:
            shortfall = min(self.shortfall.get(key, 0), over)
        self.on_hand[key], self.reserved[key], self.shortfall[key] = on_hand, reserved, shortfall


class Runner:
    def __init__(self, database: Database, world: StockWorld) -> None:
        self.database, self.world, self.model = database, world, Model()
        self.seq, self.ref = 0, 0

    def key(self, loc: int, sku: int) -> Key:
        return self.world.location_ids[loc], self.world.sku_ids[sku]

    def attempt(self, action: Any, **kwargs: Any) -> bool:
        """Run one service call in its own transaction; False if it refused for lack of stock."""
        try:
            with self.database.transaction() as session:
                action(session=session, scope=SYSTEM, **kwargs)
        except errors.InsufficientStock:
            return False
        return True

    def movement(self, kind: str, loc: int, sku: int, **line: Any) -> bool:
        data: Any = {"kind": kind, "location_id": self.world.location_ids[loc], "note": "test"}
        data["lines"] = [{"sku_id": self.world.sku_ids[sku], **line}]
        model = {"receipt": ReceiptCreate, "adjustment": AdjustmentCreate, "count": CountCreate}
        validated = model[kind].model_validate(data)
        return self.attempt(inventory_service.record_movements, data=validated)

    def step(self, op: tuple[Any, ...]) -> None:
        getattr(self, op[0])(*op[1:])

    def receive(self, loc: int, sku: int, n: int) -> None:
        assert self.movement("receipt", loc, sku, quantity=n)
        h, r, _ = self.model.get(self.key(loc, sku))
        self.model.put(self.key(loc, sku), h + n, r)

    def reserve(self, loc: int, sku: int, n: int) -> None:
        key = self.key(loc, sku)
        h, r, _ = self.model.get(key)
        self.ref += 1
        made: list[int] = []

        def hold(**kwargs: Any) -> None:
            reservation, _ = inventory_service.reserve(**kwargs)
            made.append(reservation.id)

        ok = self.attempt(
            hold, purpose=Purpose.CART, reference_id=f"r{self.ref}", lines=[Line(*key, n)]
        )
        assert ok == (h - r >= n)
        self.model.put(key, h, r + n * ok)
        self.model.active.extend((reservation_id, key, n) for reservation_id in made)

    def commit(self, pick: int) -> None:
        self.close(pick, inventory_service.commit_reservation, sells=True)

    def release(self, pick: int) -> None:
        self.close(pick, inventory_service.release_reservation, sells=False)

    def close(self, pick: int, action: Any, *, sells: bool) -> None:
        if not self.model.active:
            return
        reservation_id, key, n = self.model.active[pick % len(self.model.active)]
        h, r, _ = self.model.get(key)
        ok = self.attempt(action, reservation_id=reservation_id)
        assert ok == (not sells or h >= n)
        if ok:
            self.model.active.remove((reservation_id, key, n))
            self.model.put(key, h - n if sells else h, r - n)

    def transfer(self, loc: int, sku: int, n: int) -> None:
        source, target = self.key(loc, sku), self.key(1 - loc, sku)
        data = TransferCreate(
            from_location_id=source[0],
            to_location_id=target[0],
            lines=[{"sku_id": source[1], "quantity": n}],  # type: ignore[list-item]
        )
        (hs, rs, _), (ht, rt, _) = self.model.get(source), self.model.get(target)
        ok = self.attempt(inventory_service.transfer, data=data)
        assert ok == (hs - rs >= n)
        self.model.put(source, hs - n * ok, rs)
        self.model.put(target, ht + n * ok, rt)

    def adjust(self, loc: int, sku: int, delta: int) -> None:
        h, r, _ = self.model.get(self.key(loc, sku))
        ok = self.movement("adjustment", loc, sku, delta=delta)
        assert ok == (delta > 0 or h - r >= -delta)
        self.model.put(self.key(loc, sku), h + delta * ok, r)

    def count(self, loc: int, sku: int, counted: int) -> None:
        assert self.movement("count", loc, sku, counted=counted)
        self.absolute(self.key(loc, sku), counted)

    def sync(self, loc: int, sku: int, on_hand: int) -> None:
        self.seq += 1
        key = self.key(loc, sku)
        item = SyncItem(location_id=key[0], sku_id=key[1], on_hand=on_hand, seq=self.seq)
        assert self.attempt(inventory_service.sync_levels, items=[item])
        self.absolute(key, on_hand)

    def absolute(self, key: Key, on_hand: int) -> None:
        _, r, _ = self.model.get(key)
        self.model.put(key, on_hand, r, max(0, r - on_hand))

    def check(self) -> None:
        for loc in (0, 1):
            for sku in (0, 1):
                key = self.key(loc, sku)
                on_hand, reserved, shortfall = level(self.database, *key)
                assert (on_hand, reserved, shortfall) == self.model.get(key)
                assert on_hand >= 0 and reserved >= 0
                assert reserved <= on_hand + shortfall
                assert active_reserved(self.database, *key) == reserved
        assert journal_mismatches(self.database, self.world.brand_id) == []


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(operations, min_size=1, max_size=25))
def test_random_stock_operations_keep_every_invariant(
    database: Database, steps: list[tuple[Any, ...]]
) -> None:
    runner = Runner(database, stock_world(database))
    for op in steps:
        runner.step(op)
        runner.check()


def test_a_refused_operation_changes_nothing(database: Database) -> None:
    runner = Runner(database, stock_world(database))
    runner.step(("receive", 0, 0, 2))
    runner.step(("reserve", 0, 0, 3))
    runner.step(("transfer", 0, 0, 3))
    runner.step(("adjust", 0, 0, -3))
    runner.check()
    assert runner.model.get(runner.key(0, 0)) == (2, 0, 0)
