"""Benchmark: a month of paid orders accrued into the commission ledger, and its period settled.

Builds one brand with ``--stores`` stores, a guide bound at each, a catalog of two categories
and an active plan (a 5 % CPS rule, an 8 % CPS rule on one category, a store rule sharing
2 % between the bound, selling and fulfilling stores), then writes a month of paid orders
(November 2026) with ``--lines`` order lines in bulk (untimed: the builder is not the
figure), attribution snapshot filled as checkout leaves it. Each line earns four entries
(its guide's CPS and the three stores' shares). Two measures, each next to its anchor
measured in the same run:

- accrual: ``accrue_orders`` over every order in batches of ``--batch`` orders, one
  transaction each (what the outbox consumer does with a batch of ``order.paid`` events)
  -> order lines per second; the anchor is a bare batch insert of the same entries (the
  rows accrual wrote, caught on their way) into a copy of ``commission_entry`` with the
  same columns and indexes but no foreign keys, written the way accrual writes them
  (``kernel.bulk``), right after each batch, in a transaction of its own.
- settlement: ``close_period`` over the month's period (statements per guide and per
  store) and ``approve_statement`` of each by a second admin -> seconds; the anchor is one
  DuckDB aggregate grouping the same ledger lines by beneficiary (loaded untimed).

The planner's statistics are gathered (untimed) after the orders are written and again
before settling, as autovacuum would have done in a live database.

Memory stays flat whatever ``--lines``: orders are written, accrued, copied and exported
batch by batch. SQLite in a temporary file by default; PostgreSQL with ``--database-url``
or NEWRETAIL_BENCH_DATABASE_URL (its public schema is dropped). Prints one JSON line,
with the load average of the machine at the start and at the end and the CPU seconds of this
process (not of a PostgreSQL server); the temporary folder is removed at the end.

    nice .venv/bin/python benchmarks/commission.py [--lines 1000000] [--database-url URL]
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Column, Index, MetaData, Table, func, select
from sqlalchemy.orm import Session

from newretail.commission import entries, service, settlement, statements
from newretail.commission import service as commission_service
from newretail.commission.models import CommissionPeriod, CommissionStatement
from newretail.commission.schemas import PlanCreate, RuleCreate
from newretail.db import Database
from newretail.kernel import bulk
from newretail.kernel.scope import SYSTEM
from newretail.models import Base
from newretail.orders.models import Order, OrderLine
from support import commission_world
from support.commission_world import World

MONTH_STARTS = datetime(2026, 10, 31, 16, tzinfo=UTC)  # 1 November in Shanghai
NOW = datetime(2026, 12, 5, 4, tzinfo=UTC)
LINES_PER_ORDER = 4
SKUS = 40
CHANNELS = ("online", "cloud_store", "pos", "guide_share")
BASE = Base.metadata.tables["commission_entry"]
ORDERS_PER_WRITE = 5_000


def log(message: str, started: float) -> None:
    print(f"[{time.perf_counter() - started:7.1f} s] {message}", file=sys.stderr, flush=True)


def _plan(database: Database, world: World) -> None:
    with database.transaction() as session:
        plan = commission_service.create_plan(
            session=session,
            scope=SYSTEM,
            data=PlanCreate(brand_id=world.brand_id, name="Bench plan", is_active=True),
        )
        for rule in (
            {"name": "All lines", "kind": "cps", "rate_bp": 500, "freeze_days": 0},
            {"name": "Category 1", "kind": "cps", "rate_bp": 800, "freeze_days": 0,
             "category_id": world.categories[1]},
            {"name": "Stores", "kind": "store", "store_bound_bp": 100, "store_selling_bp": 50,
             "store_fulfilling_bp": 50, "freeze_days": 0},
        ):  # fmt: skip
            commission_service.add_rule(
                session=session, scope=SYSTEM, plan_id=plan.id, data=RuleCreate.model_validate(rule)
            )


def _order_rows(
    world: World, first_order: int, first_line: int, n: int, orders: int, lines: int
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Order ``n`` of the month (of ``orders``) and its lines, as checkout leaves them."""
    order_id = first_order + n
    at = MONTH_STARTS + timedelta(seconds=3600 + n * (30 * 24 * 3600 - 7200) // orders)
    selling = world.stores[(n // 7) % len(world.stores)]
    count = min(LINES_PER_ORDER, lines - n * LINES_PER_ORDER)
    line_rows = []
    for k in range(count):
        sku_id, title, price = world.skus[(n * 3 + k) % len(world.skus)]
        quantity = 1 + (n + k) % 3
        line_rows.append(
            {"id": first_line + n * LINES_PER_ORDER + k, "order_id": order_id,
             "brand_id": world.brand_id, "sku_id": sku_id, "title": title, "quantity": quantity,
             "unit_price": price, "price_source": {}, "subtotal": quantity * price,
             "discount": 0, "total": quantity * price, "location_id": selling,
             "routing_reason": "", "refunded_quantity": 0, "refunded_amount": 0}
        )  # fmt: skip
    subtotal = sum(line["total"] for line in line_rows)
    order = {
        "id": order_id, "brand_id": world.brand_id, "number": f"B{order_id:010d}",
        "kind": "standard", "store_id": selling, "channel": CHANNELS[n % len(CHANNELS)],
        "bound_store_id": world.stores[n % len(world.stores)],
        "bound_guide_id": world.guides[n % len(world.guides)], "referring_guide_id": None,
        "touchpoint_code": None, "note": "", "status": "paid", "refund_state": "none",
        "currency": "CNY", "subtotal": subtotal, "discount": 0, "total": subtotal,
        "paid_amount": subtotal, "refunded_amount": 0, "delivery_method": "ship",
        "expires_at": at + timedelta(minutes=30), "created_by_type": "consumer",
        "created_at": at, "paid_at": at, "updated_at": at,
    }  # fmt: skip
    return order, line_rows


def _orders(database: Database, world: World, lines: int) -> range:
    """A month of paid orders with ``lines`` lines in all, written in bulk; their ids."""
    orders = -(-lines // LINES_PER_ORDER)
    order_table, line_table = cast(Table, Order.__table__), cast(Table, OrderLine.__table__)
    with database.transaction() as session:
        first_line = (session.scalar(select(func.max(OrderLine.id))) or 0) + 1
        first_order = (session.scalar(select(func.max(Order.id))) or 0) + 1
    for start in range(0, orders, ORDERS_PER_WRITE):
        order_rows, line_rows = [], []
        for n in range(start, min(orders, start + ORDERS_PER_WRITE)):
            order, its_lines = _order_rows(world, first_order, first_line, n, orders, lines)
            order_rows.append(order)
            line_rows += its_lines
        with database.transaction() as session:
            bulk.insert_rows(session, order_table, order_rows)
            bulk.insert_rows(session, line_table, line_rows)
    return range(first_order, first_order + orders)


def _batches(ids: range, size: int) -> Iterator[range]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


@dataclass
class Accrued:
    entries: int = 0
    copied: int = 0
    accrual_seconds: float = 0.0
    anchor_seconds: float = 0.0


def _anchor_table(database: Database) -> Table:
    """A copy of ``commission_entry``: its columns and indexes, no foreign keys."""
    metadata = MetaData()
    columns = [
        Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable) for c in BASE.c
    ]
    copy = Table("bench_entry_copy", metadata, *columns)
    for index in BASE.indexes:
        Index(
            f"bench_copy_{index.name}",
            *[copy.c[c.name] for c in index.columns],
            unique=bool(index.unique),
        )
    for constraint in BASE.constraints:
        names = [c.name for c in getattr(constraint, "columns", [])]
        if type(constraint).__name__ == "UniqueConstraint":
            Index(f"bench_copy_uq_{'_'.join(names)}", *[copy.c[n] for n in names], unique=True)
    with database.engine.begin() as connection:
        metadata.create_all(connection)
    return copy


def _accrue(database: Database, order_ids: range, size: int, started: float) -> Accrued:
    """Every order accrued by the service, a batch per transaction, each batch followed by
    its anchor: the very rows accrual wrote (caught on their way to the ledger), inserted
    again the same way into a copy of the ledger in a transaction of their own. Measured
    turn about, the two see the same load on the machine."""
    copy, done = _anchor_table(database), Accrued()
    caught: list[dict[str, Any]] = []
    write = entries.insert_new

    def catching(session: Session, rows: Sequence[dict[str, Any]]) -> int:
        caught.extend(rows)
        return write(session, rows)

    entries.insert_new = catching
    try:
        for n, batch in enumerate(_batches(order_ids, size)):
            caught.clear()
            began = time.perf_counter()
            with database.transaction() as session:
                done.entries += service.accrue_orders(session=session, order_ids=batch, now=NOW)
            accrued = time.perf_counter()
            with database.transaction() as session:
                done.copied += bulk.insert_rows(session, copy, caught)
            done.accrual_seconds += accrued - began
            done.anchor_seconds += time.perf_counter() - accrued
            if n % 250 == 249:
                rate = (n + 1) * size * LINES_PER_ORDER / done.accrual_seconds
                log(f"accrued {(n + 1) * size:,} orders, {rate:,.0f} lines/s", started)
    finally:
        entries.insert_new = write
    with database.engine.begin() as connection:
        copy.drop(connection)
    return done


def _settle(database: Database, world: World) -> tuple[settlement.CloseResult, float, float]:
    """Close the month's period and approve every statement; (result, close s, approve s)."""
    with database.transaction() as session:
        period_id = session.scalar(
            select(CommissionPeriod.id)
            .where(CommissionPeriod.brand_id == world.brand_id)
            .order_by(CommissionPeriod.starts_at)
        )
    assert period_id is not None
    began = time.perf_counter()
    with database.transaction() as session:
        result = settlement.close_period(
            session=session, scope=world.preparer, period_id=period_id, now=NOW
        )
    closed = time.perf_counter()
    with database.transaction() as session:
        ids = session.scalars(
            select(CommissionStatement.id).where(CommissionStatement.period_id == period_id)
        )
        for statement_id in list(ids):
            statements.approve_statement(
                session=session, scope=world.approver, statement_id=statement_id
            )
    return result, closed - began, time.perf_counter() - closed


def _duckdb(database: Database, folder: Path) -> tuple[list[Any], float]:
    """The ledger's lines, streamed out (untimed), grouped by beneficiary in DuckDB."""
    columns = (BASE.c.beneficiary_type, BASE.c.guide_id, BASE.c.store_id, BASE.c.amount)
    with database.transaction() as session:
        found = session.execute(select(*columns).execution_options(yield_per=50_000))
        return commission_world.duckdb_totals(found, folder)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--stores", type=int, default=50)
    parser.add_argument("--batch", type=int, default=100, help="orders per accrual batch")
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    args = parser.parse_args()
    load_before = os.getloadavg()
    started = time.perf_counter()
    url = args.database_url or os.environ.get("NEWRETAIL_BENCH_DATABASE_URL")
    folder = Path(tempfile.mkdtemp(prefix="bench-commission-"))
    database = commission_world.fresh_database(url or f"sqlite:///{folder / 'bench.db'}")
    world = commission_world.build(
        database,
        stores=args.stores,
        skus=SKUS,
        schedule={"kind": "monthly", "day_of_month": 1, "starts_on": "2026-11-01"},
        now=NOW,
    )
    _plan(database, world)
    order_ids = _orders(database, world, args.lines)
    commission_world.analyze(database)
    log(f"wrote {len(order_ids):,} orders with {args.lines:,} lines", started)
    done = _accrue(database, order_ids, args.batch, started)
    entries, accrual_seconds, anchor_seconds = (
        done.entries,
        done.accrual_seconds,
        done.anchor_seconds,
    )
    log(
        f"accrued {entries:,} entries in {accrual_seconds:.0f} s, anchor {anchor_seconds:.0f} s",
        started,
    )
    commission_world.analyze(database)
    result, close_seconds, approve_seconds = _settle(database, world)
    log(f"settled {result.entries:,} entries in {close_seconds + approve_seconds:.0f} s", started)
    totals, duck_seconds = _duckdb(database, folder)

    settle_seconds = close_seconds + approve_seconds
    assert done.copied == entries == result.entries, (done.copied, entries, result.entries)
    assert len(totals) == result.statements and sum(t[3] for t in totals) == result.total
    figure = {
        "benchmark": "commission",
        "database": database.engine.dialect.name,
        "orders": len(order_ids),
        "lines": args.lines,
        "entries": entries,
        "batch_orders": args.batch,
        "accrual_s": round(accrual_seconds, 2),
        "accrual_lines_per_s": round(args.lines / accrual_seconds),
        "accrual_anchor": "bare batch insert of the same entries, batch after batch",
        "anchor_lines_per_s": round(args.lines / anchor_seconds),
        "accrual_ratio": round(accrual_seconds / anchor_seconds, 2),
        "statements": result.statements,
        "settle_s": round(settle_seconds, 3),
        "close_s": round(close_seconds, 3),
        "approve_s": round(approve_seconds, 3),
        "settle_anchor": "duckdb group by beneficiary over the same lines",
        "settle_anchor_s": round(duck_seconds, 4),
        "settle_ratio": round(settle_seconds / duck_seconds, 1),
        "run_s": round(time.perf_counter() - started),
        "cpu_s": round(time.process_time()),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(figure), flush=True)
    database.dispose()
    shutil.rmtree(folder)


if __name__ == "__main__":
    main()
