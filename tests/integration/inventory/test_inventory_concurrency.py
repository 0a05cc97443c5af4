"""Many transactions at once against the same stock: on SQLite the writers queue on
``BEGIN IMMEDIATE``; on PostgreSQL they run in parallel and the guarded UPDATEs decide.

Each task waits at a barrier so that a whole wave of workers starts together.
"""

import random
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from sqlalchemy import func, select
from tests.integration.inventory.stockworld import (
    active_reserved,
    journal_mismatches,
    level,
    receive,
    stock_world,
)

from newretail.db import Database
from newretail.inventory import errors
from newretail.inventory import service as inventory_service
from newretail.inventory.models import Reservation, StockLevel, StockMovement
from newretail.inventory.rules import Line, Purpose
from newretail.inventory.schemas import SyncItem, TransferCreate
from newretail.kernel.scope import SYSTEM

WORKERS = 20
T = TypeVar("T")


def _run_together(tasks: int, attempt: Callable[[int], T]) -> list[T]:
    """Run ``attempt(0..tasks-1)`` on WORKERS threads, each wave released by one barrier."""
    assert tasks % WORKERS == 0
    barrier = threading.Barrier(WORKERS)

    def task(n: int) -> T:
        barrier.wait(timeout=120)
        return attempt(n)

    with ThreadPoolExecutor(WORKERS) as pool:
        return list(pool.map(task, range(tasks)))


def test_200_concurrent_reservations_of_one_unit_against_50_give_exactly_50(
    database: Database,
) -> None:
    w = stock_world(database)
    loc, sku = w.location_ids[0], w.sku_ids[0]
    receive(database, loc, sku, 50)
    available_after_each_success: list[int] = []

    def attempt(n: int) -> str:
        try:
            with database.transaction() as session:
                inventory_service.reserve(
                    session=session,
                    scope=SYSTEM,
                    purpose=Purpose.CART,
                    reference_id=f"cart-{n}",
                    lines=[Line(loc, sku, 1)],
                )
                on_hand, reserved = session.execute(
                    select(StockLevel.on_hand, StockLevel.reserved).where(
                        StockLevel.location_id == loc, StockLevel.sku_id == sku
                    )
                ).one()
                available_after_each_success.append(on_hand - reserved)
        except errors.InsufficientStock as refused:
            return refused.code
        return "reserved"

    outcomes = _run_together(200, attempt)

    assert Counter(outcomes) == {"reserved": 50, "insufficient_stock": 150}
    assert min(available_after_each_success) == 0
    assert sorted(available_after_each_success) == list(range(50))
    assert level(database, loc, sku) == (50, 50, 0)
    assert active_reserved(database, loc, sku) == 50
    assert journal_mismatches(database, w.brand_id) == []
    with database.transaction(read_only=True) as session:
        assert session.scalar(select(func.count()).select_from(Reservation)) == 50


def test_concurrent_commits_of_one_reservation_sell_it_once(database: Database) -> None:
    w = stock_world(database)
    loc, sku = w.location_ids[0], w.sku_ids[0]
    receive(database, loc, sku, 10)
    with database.transaction() as session:
        reservation, _ = inventory_service.reserve(
            session=session,
            scope=SYSTEM,
            purpose=Purpose.ORDER,
            reference_id="o-1",
            lines=[Line(loc, sku, 3)],
        )

    def attempt(_: int) -> str:
        try:
            with database.transaction() as session:
                inventory_service.commit_reservation(
                    session=session, scope=SYSTEM, reservation_id=reservation.id
                )
        except errors.ReservationNotActive as refused:
            return refused.code
        return "committed"

    outcomes = _run_together(WORKERS, attempt)

    assert Counter(outcomes) == {"committed": 1, "reservation_not_active": WORKERS - 1}
    assert level(database, loc, sku) == (7, 0, 0)
    with database.transaction(read_only=True) as session:
        sales = session.scalar(
            select(func.count()).select_from(StockMovement).where(StockMovement.kind == "sale")
        )
    assert sales == 1


def test_concurrent_retries_of_one_reservation_hold_the_stock_once(database: Database) -> None:
    w = stock_world(database)
    loc, sku = w.location_ids[0], w.sku_ids[0]
    receive(database, loc, sku, 10)

    def attempt(_: int) -> int:
        with database.transaction() as session:
            reservation, _created = inventory_service.reserve(
                session=session,
                scope=SYSTEM,
                purpose=Purpose.ORDER,
                reference_id="order-42",
                lines=[Line(loc, sku, 2)],
            )
            return reservation.id

    ids = _run_together(WORKERS, attempt)

    assert len(set(ids)) == 1
    assert level(database, loc, sku) == (10, 2, 0)


def test_transfers_both_ways_at_once_neither_deadlock_nor_lose_stock(database: Database) -> None:
    w = stock_world(database)
    a, b = w.location_ids
    for loc in (a, b):
        for sku in w.sku_ids:
            receive(database, loc, sku, 100)

    def attempt(n: int) -> str:
        source, target = (a, b) if n % 2 else (b, a)
        lines = [{"sku_id": sku, "quantity": 1 + n % 3} for sku in w.sku_ids]
        data = TransferCreate.model_validate(
            {"from_location_id": source, "to_location_id": target, "lines": lines}
        )
        with database.transaction() as session:
            inventory_service.transfer(session=session, scope=SYSTEM, data=data)
        return "moved"

    outcomes = _run_together(4 * WORKERS, attempt)

    assert outcomes == ["moved"] * (4 * WORKERS)
    for sku in w.sku_ids:
        assert level(database, a, sku)[0] + level(database, b, sku)[0] == 200
    assert journal_mismatches(database, w.brand_id) == []


def test_erp_messages_arriving_in_any_order_at_once_end_at_the_newest(
    database: Database,
) -> None:
    w = stock_world(database)
    loc, sku = w.location_ids[0], w.sku_ids[0]
    sequences = list(range(1, 2 * WORKERS + 1))
    random.Random(7).shuffle(sequences)

    def attempt(n: int) -> str:
        seq = sequences[n]
        item = SyncItem(location_id=loc, sku_id=sku, on_hand=seq * 10, seq=seq)
        with database.transaction() as session:
            result = inventory_service.sync_levels(session=session, scope=SYSTEM, items=[item])
        return result.results[0].status

    outcomes = _run_together(len(sequences), attempt)

    assert set(outcomes) <= {"applied", "stale"}
    assert level(database, loc, sku)[0] == 10 * max(sequences)
    with database.transaction(read_only=True) as session:
        erp_seq = session.scalar(select(StockLevel.erp_seq).where(StockLevel.sku_id == sku))
    assert erp_seq == max(sequences)
    assert journal_mismatches(database, w.brand_id) == []


def test_expiry_racing_releases_frees_each_reservation_exactly_once(
    database: Database,
) -> None:
    from datetime import timedelta

    from newretail.db import utcnow

    w = stock_world(database)
    loc, sku = w.location_ids[0], w.sku_ids[0]
    receive(database, loc, sku, 40)
    ids = []
    for n in range(WORKERS):
        with database.transaction() as session:
            reservation, _ = inventory_service.reserve(
                session=session,
                scope=SYSTEM,
                purpose=Purpose.CART,
                reference_id=f"c{n}",
                lines=[Line(loc, sku, 2)],
                ttl_seconds=1,
            )
            ids.append(reservation.id)

    def attempt(n: int) -> int:
        if n % 2:
            with database.transaction() as session:
                return inventory_service.expire_due(
                    session=session, now=utcnow() + timedelta(minutes=1), limit=3
                )
        try:
            with database.transaction() as session:
                inventory_service.release_reservation(
                    session=session, scope=SYSTEM, reservation_id=ids[n]
                )
        except errors.ReservationNotActive:
            return 0
        return 1

    _run_together(WORKERS, attempt)

    with database.transaction() as session:
        inventory_service.expire_due(session=session, now=utcnow() + timedelta(minutes=1))
        statuses = Counter(session.scalars(select(Reservation.status)))
    assert statuses["active"] == 0
    assert sum(statuses.values()) == WORKERS
    assert level(database, loc, sku) == (40, 0, 0)
