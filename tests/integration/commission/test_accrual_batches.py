"""Accrual over a batch of orders is set-based: its queries do not grow with the batch, and
the same orders accrued again, or by two consumers at once, are priced once."""

import threading
from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from tests import commission_builders as cb
from tests.statements import count_statements

from newretail.commission import service as commission_service
from newretail.commission.models import CommissionEntry
from newretail.db import Database

PLAN = [
    {"kind": "cps", "rate_bp": 500},
    {"kind": "store", "store_bound_bp": 100, "store_selling_bp": 50, "store_fulfilling_bp": 50},
]


def orders(database: Database, s: cb.Setup, count: int) -> list[int]:
    lines = [(s.skus[0], 1, 10_000, 0), (s.skus[1], 2, 5_000, 100)]
    return [
        cb.order(
            database, s, lines, bound_guide_id=s.guide_id, bound_store_id=s.world.west_store.id
        )
        for _ in range(count)
    ]


def accrue(database: Database, order_ids: list[int]) -> int:
    with database.transaction() as session:
        return commission_service.accrue_orders(session=session, order_ids=order_ids)


def keys(database: Database) -> list[str]:
    with database.transaction(read_only=True) as session:
        return list(session.scalars(select(CommissionEntry.key).order_by(CommissionEntry.key)))


def test_a_batch_costs_the_same_queries_whatever_its_size(database: Database) -> None:
    s = cb.setup(database)
    cb.plan(database, s, PLAN)
    small, large = orders(database, s, 2), orders(database, s, 8)
    with count_statements(database) as few:
        written_few = accrue(database, small)
    with count_statements(database) as many:
        written_many = accrue(database, large)
    assert (written_few, written_many) == (2 * 2 * 4, 8 * 2 * 4)
    assert len(many) == len(few) <= 12


def test_accruing_the_same_orders_again_writes_nothing(database: Database) -> None:
    s = cb.setup(database)
    cb.plan(database, s, PLAN)
    batch = orders(database, s, 3)
    first = accrue(database, batch)
    before = keys(database)
    again = accrue(database, batch)
    assert (first, again) == (3 * 2 * 4, 0)
    assert keys(database) == before


def _together(calls: list[Callable[[], int]]) -> list[int | BaseException]:
    """Run the calls in threads released at the same instant; their results or errors."""
    barrier = threading.Barrier(len(calls))
    results: list[int | BaseException] = [0] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = calls[i]()
        except Exception as exc:  # a failure is the result this test looks at
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_two_consumers_accruing_the_same_orders_at_once_price_them_once(
    database: Database,
) -> None:
    s = cb.setup(database)
    cb.plan(database, s, PLAN)
    batch = orders(database, s, 6)
    outcomes = _together([lambda: accrue(database, batch), lambda: accrue(database, batch[::-1])])
    with database.transaction(read_only=True) as session:
        count = session.scalar(select(func.count(CommissionEntry.id)))
        distinct = session.scalar(select(func.count(func.distinct(CommissionEntry.key))))
    assert sorted(outcomes, key=str) == [0, 6 * 2 * 4]
    assert count == distinct == 6 * 2 * 4
